namespace FinanceSupermarket.Api.Infrastructure.Database;

public static class DatabaseModule
{
    public static DatabaseOptions ReadDatabaseOptions(this IConfiguration configuration) =>
        configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();

    public static IServiceCollection AddPlatformDatabase(this IServiceCollection services, DatabaseOptions options, string contentRoot)
    {
        DapperTypeHandlers.Register();
        services.AddSingleton(options);
        services.AddSingleton(new Db(SqlDialect.For(options.Provider), options.ResolvedConnectionString(contentRoot)));
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }

    /// <summary>Migrates and, in Development (README's dotnet run), seeds demo data before the host takes requests.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<DatabaseOptions>();
        var db = app.Services.GetRequiredService<Db>();
        if (options.MigrateOnStartup)
        {
            var applied = DatabaseMigrator.Migrate(options.Provider, db.ConnectionString);
            app.Logger.LogInformation("Database {Provider} migrated; scripts applied now: {Scripts}", options.Provider, applied);
        }
        if (options.SeedDemoData ?? app.Environment.IsDevelopment())
            await DemoData.SeedIfEmptyAsync(app.Services, app.Logger);
        await app.Services.GetRequiredService<Features.Matching.MatchingIndex>().RefreshAsync();
    }
}
