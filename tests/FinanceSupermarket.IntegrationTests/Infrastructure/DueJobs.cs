using System.Reflection;
using System.Runtime.ExceptionServices;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>
/// Runs a host's due Hangfire work now, in the test's own flow, as a Hangfire server would but without one: the
/// enqueued jobs, and the scheduled jobs whose moment has come on the host's fake clock. A test does an action, runs
/// the due jobs and asserts, so a loaded machine gives the result an idle one does. A job that throws fails the test.
/// </summary>
internal static class DueJobs
{
    private const string Queue = "default";

    // A run this long means a job keeps enqueueing itself: fail instead of spinning.
    private const int MostJobsInOneRun = 10_000;

    /// <summary>Runs the due jobs on every node until none is due on any; nodes sharing one database take each job once.</summary>
    public static async Task RunAsync(IReadOnlyCollection<ApiHost> nodes)
    {
        var total = 0;
        while (true)
        {
            var ran = await Task.WhenAll(nodes.SelectMany(node => StoragesOf(node).Select(storage => Task.Run(() => DrainAsync(node, storage)))));
            if (ran.All(count => count == 0)) return;
            total += ran.Sum();
            if (total > MostJobsInOneRun) Assert.Fail($"More than {MostJobsInOneRun} jobs in one run: a job keeps enqueueing itself.");
        }
    }

    /// <summary>
    /// The nodes that share one job queue (one PostgreSQL database; each in-memory store is its own) share one gate: a
    /// node counts the jobs waiting (fetched ones are not counted) and takes one under it, so a fetch always finds a job
    /// at once and needs no time bound. (A bound cancelled under load could fire after the storage had marked the row
    /// fetched: the job was then invisible for Hangfire's 30-minute invisibility timeout, and the run spun until then.)
    /// </summary>
    private static readonly Dictionary<object, SemaphoreSlim> Gates = [];

    private static SemaphoreSlim GateOf(ApiHost node, JobStorage storage)
    {
        object key = storage is Hangfire.InMemory.InMemoryStorage ? storage : node.Service<Db>().ConnectionString;
        lock (Gates) return Gates.TryGetValue(key, out var gate) ? gate : Gates[key] = new SemaphoreSlim(1, 1);
    }

    /// <summary>The node's shared job storage and its own queue of workflow steps (one and the same on SQLite).</summary>
    internal static JobStorage[] StoragesOf(ApiHost node) => [.. new[] { node.Service<JobStorage>(), node.Service<WorkflowStepStorage>().Storage }.Distinct()];

    private static async Task<int> DrainAsync(ApiHost node, JobStorage storage)
    {
        var jobs = storage == node.Service<JobStorage>() ? node.Service<IBackgroundJobClient>() : new BackgroundJobClient(storage);
        var monitoring = storage.GetMonitoringApi();
        var gate = GateOf(node, storage);
        var ran = 0;
        while (true)
        {
            using var connection = storage.GetConnection();
            IFetchedJob fetched;
            await gate.WaitAsync();
            try
            {
                EnqueueDueScheduledJobs(monitoring, jobs, node.Clock.GetUtcNow().UtcDateTime);
                if (monitoring.EnqueuedCount(Queue) == 0) return ran;
                fetched = connection.FetchNextJob([Queue], CancellationToken.None);
            }
            finally
            {
                gate.Release();
            }
            using (fetched) await PerformAsync(node, connection, fetched, jobs);
            ran++;
        }
    }

    private static void EnqueueDueScheduledJobs(IMonitoringApi monitoring, IBackgroundJobClient jobs, DateTime now)
    {
        var scheduled = monitoring.ScheduledCount();
        if (scheduled == 0) return;
        foreach (var (id, job) in monitoring.ScheduledJobs(0, (int)scheduled))
            if (job.InScheduledState && job.EnqueueAt <= now)
                jobs.ChangeState(id, new EnqueuedState(Queue), ScheduledState.StateName);
    }

    /// <summary>Performs the job in a DI scope of its own, as a Hangfire worker does, and records how it ended.</summary>
    private static async Task PerformAsync(ApiHost node, IStorageConnection connection, IFetchedJob fetched, IBackgroundJobClient jobs)
    {
        var data = connection.GetJobData(fetched.JobId) ?? throw new InvalidOperationException($"Job {fetched.JobId} has no data.");
        if (data.LoadException is { } unreadable) throw unreadable;
        var job = data.Job;
        try
        {
            await using var scope = node.Services.CreateAsyncScope();
            var target = job.Method.IsStatic ? null : ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, job.Type);
            if (job.Method.Invoke(target, [.. job.Args]) is Task running) await running;
        }
        catch (Exception exception)
        {
            var cause = exception is TargetInvocationException { InnerException: { } inner } ? inner : exception;
            jobs.ChangeState(fetched.JobId, new FailedState(cause), EnqueuedState.StateName);
            fetched.RemoveFromQueue();
            ExceptionDispatchInfo.Throw(new InvalidOperationException($"Job {job.Type.Name}.{job.Method.Name} ({fetched.JobId}) failed: {cause.Message}", cause));
        }
        jobs.ChangeState(fetched.JobId, new SucceededState(null, 0, 0), EnqueuedState.StateName);
        fetched.RemoveFromQueue();
    }
}
