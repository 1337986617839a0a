using Hangfire;
using Mediator;

namespace FinanceSupermarket.Api.Features.Audit;

/// <summary>Hangfire's entry point into the audit trail: the daily checkpoint.</summary>
public sealed class AuditJobs(IMediator mediator)
{
    [AutomaticRetry(Attempts = 3)]
    public async Task CheckpointAsync() => await mediator.Send(new RecordCheckpoint());
}
