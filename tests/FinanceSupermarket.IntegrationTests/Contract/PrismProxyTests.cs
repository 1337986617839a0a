using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Contract;

/// <summary>
/// Prism's validation proxy (`prism proxy … --errors`) in front of the host checks every request and answer of the main
/// journey against the served document: any violation is an error answer, which fails the journey. The answers do not
/// depend on the database, so one provider suffices.
/// </summary>
public sealed class PrismProxyTests() : ClientJourney(Providers.Sqlite)
{
    private Process _prism = null!;
    private Uri _proxy = null!;
    private readonly List<string> _log = [];

    [OneTimeSetUp]
    public async Task StartPrismAsync()
    {
        var document = Path.Combine(TestContext.CurrentContext.WorkDirectory, "openapi-for-prism.json");
        await File.WriteAllTextAsync(document, await (await Anonymous.GetAsync("/openapi/v1.json").ShouldBe(HttpStatusCode.OK)).Content.ReadAsStringAsync());
        var port = FreePort();
        _proxy = new Uri($"http://127.0.0.1:{port}/");
        _prism = ApiLintTools.Start("prism", "proxy", document, Anonymous.BaseAddress!.ToString().TrimEnd('/'), "--errors",
            "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _prism.OutputDataReceived += (_, line) => { if (line.Data is not null) lock (_log) _log.Add(line.Data); };
        _prism.ErrorDataReceived += (_, line) => { if (line.Data is not null) lock (_log) _log.Add(line.Data); };
        _prism.BeginOutputReadLine();
        _prism.BeginErrorReadLine();
        await ListeningAsync(port);
    }

    [OneTimeTearDown]
    public void StopPrism()
    {
        if (!_prism.HasExited) _prism.Kill(entireProcessTree: true);
        _prism.Dispose();
    }

    [Test]
    public async Task The_main_journey_breaks_no_rule_of_the_document()
    {
        try
        {
            await RunJourneyAsync(_proxy);
        }
        catch (Exception failure)
        {
            Assert.Fail($"{failure.GetType().Name}: {failure.Message}\nPrism said:\n{string.Join('\n', Violations())}");
        }
        Violations().ShouldBeEmpty();
    }

    /// <summary>What Prism logged as a violation of the document (it also answers with an error under --errors).</summary>
    private string[] Violations()
    {
        lock (_log) return _log.Where(line => line.Contains("Violation", StringComparison.OrdinalIgnoreCase) || line.Contains("✖")).ToArray();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Node takes a few seconds to load Prism: ready when its port takes a connection.</summary>
    private async Task ListeningAsync(int port)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (_prism.HasExited) Assert.Fail($"prism exited with {_prism.ExitCode}:\n{string.Join('\n', _log)}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (started.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(200);
            }
        }
    }
}
