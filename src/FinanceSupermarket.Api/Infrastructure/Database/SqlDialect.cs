using Microsoft.AspNetCore.DataProtection.Repositories;
using System.Data;
using System.Data.Common;
using DbUp.Builder;
using Hangfire;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace FinanceSupermarket.Api.Infrastructure.Database;

/// <summary>
/// The few places where the three databases speak differently: SQL, the migrations' column types, how a database is
/// created and migrated, where Hangfire keeps its queue, and how times are passed. Every other statement is portable SQL
/// (and is parsed as T-SQL in the tests, so it stays portable). One file per provider: SqlDialect.&lt;Provider&gt;.cs.
/// </summary>
public abstract partial class SqlDialect
{
    private static readonly SqlDialect Sqlite = new SqliteDialect();
    private static readonly SqlDialect PostgreSql = new PostgreSqlDialect();
    private static readonly SqlDialect SqlServer = new SqlServerDialect();

    public abstract DatabaseProvider Provider { get; }

    public abstract DbConnection CreateConnection(string connectionString);

    /// <summary>
    /// A connection for the health checks: a new one, not the pool's, so that the check says whether the database can be
    /// reached now (a pooled connection opened before an outage still answers, or fails once after it is over).
    /// </summary>
    public virtual DbConnection CreateProbeConnection(string connectionString) =>
        CreateConnection(new DbConnectionStringBuilder { ConnectionString = connectionString, ["Pooling"] = false }.ConnectionString);

    /// <summary>Settings a freshly opened connection needs before its first statement.</summary>
    public virtual Task OpenedAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Pages an ordered query with @Skip and @Take parameters.</summary>
    public abstract string Page(string orderedSelect);

    /// <summary>The first @Take rows of an ordered query.</summary>
    public abstract string Top(string orderedSelect);

    /// <summary>
    /// A one-table query that also locks the rows it reads until the transaction ends, as an UPDATE of them would, but
    /// writes nothing: no new row version, no trigger (a claim that serialises workers of one row across nodes).
    /// </summary>
    public abstract string Locked(string select);

    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// True when the database could not take the statement now, though nothing is wrong with it: no connection free in the
    /// pool within its timeout, the server's connection limit, or a lock not granted in time. Answered 503 with
    /// Retry-After (load shedding's answer), never 500; nothing was stored.
    /// </summary>
    public bool IsBusy(Exception exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
            if (IsBusyError(cause)) return true;
        return false;
    }

    protected abstract bool IsBusyError(Exception exception);

    /// <summary>
    /// True where the provider's scripts keep the statistics_rollup tables and their deltas (PostgreSQL 0004, 0012–0014,
    /// SQLite 0012–0014): the regulator's figures (whole months and single days) are then read from them (Features/Statistics/Rollup.cs) instead of
    /// from every request row, and the fold job runs (Features/Statistics/FoldStatistics.cs).
    /// </summary>
    public virtual bool KeepsStatisticsRollup => false;

    /// <summary>
    /// Whether several rows go in as the one-row INSERT run once a row (prepared once) instead of one INSERT of them all,
    /// and held writes one by one instead of as one command (<see cref="UnitOfWork.UnitOfWork.InsertRowsLater"/>): for a
    /// database in this process, where a round trip costs nothing.
    /// </summary>
    public virtual bool InsertsRowByRow => false;

    /// <summary>A line for this node's write transactions where the database takes one writer at a time; null where writers lock rows.</summary>
    public virtual WriterQueue? CreateWriterQueue(string connectionString) => null;

    /// <summary>
    /// How the statistics fold goes through the deltas: how many a batch (one transaction) takes, and the pause after a
    /// full batch. A server locks only the roll-up rows a batch touches, so its batches are big and back to back: each
    /// batch reads and writes every roll-up row its deltas touch (about 600 at 200 requests/s, whatever the batch's size),
    /// so at 5,000 a minute of 200 requests/s took 36 batches and 38,000 round trips, in a burst that was the workflow's p99.
    /// </summary>
    public virtual (int Deltas, TimeSpan Pause) FoldPace => (50_000, TimeSpan.Zero);

    /// <summary>
    /// One statement that deletes up to @Take of the oldest rows (by id) of <paramref name="table"/> and answers
    /// <paramref name="selectFromTaken"/> over exactly the rows it deleted, named "taken" (the statistics fold sums its
    /// batch where it is read, not in this process); null where the dialect has none, and the caller reads the rows and
    /// deletes them by id. Not a read and then a delete: rows that commit in between with lower ids would go unread.
    /// </summary>
    public virtual string? TakeOldest(string table, string selectFromTaken) => null;

