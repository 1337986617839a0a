namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>
/// Hands the next workflow step to the background jobs. Each call happens after the state change it follows has
/// been committed; if the job is lost, the supervisor finds the step due in the database and runs it again.
/// </summary>
public interface IWorkflowScheduler
{
    void Publish(string requestId);
    void Dispatch(string requestId);
    void DeliverWebhook(string deliveryId, TimeSpan? after = null);
}
