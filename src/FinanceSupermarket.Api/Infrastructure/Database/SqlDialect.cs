using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace FinanceSupermarket.Api.Infrastructure.Database;

/// <summary>
/// The few places where the three databases speak differently. Every other statement is portable SQL
/// (and is parsed as T-SQL in the tests, so it stays portable).
/// </summary>
public abstract class SqlDialect
{
    public abstract DatabaseProvider Provider { get; }

    public abstract DbConnection CreateConnection(string connectionString);

    /// <summary>Settings a freshly opened connection needs before its first statement.</summary>
    public virtual Task OpenedAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Pages an ordered query with @Skip and @Take parameters.</summary>
    public abstract string Page(string orderedSelect);

    /// <summary>The first @Take rows of an ordered query.</summary>
    public abstract string Top(string orderedSelect);

    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// True where database/&lt;provider&gt;/0004 keeps the statistics_rollup table (PostgreSQL): the regulator's figures
    /// for whole months are then read from it (Features/Statistics/Rollup.cs) instead of from every request row.
    /// </summary>
    public virtual bool KeepsStatisticsRollup => false;

    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDialect(),
        DatabaseProvider.PostgreSql => new PostgreSqlDialect(),
        DatabaseProvider.SqlServer => new SqlServerDialect(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    private sealed class SqliteDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
        public override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

        // A writer waits for the write lock in SQLite's own busy handler, a few milliseconds at a time, up to the
        // connection's timeout. Without it Microsoft.Data.Sqlite retries a busy statement every 150 ms, and concurrent
        // writers (requests, the workflow's jobs) turned milliseconds of work into seconds of waiting.
        public override async Task OpenedAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {((SqliteConnection)connection).DefaultTimeout * 1000}";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public override string Page(string orderedSelect) => $"{orderedSelect} LIMIT @Take OFFSET @Skip";
        public override string Top(string orderedSelect) => $"{orderedSelect} LIMIT @Take";
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY
        public override bool IsUniqueViolation(Exception exception) =>
            exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };
    }

    private sealed class PostgreSqlDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
        public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);
        public override string Page(string orderedSelect) => $"{orderedSelect} LIMIT @Take OFFSET @Skip";
        public override string Top(string orderedSelect) => $"{orderedSelect} LIMIT @Take";
        public override bool IsUniqueViolation(Exception exception) =>
            exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
        public override bool KeepsStatisticsRollup => true;
    }

    private sealed class SqlServerDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.SqlServer;
        public override DbConnection CreateConnection(string connectionString) => new SqlConnection(connectionString);
        public override string Page(string orderedSelect) => $"{orderedSelect} OFFSET @Skip ROWS FETCH NEXT @Take ROWS ONLY";
        public override string Top(string orderedSelect) => $"{orderedSelect} OFFSET 0 ROWS FETCH NEXT @Take ROWS ONLY";
        public override bool IsUniqueViolation(Exception exception) =>
            exception is SqlException { Number: 2627 or 2601 };
    }
}