    /// <summary>
    /// A read-only transaction whose statements all see the database as of one moment (the statistics read the roll-up, its
    /// deltas and some request rows, while the fold moves deltas into the roll-up). SQL Server reads committed rows per
    /// statement: it keeps no roll-up, and snapshot isolation is off in its databases by default.
    /// </summary>
    public virtual async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection) =>
        await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted);

    /// <summary>Where ASP.NET Core Data Protection keeps its key ring: in the database, shared by every node.</summary>
    public virtual IXmlRepository KeyRing(Db db, ILoggerFactory logging) => new DatabaseKeyRing(db);

    /// <summary>The configured connection string with this provider's defaults for a busy node; a setting given there wins.</summary>
    public virtual string Tuned(string connectionString) => connectionString;

    /// <summary>The database when no connection string is configured: only the embedded SQLite file has one.</summary>
    public virtual string? EmbeddedConnectionString(string contentRoot) => null;

    // ------------------------------------------------------------------ migrations

    /// <summary>
    /// The value of each $token$ in database/common/*.sql (DbUp variables): this provider's spelling of a column type or
    /// clause. varchar_N and decimal_P_S exist for the lengths and precisions below, those the scripts use; a script with
    /// another fails its migration ("Variable varchar_150 has no value defined") and the T-SQL tests until it is added.
    /// </summary>
    public IDictionary<string, string> MigrationVariables()
    {
        var variables = new Dictionary<string, string>(ColumnTypes, StringComparer.Ordinal);
        foreach (var length in VarcharLengths) variables[$"varchar_{length}"] = Varchar(length);
        foreach (var (precision, scale) in Decimals) variables[$"decimal_{precision}_{scale}"] = Decimal(precision, scale);
        return variables;
    }

    private static readonly int[] VarcharLengths = [1, 5, 6, 7, 10, 12, 18, 20, 30, 36, 40, 64, 100, 200, 400, 500, 1000, 2000];
    private static readonly (int Precision, int Scale)[] Decimals = [(6, 3), (12, 3), (18, 2)];

    /// <summary>
    /// int, bigint, bool, false (its literal), date, timestamp (a UTC time), text (unbounded), identity_key (a generated
    /// BIGINT primary key) and add_column (ALTER TABLE … add_column name type).
    /// </summary>
    protected abstract IReadOnlyDictionary<string, string> ColumnTypes { get; }

    protected abstract string Varchar(int length);

    protected abstract string Decimal(int precision, int scale);

    /// <summary>Creates the database (or its folder) when missing; DbUp's upgrader for it.</summary>
    public abstract UpgradeEngineBuilder MigrationTarget(string connectionString);

    /// <summary>Held while migrating, so that nodes starting together on one server migrate one after the other.</summary>
    public virtual IDisposable? TakeMigrationLock(string connectionString) => null;

    // ------------------------------------------------------------------ jobs

    /// <summary>Where Hangfire keeps its queue: the provider's database, so that several API nodes share the work.</summary>
    public abstract JobStorage CreateJobStorage(string connectionString);

    // ------------------------------------------------------------------ parameters

    /// <summary>SQLite times as stored: fixed-width UTC ISO text, so that "due_at &lt;= @Now" compares them right.</summary>
    public const string SqliteTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>Passes a UTC time in the database's own time type.</summary>
    public virtual void SetTime(IDbDataParameter parameter, DateTimeOffset utc)
    {
        parameter.DbType = DbType.DateTimeOffset;
        parameter.Value = utc;
    }

    public virtual void SetDate(IDbDataParameter parameter, DateOnly date)
    {
        parameter.DbType = DbType.Date;
        parameter.Value = date.ToDateTime(TimeOnly.MinValue);
    }

    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => Sqlite,
        DatabaseProvider.PostgreSql => PostgreSql,
        DatabaseProvider.SqlServer => SqlServer,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>
    /// The dialect of the driver that made <paramref name="parameter"/>: Dapper's type handlers are process-wide, while
    /// each host (several in the tests' process) has its own provider.
    /// </summary>
    public static SqlDialect Of(IDbDataParameter parameter) => parameter switch
    {
        SqliteParameter => Sqlite,
        NpgsqlParameter => PostgreSql,
        SqlParameter => SqlServer,
        _ => throw new ArgumentOutOfRangeException(nameof(parameter), parameter.GetType().Name, "A parameter of no known provider."),
    };
}
