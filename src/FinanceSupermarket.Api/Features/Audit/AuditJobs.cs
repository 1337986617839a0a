using FinanceSupermarket.Api.Infrastructure.Jobs;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Hangfire;
using Mediator;

namespace FinanceSupermarket.Api.Features.Audit;

/// <summary>Hangfire's entry points into the audit trail: chaining the queued entries, and the daily checkpoint.</summary>
public sealed class AuditJobs(IMediator mediator, SealRequests requests)
{
    /// <summary>
    /// 225 entries × 9 values stay under SQL Server's 2,100 parameters a statement, and a batch holds the head's lock
    /// (and SQLite's write lock) for a few milliseconds only.
    /// </summary>
    public const int BatchSize = 225;

    [AutomaticRetry(Attempts = 3)]
    public async Task SealAsync()
    {
        requests.Taken();
        while (await mediator.Send(new SealAuditTrail(BatchSize)) == BatchSize)
        {
        }
    }

    /// <summary>The day's checkpoint, over every entry committed before it.</summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task CheckpointAsync()
    {
        await SealAsync();
        await mediator.Send(new RecordCheckpoint());
    }
}

/// <summary>
/// Asks for the queued audit entries to be chained once a unit that queued some has committed: one seal job at a time
/// waits on this node's queue, for it chains whatever is queued when it runs. A seal job another node takes (from a node
/// that runs no jobs) is asked for again after a second; the minutely sweep chains anything left behind by a lost job.
/// </summary>
public sealed class SealRequests(JobQueue jobs)
{
    private const long AskAgainAfterMilliseconds = 1_000;

    /// <summary>When (<see cref="Environment.TickCount64"/>) the waiting seal job was asked for; 0 when none waits.</summary>
    private long _askedAt;

    public void Ask()
    {
        var asked = Interlocked.Read(ref _askedAt);
        var now = Environment.TickCount64;
        if (asked != 0 && now - asked < AskAgainAfterMilliseconds) return;
        if (Interlocked.CompareExchange(ref _askedAt, now, asked) == asked) jobs.EnqueueStep<AuditJobs>(job => job.SealAsync());
    }

    /// <summary>A seal job starts: it reads the queue after this, so what commits from now on needs a job of its own.</summary>
    public void Taken() => Interlocked.Exchange(ref _askedAt, 0);

    public sealed class OnAuditEntriesQueued(SealRequests requests) : INotificationHandler<AuditEntriesQueued>
    {
        public ValueTask Handle(AuditEntriesQueued notification, CancellationToken cancellationToken)
        {
            requests.Ask();
            return ValueTask.CompletedTask;
        }
    }
}
