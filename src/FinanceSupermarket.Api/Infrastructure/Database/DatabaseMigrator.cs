using System.Reflection;
using DbUp;
using DbUp.Builder;
using DbUp.Engine.Output;
using Npgsql;

namespace FinanceSupermarket.Api.Infrastructure.Database;

/// <summary>Applies the numbered scripts under database/&lt;provider&gt;/ (embedded in this assembly) with DbUp.</summary>
public static class DatabaseMigrator
{
    public static IReadOnlyList<string> Migrate(DatabaseProvider provider, string connectionString)
    {
        var folder = ScriptFolder(provider);
        UpgradeEngineBuilder builder;
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                EnsureSqliteFolder(connectionString);
                UseWriteAheadLog(connectionString);
                builder = DeployChanges.To.SqliteDatabase(connectionString);
                break;
            case DatabaseProvider.PostgreSql:
                EnsureDatabase.For.PostgresqlDatabase(connectionString, new NoOpUpgradeLog());
                builder = DeployChanges.To.PostgresqlDatabase(connectionString);
                break;
            case DatabaseProvider.SqlServer:
                EnsureDatabase.For.SqlDatabase(connectionString, new NoOpUpgradeLog());
                builder = DeployChanges.To.SqlDatabase(connectionString);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, null);
        }

        var engine = builder
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.Contains($".database.{folder}.", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();

        // Several API nodes may start together on one server: one migrates, the others wait for it.
        using var migrationLock = provider == DatabaseProvider.PostgreSql ? PostgresAdvisoryLock.Take(connectionString) : null;
        var result = engine.PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        return result.Scripts.Select(script => script.Name).ToArray();
    }

    public static string ScriptFolder(DatabaseProvider provider) => provider.ToString().ToLowerInvariant();

    private static void EnsureSqliteFolder(string connectionString)
    {
        var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }

    /// <summary>
    /// SQLite's write-ahead log (kept in the file once set) lets readers and the one writer proceed together; with the
    /// default rollback journal every request read waited for the workflow's writes and the other way round.
    /// </summary>
    private static void UseWriteAheadLog(string connectionString)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        command.ExecuteNonQuery();
    }

    private sealed class PostgresAdvisoryLock : IDisposable
    {
        private const long LockKey = 0x46534D49; // "FSMI"
        private readonly NpgsqlConnection _connection;

        private PostgresAdvisoryLock(NpgsqlConnection connection) => _connection = connection;

        public static PostgresAdvisoryLock Take(string connectionString)
        {
            var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", connection);
            command.ExecuteNonQuery();
            return new PostgresAdvisoryLock(connection);
        }

        public void Dispose()
        {
            using (var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", _connection)) command.ExecuteNonQuery();
            _connection.Dispose();
        }
    }
}
