using FinanceSupermarket.Api.Features.Matching;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FinanceSupermarket.Api.Infrastructure.Operations;

/// <summary>
/// Hangfire's job storage answers (the provider's database, or memory with the embedded SQLite): without it no submitted
/// request is published or dispatched.
/// </summary>
public sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Hangfire's storage API is synchronous: run it aside, so that the check's timeout still ends the probe.
            await Task.Run(() =>
            {
                using var connection = storage.GetConnection();
                connection.GetAllItemsFromSet("recurring-jobs");
            }, cancellationToken).WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy("job storage reachable");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("job storage unreachable", exception);
        }
    }
}

/// <summary>This node's matching index holds the catalog: before, matches would come back empty.</summary>
public sealed class MatchingIndexHealthCheck(MatchingIndex index) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(index.SeenVersion < 0
            ? HealthCheckResult.Unhealthy("matching index not loaded")
            : HealthCheckResult.Healthy($"matching index at catalog version {index.SeenVersion}, {index.Index.Count} products listed"));
}
