using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>
/// The host's pages outside the portal that a person opens in a browser — the API reference and the job dashboard — work
/// under their Content-Security-Policy: they render, and Chromium refuses nothing (PortalTestBase fails a test on any
/// refusal). Their markup does not depend on the database: one provider is enough.
/// </summary>
[TestFixture(Providers.Sqlite)]
public sealed class OperatorPagesTests(string provider) : PortalTestBase(provider)
{
    [Test]
    public async Task The_API_reference_renders_the_document_under_its_policy()
    {
        var page = await NewPageAsync();

        await page.GotoAsync("/docs/");

        // The document's title, shown once the page has read the document.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    [Test]
    public async Task The_job_dashboard_renders_for_an_admin_under_the_policy()
    {
        var page = await NewPageAsync();
        var token = Host.Service<TokenIssuer>().Issue(Role.Admin, null, null, null);

        await page.GotoAsync($"/jobs?access_token={token}");

        await Expect(page.GetByText("Finance Supermarket jobs").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Recurring Jobs" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/jobs/recurring$"));
    }
}
