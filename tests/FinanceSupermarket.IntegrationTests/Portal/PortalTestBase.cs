using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>Closes the one Chromium after the portal's tests.</summary>
[SetUpFixture]
public sealed class PortalRun
{
    [OneTimeTearDown]
    public Task CloseBrowserAsync() => Chromium.CloseAsync();
}

/// <summary>
/// The portal in real Chromium against the fixture's host (its provider, its database, its fake clock). Each test gets a
/// fresh browser context (no cookies); screenshots go to one folder per run, printed at the end of each fixture.
/// </summary>
public abstract class PortalTestBase(string provider) : ApiTestBase(provider)
{
    public const int Phone = 375;
    public const int Desktop = 1280;

    /// <summary>Waits of the browser assertions: they return as soon as the page is as expected; the bound is for a stuck page only.</summary>
    private const float ExpectTimeout = 30_000;

    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _policyViolations = [];

    /// <summary>
    /// The width a journey runs at: a phone's on SQLite, a desktop's on PostgreSQL. The markup does not depend on the
    /// database, nor what is stored on the width, so two runs cover both providers and both widths where four did (the
    /// browser is the suite's slowest part); AccessibilityTests still sweeps a visitor's and an enterprise's pages at both.
    /// </summary>
    protected int JourneyWidth => Provider == Providers.Sqlite ? Phone : Desktop;

    public static string ScreenshotFolder { get; } = Path.Combine(TestContext.CurrentContext.WorkDirectory, "portal-screenshots");

    protected Uri BaseAddress => Host.ClientAs(null).BaseAddress!;

    [OneTimeSetUp]
    public void SetExpectTimeout() => Assertions.SetDefaultExpectTimeout(ExpectTimeout);

    [OneTimeTearDown]
    public void PrintScreenshotFolder() => TestContext.Progress.WriteLine($"Portal screenshots: {ScreenshotFolder}");

    /// <summary>A page that needs what the Content-Security-Policy forbids (an inline script or style, a file from elsewhere) fails its test.</summary>
    [TearDown]
    public async Task CloseContextsAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync();
        _contexts.Clear();
        var violations = _policyViolations.ToArray();
        _policyViolations.Clear();
        violations.ShouldBeEmpty("the browser refused what the Content-Security-Policy forbids");
    }

    /// <summary>A page in a new browser context as wide as a phone (375 px) or a desktop.</summary>
    protected async Task<IPage> NewPageAsync(int width = Desktop)
    {
        var browser = await Chromium.BrowserAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = width == Phone ? 812 : 900 },
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            IsMobile = width == Phone,
            HasTouch = width == Phone,
        });
        context.SetDefaultTimeout(ExpectTimeout);
        _contexts.Add(context);
        // Chromium reports each refusal on the console ("Refused to … because it violates the following Content Security Policy directive …").
        context.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                lock (_policyViolations) _policyViolations.Add($"{message.Location}: {message.Text}");
        };
        return await context.NewPageAsync();
    }

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    /// <summary>Checks the page with axe-core: no serious or critical violation. Returns what it found, for the message.</summary>
    protected static async Task CheckAccessibilityAsync(IPage page)
    {
        var result = await page.RunAxe();
        var grave = result.Violations.Where(violation => violation.Impact is "serious" or "critical").ToArray();
        grave.ShouldBeEmpty(string.Join("\n", grave.Select(Describe)));

        static string Describe(AxeResultItem violation) =>
            $"{violation.Impact} {violation.Id}: {violation.Help} — " + string.Join("; ", violation.Nodes.Take(3).Select(node => string.Join(" ", node.Target)));
    }

    /// <summary>A full-page screenshot named after the page and width, in this provider's folder.</summary>
    protected async Task ScreenshotAsync(IPage page, string name)
    {
        var width = page.ViewportSize?.Width ?? Desktop;
        var folder = Path.Combine(ScreenshotFolder, Provider.ToLowerInvariant());
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}-{width}.png"), FullPage = true });
    }

    /// <summary>Signs in through the sign-in page, as a person would.</summary>
    protected static async Task SignInAsync(IPage page, string login, string password = People.Password)
    {
        await page.GotoAsync("/sign-in");
        await SubmitSignInAsync(page, login, password);
    }

    /// <summary>Fills in and sends the sign-in form the page shows (where a redirect to sign-in led, say).</summary>
    protected static async Task SubmitSignInAsync(IPage page, string login, string password = People.Password, string? totp = null)
    {
        await page.GetByLabel("账号").FillAsync(login);
        await page.GetByLabel("密码").FillAsync(password);
        if (totp is not null) await page.GetByLabel("动态验证码").FillAsync(totp);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
    }
}
