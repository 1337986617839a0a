using System.CommandLine;
using System.Security.Cryptography;
using FinanceSupermarket.Api.Features.Demo;
using FinanceSupermarket.Api.Infrastructure.Auth;
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
            var configuration = PlatformSettings.Read(parse);
            var args = new List<string>
            {
                "--contentRoot", PlatformSettings.ContentRootOf(parse), "--applicationName", "FinanceSupermarket.Api",
                "--environment", PlatformSettings.Environment(parse).EnvironmentName,
            };
            if (parse.GetValue(PlatformSettings.Provider) is { } provider) args.Add($"--{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}={provider}");
            if (parse.GetValue(PlatformSettings.ConnectionString) is { } connectionString)
                args.AddRange([$"--{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}", connectionString]);
            // Seeding signs no token; a throwaway key lets the API's start-up checks pass outside Development without one.
            if (string.IsNullOrEmpty(configuration[$"{AuthOptions.Section}:{nameof(AuthOptions.SigningKey)}"]))
                args.Add($"--{AuthOptions.Section}:{nameof(AuthOptions.SigningKey)}={Convert.ToHexString(RandomNumberGenerator.GetBytes(32))}");

            using var host = ApiHost.Build(args);
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
