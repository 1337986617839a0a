using System.Data.Common;
using System.Text.RegularExpressions;
using DbUp;
using DbUp.Builder;
using DbUp.Engine.Output;
using Hangfire;
using Hangfire.SqlServer;
using Microsoft.Data.SqlClient;

namespace FinanceSupermarket.Api.Infrastructure.Database;

public abstract partial class SqlDialect
{
    private sealed partial class SqlServerDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.SqlServer;
        public override DbConnection CreateConnection(string connectionString) => new SqlConnection(connectionString);
        public override string Page(string orderedSelect) => $"{orderedSelect} OFFSET @Skip ROWS FETCH NEXT @Take ROWS ONLY";
        public override string Top(string orderedSelect) => $"{orderedSelect} OFFSET 0 ROWS FETCH NEXT @Take ROWS ONLY";
        // T-SQL says it as a hint on the table: an update lock, held to the end of the transaction, on the rows read.
        public override string Locked(string select) =>
            FromTable().Replace(select, "$0 WITH (UPDLOCK, ROWLOCK)", 1) is var locked && locked != select
                ? locked : throw new ArgumentException($"Not a one-table query: {select}", nameof(select));

        [GeneratedRegex(@"\bFROM\s+\w+", RegexOptions.IgnoreCase)]
        private static partial Regex FromTable();

        public override bool IsUniqueViolation(Exception exception) =>
            exception is SqlException { Number: 2627 or 2601 };

        // SqlClient's pool gives up with an InvalidOperationException ("… prior to obtaining a connection from the pool");
        // 1222: lock request time out.
        protected override bool IsBusyError(Exception exception) =>
            exception is SqlException { Number: 1222 } ||
            exception is InvalidOperationException && exception.Message.Contains("obtaining a connection from the pool", StringComparison.Ordinal);

        // NVARCHAR: names and reasons are Chinese text, which VARCHAR holds only under a UTF-8 collation.
        protected override IReadOnlyDictionary<string, string> ColumnTypes { get; } = new Dictionary<string, string>
        {
            ["int"] = "INT", ["bigint"] = "BIGINT", ["bool"] = "BIT", ["false"] = "0", ["date"] = "DATE", ["timestamp"] = "DATETIMEOFFSET",
            ["text"] = "NVARCHAR(MAX)", ["identity_key"] = "BIGINT IDENTITY(1,1) PRIMARY KEY", ["add_column"] = "ADD",
        };
        protected override string Varchar(int length) => $"NVARCHAR({length})";
        protected override string Decimal(int precision, int scale) => $"DECIMAL({precision},{scale})";

        public override UpgradeEngineBuilder MigrationTarget(string connectionString)
        {
            EnsureDatabase.For.SqlDatabase(connectionString, new NoOpUpgradeLog());
            return DeployChanges.To.SqlDatabase(connectionString);
        }

        public override JobStorage CreateJobStorage(string connectionString) => new SqlServerStorage(connectionString, new SqlServerStorageOptions
        {
            SchemaName = "HangFire", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.Zero,
        });
    }
}
