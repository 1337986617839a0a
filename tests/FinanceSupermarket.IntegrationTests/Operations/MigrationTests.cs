using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Operations;

/// <summary>
/// The migrations applied to a fresh database of each provider: the common scripts and the provider's own, journalled
/// under the names the per-provider copies had, so that a database migrated before they were merged runs none again.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class MigrationTests(string provider)
{
    private readonly DatabaseProvider _provider = Enum.Parse<DatabaseProvider>(provider);

    [Test]
    public async Task A_fresh_database_gets_every_script_once_under_its_provider_name()
    {
        var connectionString = await TestDatabases.CreateAsync(provider, nameof(MigrationTests));
        var folder = MigrationScripts.ProviderFolder(_provider);

        var applied = DatabaseMigrator.Migrate(_provider, connectionString);

        applied.ShouldBe(
        [
            $"FinanceSupermarket.Api.database.{folder}.0001_initial.sql",
            $"FinanceSupermarket.Api.database.{folder}.0002_workflow.sql",
            $"FinanceSupermarket.Api.database.{folder}.0003_statistics.sql",
            $"FinanceSupermarket.Api.database.{folder}.0004_statistics_rollup.sql",
            $"FinanceSupermarket.Api.database.{folder}.0005_accounts.sql",
            $"FinanceSupermarket.Api.database.{folder}.0006_integrity.sql",
            $"FinanceSupermarket.Api.database.{folder}.0007_enterprise_size_basis.sql",
            $"FinanceSupermarket.Api.database.{folder}.0008_audit_chain.sql",
            $"FinanceSupermarket.Api.database.{folder}.0008_audit_chain_append_only.sql",
            $"FinanceSupermarket.Api.database.{folder}.0008_calendar_years.sql",
            $"FinanceSupermarket.Api.database.{folder}.0009_decline_reason.sql",
            // SQLite's columns hold text of any length already.
            .. _provider == DatabaseProvider.Sqlite ? Array.Empty<string>() : [$"FinanceSupermarket.Api.database.{folder}.0010_audit_detail_unbounded.sql"],
            $"FinanceSupermarket.Api.database.{folder}.0011_row_versions_and_webhook_secrets.sql",
            // SQL Server reads the request rows through its columnstore index: it keeps no roll-up.
            .. _provider == DatabaseProvider.SqlServer ? Array.Empty<string>() :
            [
                $"FinanceSupermarket.Api.database.{folder}.0012_statistics_deltas.sql",
                $"FinanceSupermarket.Api.database.{folder}.0013_statistics_histograms.sql",
            ],
            $"FinanceSupermarket.Api.database.{folder}.0014_audit_chain_queue.sql",
            .. _provider == DatabaseProvider.SqlServer ? Array.Empty<string>() : [$"FinanceSupermarket.Api.database.{folder}.0014_statistics_days_and_answers.sql"],
            // PostgreSQL's trigger appends the difference where a step changes only the sums (SQLite's keeps both rows).
            .. _provider == DatabaseProvider.PostgreSql ? [$"FinanceSupermarket.Api.database.{folder}.0015_statistics_net_deltas.sql"] : Array.Empty<string>(),
        ]);
        DatabaseMigrator.Migrate(_provider, connectionString).ShouldBeEmpty();

        // A table of each common script, and the provider's statistics index or roll-up of its 0004.
        await using var connection = SqlDialect.For(_provider).CreateConnection(connectionString);
        await connection.OpenAsync();
        foreach (var table in new[] { "institutions", "dispatches", "region_targets", "people", "audit_log", "audit_chain", "audit_chain_queue" })
            (await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}")).ShouldBe(0);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM statistics_rollup")).ShouldBe(0);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM statistics_deltas")).ShouldBe(0);
        if (_provider != DatabaseProvider.SqlServer)
            (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM statistics_rollup_days")).ShouldBe(0);
        if (_provider == DatabaseProvider.Sqlite)
            (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'ix_financing_requests_statistics'"))
                .ShouldBe(1);
    }
}
