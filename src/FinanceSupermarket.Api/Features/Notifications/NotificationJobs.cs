using FinanceSupermarket.Api.Infrastructure.Jobs;
using Hangfire;
using Mediator;

namespace FinanceSupermarket.Api.Features.Notifications;

/// <summary>Hangfire's entry point for webhook posts. Retries are the delivery's own schedule (kept in its row), not Hangfire's.</summary>
public sealed class NotificationJobs(IMediator mediator)
{
    [AutomaticRetry(Attempts = 0)]
    public async Task DeliverWebhookAsync(string deliveryId) => await mediator.Send(new DeliverWebhook(deliveryId));

    /// <summary>Posts a stored delivery once the transaction that wrote it has committed.</summary>
    public sealed class OnWebhookWritten(JobQueue jobs) : INotificationHandler<WebhookWritten>
    {
        public ValueTask Handle(WebhookWritten notification, CancellationToken cancellationToken)
        {
            jobs.Enqueue<NotificationJobs>(job => job.DeliverWebhookAsync(notification.DeliveryId));
            return ValueTask.CompletedTask;
        }
    }
}
