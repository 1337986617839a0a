using FinanceSupermarket.Testing;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>
/// Every fixture gets a database of its own: a SQLite file in a temporary folder, or a fresh database on one
/// throwaway PostgreSQL server that the first PostgreSQL fixture starts (initdb + pg_ctl) and the run stops.
/// </summary>
[SetUpFixture]
public sealed class TestDatabases
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TemporaryPostgresServer? _postgres;
    private static readonly string SqliteFolder = Path.Combine(Path.GetTempPath(), $"fs-sqlite-{Guid.NewGuid():N}");

    public static async Task<string> CreateAsync(string provider, string name)
    {
        var databaseName = $"{name.ToLowerInvariant()}_{Guid.NewGuid():N}"[..40];
        if (provider == Providers.Sqlite)
        {
            Directory.CreateDirectory(SqliteFolder);
            return $"Data Source={Path.Combine(SqliteFolder, databaseName + ".db")};Default Timeout=30";
        }
        await Gate.WaitAsync();
        try
        {
            _postgres ??= await TemporaryPostgresServer.StartAsync();
        }
        finally
        {
            Gate.Release();
        }
        return await _postgres.CreateDatabaseAsync(databaseName);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (Directory.Exists(SqliteFolder)) Directory.Delete(SqliteFolder, recursive: true);
    }
}

public static class Providers
{
    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSql";

    /// <summary>The providers every API test runs on.</summary>
    public static readonly string[] All = [Sqlite, PostgreSql];
}
