using FinanceSupermarket.Api.Infrastructure.Jobs;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Hangfire;
using Mediator;

namespace FinanceSupermarket.Api.Features.Audit;

/// <summary>Hangfire's entry points into the audit trail: chaining the queued entries, and the daily checkpoint.</summary>
public sealed class AuditJobs(IMediator mediator, SealRequests requests)
{
    /// <summary>Audit:SealDelayMilliseconds: how long a seal job waits before its first pass (tests set 0).</summary>
    public const string SealDelaySetting = "Audit:SealDelayMilliseconds";

    /// <summary>
    /// 225 entries × 9 values stay under SQL Server's 2,100 parameters a statement, and a batch holds the head's lock
    /// (and SQLite's write lock) for a few milliseconds only.
    /// </summary>
    public const int BatchSize = 225;

    /// <summary>Chains what is queued; entries that commit meanwhile on this node are chained by another pass of this job.</summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task SealAsync()
    {
        requests.Started();
        try
        {
            // Commits a moment apart join one pass: at 100 requests/s a pass per commit was three transactions a request.
            if (requests.Delay > TimeSpan.Zero) await Task.Delay(requests.Delay);
            do
            {
                requests.Passing();
                await SealQueuedAsync();
            }
            while (!requests.TryFinish());
        }
        catch
        {
            requests.Failed();
            throw;
        }
    }

    /// <summary>
    /// The minutely sweep, on whichever node takes it: chains what a lost seal job left. It chains in batches as the seal
    /// job does, but leaves this node's seal requests alone: those follow this node's own commits.
    /// </summary>
    [AutomaticRetry(Attempts = 3)]
    public Task SweepAsync() => SealQueuedAsync();

    /// <summary>The day's checkpoint, over every entry committed before it.</summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task CheckpointAsync()
    {
        await SealQueuedAsync();
        await mediator.Send(new RecordCheckpoint());
    }

    private async Task SealQueuedAsync()
    {
        while (await mediator.Send(new SealAuditTrail(BatchSize)) == BatchSize)
        {
        }
    }
}

/// <summary>
/// Asks for the queued audit entries to be chained once a unit that queued some has committed. One seal job of this
/// node's runs or waits at a time: a commit while none does enqueues one; a commit while one waits needs nothing (it reads
/// the queue when it runs); a commit while one runs makes it pass over the queue again before it ends. So sealers do not
/// queue on the chain head, and under load one pass chains the entries of many commits. A seal job another node takes
/// (from a node that runs no jobs) is asked for again after a second; the minutely sweep chains what a lost job left.
/// </summary>
public sealed class SealRequests(JobQueue jobs, IConfiguration configuration)
{
    /// <summary>How long a seal job waits before its first pass, so that the entries of commits a moment apart share it.</summary>
    public TimeSpan Delay { get; } = TimeSpan.FromMilliseconds(configuration.GetValue(AuditJobs.SealDelaySetting, 50));

    private const long AskAgainAfterMilliseconds = 1_000;

    private readonly Lock _lock = new();
    /// <summary>When (<see cref="Environment.TickCount64"/>) the waiting seal job was asked for; 0 when none waits.</summary>
    private long _waitingSince;
    private bool _running;
    private bool _askedWhileRunning;

    public void Ask()
    {
        lock (_lock)
        {
            if (_running)
            {
                _askedWhileRunning = true;
                return;
            }
            var now = Environment.TickCount64;
            if (_waitingSince != 0 && now - _waitingSince < AskAgainAfterMilliseconds) return;
            _waitingSince = now;
        }
        jobs.EnqueueStep<AuditJobs>(job => job.SealAsync());
    }

    internal void Started()
    {
        lock (_lock)
        {
            (_waitingSince, _running, _askedWhileRunning) = (0, true, false);
        }
    }

    /// <summary>A pass starts: it reads the queue after this, so commits until now need no pass of their own.</summary>
    internal void Passing()
    {
        lock (_lock)
        {
            _askedWhileRunning = false;
        }
    }

    /// <summary>
    /// Ends the job unless a commit asked while it ran: then it must pass over the queue again (false). One step under the
    /// lock, so that no commit can ask between the check and the end and be left for the sweep.
    /// </summary>
    internal bool TryFinish()
    {
        lock (_lock)
        {
            if (_askedWhileRunning)
            {
                _askedWhileRunning = false;
                return false;
            }
            _running = false;
            return true;
        }
    }

    /// <summary>The job failed (Hangfire retries it): commits from now on enqueue a job of their own.</summary>
    internal void Failed()
    {
        lock (_lock)
        {
            _running = false;
        }
    }

    public sealed class OnAuditEntriesQueued(SealRequests requests) : INotificationHandler<AuditEntriesQueued>
    {
        public ValueTask Handle(AuditEntriesQueued notification, CancellationToken cancellationToken)
        {
            requests.Ask();
            return ValueTask.CompletedTask;
        }
    }
}
