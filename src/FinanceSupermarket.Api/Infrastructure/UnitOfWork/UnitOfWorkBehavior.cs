using Mediator;

namespace FinanceSupermarket.Api.Infrastructure.UnitOfWork;

/// <summary>
/// Runs every command in one transaction (in the spirit of eShop's TransactionBehavior): the handler says what changed,
/// this behaviour commits it and then publishes what the handler raised — notifications to deliver, jobs to enqueue,
/// the matching index to refresh. A command sent while another's unit is open joins it. A follow-up that fails after
/// the commit is logged, not thrown: the change stands, and the supervisor re-drives any step the database says is due.
/// Messages that must not run in one transaction (a sweep over many items, a webhook post) are requests, not commands.
/// </summary>
public sealed class UnitOfWorkBehavior<TMessage, TResponse>(UnitOfWork unit, IPublisher publisher, ILogger<UnitOfWork> logger)
    : IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, ICommand<TResponse>
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (unit.IsRunning) return await next(message, cancellationToken);

        TResponse response;
        IReadOnlyList<INotification> raised;
        unit.IsRunning = true;
        try
        {
            response = await next(message, cancellationToken);
            await unit.CommitAsync(cancellationToken);
            raised = [.. unit.Raised];
        }
        finally
        {
            unit.IsRunning = false;
            unit.Forget();
            await unit.CloseAsync();
        }

        foreach (var @event in raised)
        {
            try
            {
                await publisher.Publish(@event, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "After {Command} committed, {Event} failed; the supervisor re-drives what is due", typeof(TMessage).Name, @event);
            }
        }
        return response;
    }
}
