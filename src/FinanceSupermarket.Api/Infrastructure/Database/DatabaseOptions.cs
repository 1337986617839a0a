namespace FinanceSupermarket.Api.Infrastructure.Database;

public enum DatabaseProvider { Sqlite, PostgreSql, SqlServer }

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Empty with SQLite means the embedded default: a file under data/.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply the numbered scripts of database/common/ and database/&lt;provider&gt;/ at start-up.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Seed demo institutions, products and enterprises into an empty database (in the Development environment unless set).</summary>
    public bool? SeedDemoData { get; set; }

    public string ResolvedConnectionString(string contentRoot) => ConnectionString switch
    {
        { Length: > 0 } configured => SqlDialect.For(Provider).Tuned(configured),
        _ => SqlDialect.For(Provider).EmbeddedConnectionString(contentRoot) ?? throw new InvalidOperationException(
            $"Database:ConnectionString is required for the {Provider} provider (environment variable Database__ConnectionString)."),
    };
}
