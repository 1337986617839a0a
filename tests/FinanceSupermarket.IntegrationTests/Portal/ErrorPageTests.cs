using System.Net;
using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>
/// The platform's own failure, as a person and as a client see it: the portal's friendly page with a trace id that the log
/// names, and for the JSON API a problem document (RFC 9457). The faults are injected into two queries of this host only.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class ErrorPageTests(string provider) : PortalTestBase(provider)
{
    protected override void ConfigureServices(IServiceCollection services)
    {
        // The home page's headline, and the admin's list of security events.
        services.AddSingleton<IValidator<GetHeadline>>(new Faulty<GetHeadline>());
        services.AddSingleton<IValidator<ListSecurityEvents>>(new Faulty<ListSecurityEvents>());
    }

    [Test]
    public async Task A_failing_page_shows_the_error_page_with_the_trace_id_the_log_names()
    {
        var page = await NewPageAsync(Phone);
        var response = await page.GotoAsync("/");
        response!.Status.ShouldBe(500);
        await Expect(page.Locator("h1")).ToHaveTextAsync("出错了");
        var traceId = (await page.GetByTestId("trace-id").TextContentAsync())!;
        traceId.ShouldMatch("^[0-9a-f]{32}$");
        TestLoggerProvider.EntriesNaming(traceId).ShouldContain(entry => entry.StartsWith("[Error]") && entry.Contains(Faulty<GetHeadline>.Message));
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "error");
    }

    [Test]
    public async Task A_failing_api_call_is_a_problem_document_and_is_logged()
    {
        var response = await Admin.GetAsync("/api/v1/admin/security-events");
        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.ReadJsonAsync();
        problem["status"]!.GetValue<int>().ShouldBe(500);
        // A W3C trace context id ("00-<trace id>-<span id>-01"): its trace id is what the log carries.
        var traceId = ((string)problem["traceId"]!).Split('-')[1];
        TestLoggerProvider.EntriesNaming(traceId).ShouldContain(entry => entry.StartsWith("[Error]") && entry.Contains(Faulty<ListSecurityEvents>.Message));
        ((string?)problem["detail"] ?? "").ShouldNotContain(Faulty<ListSecurityEvents>.Message);
    }

    /// <summary>A validator that fails as a bug would: by throwing, not by refusing the input.</summary>
    private sealed class Faulty<T> : AbstractValidator<T>
    {
        public static readonly string Message = $"Injected fault in {typeof(T).Name} ({Guid.NewGuid():N})";

        public Faulty() => RuleFor(message => message).Custom((_, _) => throw new InvalidOperationException(Message));
    }
}
