using System.Data.Common;

namespace FinanceSupermarket.Api.Infrastructure.Database;

/// <summary>Opens connections to the configured database. Handlers run their own SQL through Dapper.</summary>
public sealed class Db(SqlDialect dialect, string connectionString)
{
    public SqlDialect Dialect { get; } = dialect;
    public string ConnectionString { get; } = connectionString;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = Dialect.CreateConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await Dialect.OpenedAsync(connection, cancellationToken);
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction: committed when it returns, rolled back when it throws.</summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
