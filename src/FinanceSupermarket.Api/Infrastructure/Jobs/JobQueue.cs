using System.Linq.Expressions;
using Hangfire;

namespace FinanceSupermarket.Api.Infrastructure.Jobs;

/// <summary>
/// Hands work to the background jobs. Called after the state change the job follows has committed; if a job is lost,
/// the supervisor finds its step due in the database and runs it again. Delays are counted on the platform's clock,
/// so that tests driving a fake clock run scheduled jobs when that clock says they are due.
/// </summary>
public sealed class JobQueue(IBackgroundJobClient jobs, WorkflowStepStorage steps, TimeProvider clock)
{
    private readonly BackgroundJobClient _steps = new(steps.Storage);

    public void Enqueue<TJob>(Expression<Func<TJob, Task>> job) => jobs.Enqueue(job);

    /// <summary>A workflow step, on this node's own queue: lost with the node, and then re-driven by the supervisor.</summary>
    public void EnqueueStep<TJob>(Expression<Func<TJob, Task>> job) => _steps.Enqueue(job);

    public void Schedule<TJob>(Expression<Func<TJob, Task>> job, TimeSpan after)
    {
        if (after > TimeSpan.Zero) jobs.Schedule(job, clock.GetUtcNow() + after);
        else jobs.Enqueue(job);
    }
}
