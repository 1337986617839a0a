using System.Linq.Expressions;
using Hangfire;

namespace FinanceSupermarket.Api.Infrastructure.Jobs;

/// <summary>
/// Hands work to the background jobs. Called after the state change the job follows has committed; if a job is lost,
/// the supervisor finds its step due in the database and runs it again. Delays are counted on the platform's clock,
/// so that tests driving a fake clock run scheduled jobs when that clock says they are due.
/// </summary>
public sealed class JobQueue(IBackgroundJobClient jobs, TimeProvider clock)
{
    public void Enqueue<TJob>(Expression<Func<TJob, Task>> job) => jobs.Enqueue(job);

    public void Schedule<TJob>(Expression<Func<TJob, Task>> job, TimeSpan after)
    {
        if (after > TimeSpan.Zero) jobs.Schedule(job, clock.GetUtcNow() + after);
        else jobs.Enqueue(job);
    }
}
