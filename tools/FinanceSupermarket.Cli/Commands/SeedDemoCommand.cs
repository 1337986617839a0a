using System.CommandLine;
using FinanceSupermarket.Api.Features.Demo;
using FinanceSupermarket.Api.Infrastructure.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FinanceSupermarket.Cli.Commands;

/// <summary>
/// <c>seed-demo</c>: migrates, then writes the demo institutions, products and enterprises (DemoData) into a
/// database that holds no institution yet — through the API's own commands, so they obey the API's rules.
/// </summary>
public sealed class SeedDemoCommand : Command
{
    public SeedDemoCommand() : base("seed-demo", "Migrate, then seed demo data into an empty database.")
    {
        SetAction(async (parse, cancellationToken) =>
        {
            using var host = ApiHost.Build(parse);
            var options = host.Services.GetRequiredService<DatabaseOptions>();
            var db = host.Services.GetRequiredService<Db>();
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FinanceSupermarket.Cli.SeedDemo");
            DatabaseMigrator.Migrate(options.Provider, db.ConnectionString);
            await DemoData.SeedIfEmptyAsync(host.Services, logger);
            Console.Error.WriteLine($"{options.Provider}: demo data is in place (nothing is written when the database already holds institutions).");
            return 0;
        });
    }
}
