using FinanceSupermarket.Api.Infrastructure.Jobs;
using Hangfire;
using Mediator;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>Hangfire's entry points into the workflow: each job sends one workflow message through Mediator.</summary>
public sealed class WorkflowJobs(IMediator mediator, WorkflowJobs.FollowingSteps following)
{
    /// <summary>
    /// Publishes the request and, once that has committed, dispatches it in the same job (第一时间发布, 第一时间分发): a
    /// second job would cost another trip through the queue (on PostgreSQL about twenty statements of the job storage
    /// and a poll) for no gain. If the node dies between the two, the supervisor dispatches the published request.
    /// </summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task PublishAsync(string requestId)
    {
        following.TakenHere = true;
        await mediator.Send(new PublishRequest(requestId));
        if (following.DispatchDue) await mediator.Send(new DispatchRequest(requestId));
    }

    [AutomaticRetry(Attempts = 3)]
    public async Task DispatchAsync(string requestId) => await mediator.Send(new DispatchRequest(requestId));

    [AutomaticRetry(Attempts = 0)]
    public async Task SuperviseAsync() => await mediator.Send(new SuperviseDeadlines());

    /// <summary>A job's own next step: taken by the job that raised it rather than enqueued (scoped: one job).</summary>
    public sealed class FollowingSteps
    {
        public bool TakenHere { get; set; }
        public bool DispatchDue { get; set; }
    }

    /// <summary>
    /// The one way a next step starts: publishing after submission, dispatching after publishing, and re-dispatching
    /// after a decline, a rejection or an escalation are all this job, enqueued on the node's step queue once the transition
    /// has committed; only the dispatch after a publish job's own publish is left to that job.
    /// </summary>
    public sealed class OnStepDue(JobQueue jobs, FollowingSteps following) : INotificationHandler<WorkflowStepDue>
    {
        public ValueTask Handle(WorkflowStepDue due, CancellationToken cancellationToken)
        {
            switch (due.Step)
            {
                case NextStep.Publish:
                    jobs.EnqueueStep<WorkflowJobs>(job => job.PublishAsync(due.RequestId));
                    break;
                case NextStep.Dispatch when following.TakenHere:
                    following.DispatchDue = true;
                    break;
                case NextStep.Dispatch:
                    jobs.EnqueueStep<WorkflowJobs>(job => job.DispatchAsync(due.RequestId));
                    break;
            }
            return ValueTask.CompletedTask;
        }
    }
}
