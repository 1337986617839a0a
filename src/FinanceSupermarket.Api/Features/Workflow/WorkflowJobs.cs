using FinanceSupermarket.Api.Infrastructure.Jobs;
using Hangfire;
using Mediator;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>Hangfire's entry points into the workflow: each job sends one workflow message through Mediator.</summary>
public sealed class WorkflowJobs(IMediator mediator)
{
    [AutomaticRetry(Attempts = 3)]
    public async Task PublishAsync(string requestId) => await mediator.Send(new PublishRequest(requestId));

    [AutomaticRetry(Attempts = 3)]
    public async Task DispatchAsync(string requestId) => await mediator.Send(new DispatchRequest(requestId));

    [AutomaticRetry(Attempts = 0)]
    public async Task SuperviseAsync() => await mediator.Send(new SuperviseDeadlines());

    /// <summary>
    /// The one way a next step starts: publishing after submission, dispatching after publishing, and re-dispatching
    /// after a decline, a rejection or an escalation are all this job, enqueued once the transition has committed.
    /// </summary>
    public sealed class OnStepDue(JobQueue jobs) : INotificationHandler<WorkflowStepDue>
    {
        public ValueTask Handle(WorkflowStepDue due, CancellationToken cancellationToken)
        {
            switch (due.Step)
            {
                case NextStep.Publish:
                    jobs.Enqueue<WorkflowJobs>(job => job.PublishAsync(due.RequestId));
                    break;
                case NextStep.Dispatch:
                    jobs.Enqueue<WorkflowJobs>(job => job.DispatchAsync(due.RequestId));
                    break;
            }
            return ValueTask.CompletedTask;
        }
    }
}
