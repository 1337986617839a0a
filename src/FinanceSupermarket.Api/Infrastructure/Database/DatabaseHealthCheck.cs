using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FinanceSupermarket.Api.Infrastructure.Database;

/// <summary>/health and /health/ready report the database unreachable rather than the process merely alive.</summary>
public sealed class DatabaseHealthCheck(Db db) : IHealthCheck
{
    private const string PingSql = "SELECT COUNT(*) FROM catalog_version";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = db.Dialect.CreateProbeConnection(db.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<long>(PingSql);
            return HealthCheckResult.Healthy($"{db.Dialect.Provider} reachable");
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy($"{db.Dialect.Provider} unreachable", exception);
        }
    }
}
