using System.CommandLine;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace FinanceSupermarket.Cli;

/// <summary>
/// The API's configuration as the CLI sees it: the Api's appsettings.json (and appsettings.{environment}.json),
/// then environment variables (Database__Provider, Auth__SigningKey, …), then the options given here.
/// </summary>
public static class PlatformSettings
{
    public static readonly Option<DirectoryInfo> ContentRoot = new("--content-root")
    {
        Description = "The API's content root (appsettings.json, data/). Default: src/FinanceSupermarket.Api when run inside the repository, else the current directory.",
        Recursive = true,
    };

    public static readonly Option<DatabaseProvider?> Provider = new("--provider")
    {
        HelpName = "sqlite|postgresql|sqlserver",
        Description = "Sqlite, PostgreSql or SqlServer (overrides Database:Provider).",
        Recursive = true,
    };

    public static readonly Option<string> ConnectionString = new("--connection-string")
    {
        Description = "Overrides Database:ConnectionString.",
        Recursive = true,
    };

    public static IEnumerable<Option> Options => [ContentRoot, Provider, ConnectionString];

    public static string ContentRootOf(ParseResult parse) =>
        parse.GetValue(ContentRoot)?.FullName ?? FindApiFolder(Directory.GetCurrentDirectory()) ?? FindApiFolder(AppContext.BaseDirectory) ?? Directory.GetCurrentDirectory();

    /// <summary>
    /// The environment the API would run in with the same variables (ASPNETCORE_ENVIRONMENT before DOTNET_ENVIRONMENT, as
    /// a web host reads them; Production when neither is set). It decides, as in the API, whether the development signing
    /// key may be used; <c>dotnet run</c> sets Development through Properties/launchSettings.json, as for the API.
    /// </summary>
    public static IHostEnvironment Environment(ParseResult parse) => new HostingEnvironment
    {
        EnvironmentName = System.Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
                          ?? System.Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
        ApplicationName = "FinanceSupermarket.Api",
        ContentRootPath = ContentRootOf(parse),
    };

    public static IConfiguration Read(ParseResult parse)
    {
        var environment = Environment(parse).EnvironmentName;
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(Provider) is { } provider) overrides[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}"] = provider.ToString();
        if (parse.GetValue(ConnectionString) is { } connectionString) overrides[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}"] = connectionString;
        return new ConfigurationBuilder()
            .SetBasePath(ContentRootOf(parse))
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();
    }

    public static DatabaseOptions Database(ParseResult parse) => Read(parse).ReadDatabaseOptions();

    public static AuthOptions Auth(ParseResult parse) => Read(parse).ReadAuthOptions(Environment(parse));

    /// <summary>A connection string fit to print: passwords removed.</summary>
    public static string WithoutSecrets(string connectionString)
    {
        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (var key in builder.Keys.Cast<string>().Where(key => key.Equals("Password", StringComparison.OrdinalIgnoreCase) || key.Equals("Pwd", StringComparison.OrdinalIgnoreCase)).ToArray())
            builder.Remove(key);
        return builder.ConnectionString;
    }

    /// <summary>The API project's folder when <paramref name="start"/> lies inside the repository.</summary>
    private static string? FindApiFolder(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FinanceSupermarket.sln")))
                return Path.Combine(dir.FullName, "src", "FinanceSupermarket.Api");
        return null;
    }
}
