using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Domain;
using Mediator;

namespace FinanceSupermarket.Api.Infrastructure.Operations;

/// <summary>
/// Counts the workflow's steps where they are said once: <see cref="WorkflowSteps"/> raises every step it takes, and the
/// unit of work publishes them after its commit, so a refused or rolled-back step counts nothing and no handler counts.
/// </summary>
public sealed class WorkflowMetrics(PlatformMetrics metrics) : INotificationHandler<RequestStepTaken>, INotificationHandler<DispatchStepTaken>
{
    public ValueTask Handle(RequestStepTaken taken, CancellationToken cancellationToken)
    {
        // Submitted and SubmittedAsDuplicate are both the step "submitted".
        if (taken.Transition.Event == Transitions.Submitted.Event) metrics.RequestSubmitted();
        else if (ReferenceEquals(taken.Transition, Transitions.Dispatched)) metrics.RequestDispatched(taken.At - taken.Step.SubmittedAt);
        return ValueTask.CompletedTask;
    }

    public ValueTask Handle(DispatchStepTaken taken, CancellationToken cancellationToken)
    {
        metrics.DispatchStep(taken.Transition.Event);
        if (ReferenceEquals(taken.Transition, Transitions.Overdue))
            metrics.DispatchOverdue(taken.Step.From == DispatchStatus.Pending ? "answer" : "feedback");
        return ValueTask.CompletedTask;
    }
}
