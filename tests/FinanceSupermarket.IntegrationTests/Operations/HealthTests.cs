using System.Net;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using FinanceSupermarket.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Operations;

/// <summary>
/// The probes an orchestrator asks: live (the process answers) and ready (database, job storage, matching index), through
/// a real outage of this fixture's own database — a PostgreSQL server of its own stopped and started again, or the
/// SQLite file's folder taken away (a volume gone) and put back. No other fixture shares that database.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class HealthTests(string provider)
{
    private TemporaryPostgresServer? _postgres;
    private string _sqliteFolder = "";
    private ApiHost _host = null!;
    private HttpClient _anonymous = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        string connectionString;
        if (provider == Providers.Sqlite)
        {
            _sqliteFolder = Path.Combine(Path.GetTempPath(), $"fs-health-{Guid.NewGuid():N}");
            connectionString = $"Data Source={Path.Combine(_sqliteFolder, "health.db")};Default Timeout=30";
        }
        else
        {
            _postgres = await TemporaryPostgresServer.StartAsync();
            connectionString = await _postgres.CreateDatabaseAsync("health");
        }
        _host = new ApiHost(provider, connectionString, new FakeTimeProvider(ApiTestBase.Start));
        _anonymous = _host.ClientAs(null);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _host.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (Directory.Exists(_sqliteFolder)) Directory.Delete(_sqliteFolder, recursive: true);
    }

    [Test]
    public async Task Ready_names_each_dependency_it_checked()
    {
        var ready = await (await _anonymous.GetAsync("/health/ready").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

        ((string)ready["status"]!).ShouldBe("Healthy");
        foreach (var check in new[] { "database", "jobs", "matching" })
            ((string)ready["checks"]![check]!["status"]!).ShouldBe("Healthy", check);
        (await (await _anonymous.GetAsync("/health").ShouldBe(HttpStatusCode.OK)).Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Test]
    public async Task Ready_fails_while_the_database_is_down_and_recovers_when_it_is_back()
    {
        await _anonymous.GetAsync("/health/ready").ShouldBe(HttpStatusCode.OK);

        await TakeDatabaseAwayAsync();
        try
        {
            var ready = await (await _anonymous.GetAsync("/health/ready").ShouldBe(HttpStatusCode.ServiceUnavailable)).ReadJsonAsync();
            ((string)ready["status"]!).ShouldBe("Unhealthy");
            ((string)ready["checks"]!["database"]!["status"]!).ShouldBe("Unhealthy");
            ((string)ready["checks"]!["matching"]!["status"]!).ShouldBe("Healthy");
            // Hangfire keeps its queue in the same PostgreSQL database; with the embedded SQLite it keeps it in memory.
            ((string)ready["checks"]!["jobs"]!["status"]!).ShouldBe(provider == Providers.PostgreSql ? "Unhealthy" : "Healthy");
            await _anonymous.GetAsync("/health").ShouldBe(HttpStatusCode.ServiceUnavailable);
            // Live asks nothing of the database: an orchestrator does not restart a node for the database's outage.
            await _anonymous.GetAsync("/health/live").ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            await BringDatabaseBackAsync();
        }

        var recovered = await (await _anonymous.GetAsync("/health/ready").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)recovered["checks"]!["database"]!["status"]!).ShouldBe("Healthy");
        await _anonymous.GetAsync("/api/v1/products").ShouldBe(HttpStatusCode.OK);
    }

    private async Task TakeDatabaseAwayAsync()
    {
        if (_postgres is not null) await _postgres.StopAsync();
        else Directory.Move(_sqliteFolder, _sqliteFolder + "-away");
    }

    private async Task BringDatabaseBackAsync()
    {
        if (_postgres is not null) await _postgres.StartAgainAsync();
        else Directory.Move(_sqliteFolder + "-away", _sqliteFolder);
    }
}
