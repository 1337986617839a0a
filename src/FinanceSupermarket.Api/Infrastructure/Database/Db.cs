using System.Data.Common;

namespace FinanceSupermarket.Api.Infrastructure.Database;

/// <summary>
/// Opens connections to the configured database. Queries run their own SQL through Dapper; commands run theirs through
/// the unit of work (Infrastructure/UnitOfWork), which holds their one transaction.
/// </summary>
public sealed class Db(SqlDialect dialect, string connectionString)
{
    public SqlDialect Dialect { get; } = dialect;
    public string ConnectionString { get; } = connectionString;

    /// <summary>Where the database has one writer, the line this node's units of work take their turns in; else null.</summary>
    public WriterQueue? Writers { get; } = dialect.CreateWriterQueue(connectionString);

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = Dialect.CreateConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await Dialect.OpenedAsync(connection, cancellationToken);
        return connection;
    }
}
