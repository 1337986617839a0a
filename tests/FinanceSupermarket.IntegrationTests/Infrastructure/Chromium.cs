using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>
/// The machine's own Chromium (Debian's package, which .ci/run installs), driven by Playwright: one browser for the whole
/// run, a fresh context per test. Playwright never downloads a browser here; CHROMIUM_PATH may name another binary.
/// </summary>
public static class Chromium
{
    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;

    public static async Task<IBrowser> BrowserAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_browser is { IsConnected: true }) return _browser;
            if (!File.Exists(ExecutablePath))
                Assert.Fail($"Chromium is not installed at {ExecutablePath}: install Debian's chromium package (.ci/run does), or set CHROMIUM_PATH.");
            _playwright ??= await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                // The machine has no network beyond loopback: Chromium's own background traffic would only be refused.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
            });
            return _browser;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Closes the browser at the end of the run (PortalTestBase's namespace tears it down).</summary>
    public static async Task CloseAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        _browser = null;
        _playwright = null;
    }
}
