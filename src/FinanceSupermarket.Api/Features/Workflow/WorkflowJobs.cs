using Hangfire;
using Mediator;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>Hangfire's entry points into the workflow: each job sends one workflow command through Mediator.</summary>
public sealed class WorkflowJobs(IMediator mediator)
{
    [AutomaticRetry(Attempts = 3)]
    public async Task PublishAsync(string requestId) => await mediator.Send(new PublishRequest(requestId));

    [AutomaticRetry(Attempts = 3)]
    public async Task DispatchAsync(string requestId) => await mediator.Send(new DispatchRequest(requestId));

    [AutomaticRetry(Attempts = 0)]
    public async Task SuperviseAsync() => await mediator.Send(new SuperviseDeadlines());

    /// <summary>Retries are the delivery's own schedule (recorded in its row), not Hangfire's default retry.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task DeliverWebhookAsync(string deliveryId) => await mediator.Send(new Notifications.DeliverWebhook(deliveryId));
}

/// <summary>
/// A retry is due at a moment of the platform's clock, the same clock that stamps the delivery's next attempt: a
/// relative delay would run on Hangfire's own clock and could fire before the row says the attempt is due.
/// </summary>
public sealed class HangfireWorkflowScheduler(IBackgroundJobClient jobs, TimeProvider clock) : IWorkflowScheduler
{
    public void Publish(string requestId) => jobs.Enqueue<WorkflowJobs>(job => job.PublishAsync(requestId));

    public void Dispatch(string requestId) => jobs.Enqueue<WorkflowJobs>(job => job.DispatchAsync(requestId));

    public void DeliverWebhook(string deliveryId, TimeSpan? after = null)
    {
        if (after is { } delay && delay > TimeSpan.Zero) jobs.Schedule<WorkflowJobs>(job => job.DeliverWebhookAsync(deliveryId), clock.GetUtcNow() + delay);
        else jobs.Enqueue<WorkflowJobs>(job => job.DeliverWebhookAsync(deliveryId));
    }
}
