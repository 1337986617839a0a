using System.Net;
using System.Text.RegularExpressions;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>
/// Every page a visitor or an enterprise user reaches (the shelves' pages have tests of their own), at a phone's width and
/// a desktop's: no serious or critical axe-core violation, one h1, and a keyboard path from the top of the page through its
/// skip link to the first control of its content. A screenshot of each page at each width. On one provider: a page's
/// markup does not depend on the database (the journeys render the same pages on both), and axe is the portal suite's
/// slowest step.
/// </summary>
[TestFixture]
public sealed class AccessibilityTests() : PortalTestBase(Providers.Sqlite)
{
    /// <summary>The pages in the order a person meets them: a visitor's first, then, signed in, the enterprise's.</summary>
    private static readonly (string Name, string Path, HttpStatusCode Status, bool SignedIn)[] Pages =
    [
        ("home", "/", HttpStatusCode.OK, false),
        ("promise", "/promise", HttpStatusCode.OK, false),
        ("sign-in", "/sign-in", HttpStatusCode.OK, false),
        ("sign-up", "/sign-up", HttpStatusCode.OK, false),
        ("password-reset", "/password-reset", HttpStatusCode.OK, false),
        ("not-found", "/no-such-page", HttpStatusCode.NotFound, false),
        ("profile", "/enterprise", HttpStatusCode.OK, true),
        ("my-requests", "/enterprise/requests", HttpStatusCode.OK, true),
        ("new-request", "/enterprise/requests/new", HttpStatusCode.OK, true),
        ("request", "/enterprise/requests/{request}", HttpStatusCode.OK, true),
        ("notifications", "/notifications", HttpStatusCode.OK, true),
    ];

    [TestCase(Phone)]
    [TestCase(Desktop)]
    public async Task Every_page_passes_axe_has_one_heading_and_a_keyboard_path_to_its_content(int width)
    {
        // An owner with a need that was published and dispatched (to an institution of a county of this test's own), so
        // that the pages show a list, a timeline and a notification rather than their empty states.
        var county = width == Phone ? "330402" : "330411";
        await ListProductAsync(await RegisterInstitutionAsync(county), product => product["regionCodes"] = new[] { county });
        var (login, _, owner) = await Host.NewEnterpriseOwnerAsync(EnterpriseBody(county), "sweep");
        var request = (string)(await (await owner.Client.PostJsonAsync("/api/v1/financing-requests", RequestBody()).ShouldBe(HttpStatusCode.Created))
            .ReadJsonAsync())["id"]!;
        await Host.RunDueJobsAsync();

        var page = await NewPageAsync(width);
        var found = new List<string>();
        foreach (var (name, path, status, signedIn) in Pages)
        {
            if (signedIn && !await page.GetByRole(AriaRole.Button, new() { Name = "退出" }).IsVisibleAsync())
            {
                await SignInAsync(page, login);
                await Expect(page).ToHaveURLAsync(new Regex("/enterprise/requests$"));
            }
            var response = await page.GotoAsync(path.Replace("{request}", request));
            if (response!.Status != (int)status) found.Add($"{path}: status {response.Status}");
            found.AddRange((await ProblemsOfAsync(page)).Select(problem => $"{path}: {problem}"));
            await ScreenshotAsync(page, "page-" + name);
        }
        found.ShouldBeEmpty(string.Join("\n", found));
    }

    /// <summary>What a person with a screen reader or a keyboard only would stumble on.</summary>
    private static async Task<List<string>> ProblemsOfAsync(IPage page)
    {
        var problems = new List<string>();
        try
        {
            await CheckAccessibilityAsync(page);
        }
        catch (ShouldAssertException violations)
        {
            problems.Add(violations.Message);
        }
        if (await page.Locator("h1").CountAsync() is var headings and not 1) problems.Add($"{headings} h1 headings");

        // From the top (where a person tabbing in from the address bar starts; a page load puts the focus on its h1): the
        // first Tab reaches the skip link, which leads past the header to the page's own first control.
        await page.EvaluateAsync("() => { document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex'); }");
        await page.Keyboard.PressAsync("Tab");
        if (await FocusedAsync(page) is var first and not "A href=#main") problems.Add($"the first Tab reaches {first}, not the skip link");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        var expected = await page.EvaluateAsync<string>($"() => ({Describe})(document.querySelector('main').querySelector({Focusable}))");
        // A page of text only (the promise) has no control to reach.
        if (expected != "nothing" && await FocusedAsync(page) is var next && next != expected)
            problems.Add($"Tab after the skip link reaches {next}, not the first control of main, {expected}");
        return problems;
    }

    /// <summary>The controls a Tab stops at, as CSS.</summary>
    private const string Focusable =
        "'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex=\"-1\"])'";

    private const string Describe =
        "element => element ? element.tagName + (element.id ? '#' + element.id : '') + (element.getAttribute('href') ? ' href=' + element.getAttribute('href') : '') : 'nothing'";

    private static Task<string> FocusedAsync(IPage page) => page.EvaluateAsync<string>($"() => ({Describe})(document.activeElement)");
}
