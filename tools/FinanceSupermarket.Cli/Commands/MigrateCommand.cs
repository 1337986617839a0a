using System.CommandLine;
using FinanceSupermarket.Api.Infrastructure.Database;

namespace FinanceSupermarket.Cli.Commands;

/// <summary><c>migrate</c>: applies the numbered scripts under database/&lt;provider&gt;/ to the configured database, as the API does at start-up.</summary>
public sealed class MigrateCommand : Command
{
    public MigrateCommand() : base("migrate", "Apply the database migrations to the configured database.")
    {
        SetAction(parse =>
        {
            var options = PlatformSettings.Database(parse);
            var connectionString = options.ResolvedConnectionString(PlatformSettings.ContentRootOf(parse));
            var applied = DatabaseMigrator.Migrate(options.Provider, connectionString);
            var target = $"{options.Provider} ({PlatformSettings.WithoutSecrets(connectionString)})";
            Console.Error.WriteLine(applied.Count == 0 ? $"{target}: up to date." : $"{target}: applied {string.Join(", ", applied)}.");
            return 0;
        });
    }
}
