using System.Data.Common;
using DbUp;
using DbUp.Builder;
using DbUp.Engine.Output;
using Hangfire;
using Hangfire.PostgreSql;
using Npgsql;

namespace FinanceSupermarket.Api.Infrastructure.Database;

public abstract partial class SqlDialect
{
    private sealed class PostgreSqlDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
        public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);
        public override string Page(string orderedSelect) => $"{orderedSelect} LIMIT @Take OFFSET @Skip";
        public override string Top(string orderedSelect) => $"{orderedSelect} LIMIT @Take";
        public override string Locked(string select) => $"{select} FOR UPDATE";
        public override bool IsUniqueViolation(Exception exception) =>
            exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
        // Npgsql's pool gives up with a TimeoutException inside its NpgsqlException; 53300 too_many_connections,
        // 55P03 lock_not_available.
        protected override bool IsBusyError(Exception exception) =>
            exception is NpgsqlException { InnerException: TimeoutException } or PostgresException { SqlState: "53300" or "55P03" };
        public override bool KeepsStatisticsRollup => true;
        public override string TakeOldest(string table, string selectFromTaken) =>
            $"WITH taken AS (DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY id LIMIT @Take) RETURNING *) {selectFromTaken}";
        public override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection) =>
            await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);

        protected override IReadOnlyDictionary<string, string> ColumnTypes { get; } = new Dictionary<string, string>
        {
            ["int"] = "INTEGER", ["bigint"] = "BIGINT", ["bool"] = "BOOLEAN", ["false"] = "FALSE", ["date"] = "DATE", ["timestamp"] = "TIMESTAMPTZ",
            ["text"] = "TEXT", ["identity_key"] = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", ["add_column"] = "ADD COLUMN",
        };
        protected override string Varchar(int length) => $"VARCHAR({length})";
        protected override string Decimal(int precision, int scale) => $"NUMERIC({precision},{scale})";

        /// <summary>
        /// Each pooled connection prepares the statements it runs often (Npgsql's automatic preparation) instead of having
        /// them parsed and planned on every call, and is not reset with DISCARD ALL on every return to the pool, which threw
        /// away those prepared statements and the trigger functions' cached plans. Measured with --workflow-latency, this
        /// took PostgreSQL's CPU per request from 45 to 29 ms (issue 13). Nothing of ours leaves session state on a pooled
        /// connection: no SET, no temporary table, and the migration's advisory lock is released before its connection closes.
        /// </summary>
        public override string Tuned(string connectionString)
        {
            var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
            var tuned = new NpgsqlConnectionStringBuilder(connectionString);
            if (!Given(given, "Max Auto Prepare")) tuned.MaxAutoPrepare = 64;
            if (!Given(given, "No Reset On Close")) tuned.NoResetOnClose = true;
            return tuned.ConnectionString;
        }

        private static bool Given(DbConnectionStringBuilder given, string keyword) =>
            given.Keys.Cast<string>().Any(key => string.Equals(key.Replace(" ", ""), keyword.Replace(" ", ""), StringComparison.OrdinalIgnoreCase));

        public override UpgradeEngineBuilder MigrationTarget(string connectionString)
        {
            EnsureDatabase.For.PostgresqlDatabase(connectionString, new NoOpUpgradeLog());
            return DeployChanges.To.PostgresqlDatabase(connectionString);
        }

        public override IDisposable TakeMigrationLock(string connectionString) => AdvisoryLock.Take(connectionString);

        /// <summary>
        /// Installs Hangfire's tables before the storage is used: this version of the storage defers its own install to
        /// the first server start, so a node that only enqueues (or starts its dashboard first) would find no tables.
        /// </summary>
        public override JobStorage CreateJobStorage(string connectionString)
        {
            const string schema = "hangfire";
            using (var connection = new NpgsqlConnection(connectionString))
            {
                connection.Open();
                PostgreSqlObjectsInstaller.Install(connection, schema);
            }
            // No long polling (LISTEN/NOTIFY): in Hangfire.PostgreSql 1.21.1 every fetch starts a listener and, after taking a
            // job, cancels it and waits for it; a listener that issued LISTEN just after the cancel waits for the next NOTIFY,
            // and the worker holds the job it fetched until some node enqueues another (a stalled test run showed it). A job
            // enqueued on this node wakes a waiting worker at once without it; one enqueued on another node waits a poll.
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = schema, PrepareSchemaIfNecessary = false, QueuePollInterval = TimeSpan.FromSeconds(1),
            };
            return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, options, null), options);
        }

        private sealed class AdvisoryLock : IDisposable
        {
            private const long LockKey = 0x46534D49; // "FSMI"
            private readonly NpgsqlConnection _connection;

            private AdvisoryLock(NpgsqlConnection connection) => _connection = connection;

            public static AdvisoryLock Take(string connectionString)
            {
                var connection = new NpgsqlConnection(connectionString);
                connection.Open();
                using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", connection);
                command.ExecuteNonQuery();
                return new AdvisoryLock(connection);
            }

            public void Dispose()
            {
                using (var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", _connection)) command.ExecuteNonQuery();
                _connection.Dispose();
            }
        }
    }
}
