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

    /// <summary>Migrates before the host takes requests, unless Database:MigrateOnStartup is off.</summary>
    public static void MigrateAtStartUp(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<DatabaseOptions>();
        if (!options.MigrateOnStartup) return;
        var applied = DatabaseMigrator.Migrate(options.Provider, app.Services.GetRequiredService<Db>().ConnectionString);
        app.Logger.LogInformation("Database {Provider} migrated; scripts applied now: {Scripts}", options.Provider, applied);
    }
}
