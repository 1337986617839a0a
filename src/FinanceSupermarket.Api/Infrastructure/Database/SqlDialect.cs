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

    /// <summary>Pages an ordered query with @Skip and @Take parameters.</summary>
    public abstract string Page(string orderedSelect);

    /// <summary>The first @Take rows of an ordered query.</summary>
    public abstract string Top(string orderedSelect);

    public abstract bool IsUniqueViolation(Exception exception);

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
