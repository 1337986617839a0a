using DbUp;

namespace FinanceSupermarket.Api.Infrastructure.Database;

/// <summary>Applies the provider's migrations (<see cref="MigrationScripts"/>, embedded in this assembly) with DbUp.</summary>
public static class DatabaseMigrator
{
    public static IReadOnlyList<string> Migrate(DatabaseProvider provider, string connectionString)
    {
        var dialect = SqlDialect.For(provider);
        var engine = dialect.MigrationTarget(connectionString)
            .WithScripts(new MigrationScripts(provider))
            .WithVariables(dialect.MigrationVariables())
            .WithTransactionPerScript()
            // No time limit (0): a script that rebuilds the statistics roll-up runs for minutes over ten million requests,
            // and a provider's 30-second default would cancel the upgrade half way, each time the node starts.
            .WithExecutionTimeout(TimeSpan.Zero)
            .LogToNowhere()
            .Build();

        // Several API nodes may start together on one server: one migrates, the others wait for it.
        using var migrationLock = dialect.TakeMigrationLock(connectionString);
        var result = engine.PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        return result.Scripts.Select(script => script.Name).ToArray();
    }
}
