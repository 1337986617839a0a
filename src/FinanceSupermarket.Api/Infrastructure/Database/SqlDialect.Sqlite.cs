using System.Data;
using System.Data.Common;
using System.Globalization;
using DbUp;
using DbUp.Builder;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Data.Sqlite;

namespace FinanceSupermarket.Api.Infrastructure.Database;

public abstract partial class SqlDialect
{
    private sealed class SqliteDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
        public override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

        // Read-write, never create: a database file gone from its folder is an outage, not a new empty database.
        public override DbConnection CreateProbeConnection(string connectionString) => new SqliteConnection(
            new SqliteConnectionStringBuilder(connectionString) { Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ConnectionString);

        // A writer waits for the write lock in SQLite's own busy handler, a few milliseconds at a time, up to the
        // connection's timeout. Without it Microsoft.Data.Sqlite retries a busy statement every 150 ms, and concurrent
        // writers (requests, the workflow's jobs) turned milliseconds of work into seconds of waiting.
        public override async Task OpenedAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {((SqliteConnection)connection).DefaultTimeout * 1000}";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public override bool KeepsStatisticsRollup => true;

        // SQLite finds each parameter by a linear search of the statement's names: the audit seal's one INSERT of 225 rows
        // (2,025 parameters) cost millions of string comparisons, 5 % of the workflow's CPU in issue 13's profile.
        public override bool InsertsRowByRow => true;

        // A unit of work begins IMMEDIATE (the write lock at once): its turn is taken in process, in order, waiting no
        // longer than the busy timeout would have.
        public override WriterQueue CreateWriterQueue(string connectionString) => new(
            TimeSpan.FromSeconds(new SqliteConnectionStringBuilder(connectionString).DefaultTimeout),
            () => new SqliteException("database is locked: no turn to write within the busy timeout", 5));

        // A fold batch holds the file's one write lock. At 100 requests/s a minute brings about 53,000 deltas; in batches
        // of 5,000, each holding the lock about 150 ms, back to back, writers asleep in the busy handler (up to 100 ms a
        // try) found it taken again each time they woke, and the fold's 1.4 s became the workflow's p99. Batches of 500
        // (about 15 ms), each followed by a pause as long as the handler's longest sleep, let the waiting writers in.
        public override (int Deltas, TimeSpan Pause) FoldPace => (500, TimeSpan.FromMilliseconds(100));

        // A deferred transaction (BEGIN, not the default BEGIN IMMEDIATE, which would take the write lock): in WAL mode its
        // reads see the database as of its first read.
        public override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection) =>
            Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

        public override string Page(string orderedSelect) => $"{orderedSelect} LIMIT @Take OFFSET @Skip";
        public override string Top(string orderedSelect) => $"{orderedSelect} LIMIT @Take";
        // A unit of work begins IMMEDIATE: it holds the file's one write lock from its first statement on.
        public override string Locked(string select) => select;
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY
        public override bool IsUniqueViolation(Exception exception) =>
            exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };

        // SQLITE_BUSY, SQLITE_LOCKED: the write lock not granted within the busy timeout.
        protected override bool IsBusyError(Exception exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 };

        // One node, one writer: a key written on a second connection while a unit of work holds the file's write lock would
        // wait for it forever. The keys live in a folder beside the database file instead.
        public override IXmlRepository KeyRing(Db db, ILoggerFactory logging)
        {
            var file = new SqliteConnectionStringBuilder(db.ConnectionString).DataSource;
            return new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, Path.GetFileNameWithoutExtension(file) + "-keys")), logging);
        }

        public override string EmbeddedConnectionString(string contentRoot) =>
            $"Data Source={Path.Combine(contentRoot, "data", "finance-supermarket.db")}";

        // SQLite has no date types and one NUMERIC affinity: times and days are text, booleans 0 and 1.
        protected override IReadOnlyDictionary<string, string> ColumnTypes { get; } = new Dictionary<string, string>
        {
            ["int"] = "INTEGER", ["bigint"] = "INTEGER", ["bool"] = "INTEGER", ["false"] = "0", ["date"] = "TEXT", ["timestamp"] = "TEXT",
            ["text"] = "TEXT", ["identity_key"] = "INTEGER PRIMARY KEY AUTOINCREMENT", ["add_column"] = "ADD COLUMN",
        };
        protected override string Varchar(int length) => "TEXT";
        protected override string Decimal(int precision, int scale) => "NUMERIC";

        public override UpgradeEngineBuilder MigrationTarget(string connectionString)
        {
            var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
            var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            UseWriteAheadLog(connectionString);
            return DeployChanges.To.SqliteDatabase(connectionString);
        }

        /// <summary>
        /// SQLite's write-ahead log (kept in the file once set) lets readers and the one writer proceed together; with the
        /// default rollback journal every request read waited for the workflow's writes and the other way round.
        /// </summary>
        private static void UseWriteAheadLog(string connectionString)
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL";
            command.ExecuteNonQuery();
        }

        // The embedded single-node store: jobs in memory are safe because the supervisor re-drives from the database.
        public override JobStorage CreateJobStorage(string connectionString) => new InMemoryStorage();

        public override void SetTime(IDbDataParameter parameter, DateTimeOffset utc)
        {
            parameter.DbType = DbType.String;
            parameter.Value = utc.ToString(SqliteTimeFormat, CultureInfo.InvariantCulture);
        }

        public override void SetDate(IDbDataParameter parameter, DateOnly date)
        {
            parameter.DbType = DbType.String;
            parameter.Value = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
    }
}
