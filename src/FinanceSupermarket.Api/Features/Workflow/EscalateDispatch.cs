using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using Mediator;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>
/// 督导: a dispatch whose answer or result deadline has passed is marked overdue, listed for the regulator, and the
/// request re-dispatched (<see cref="Transitions.Overdue"/>). False when it was answered, or escalated by another node, meanwhile.
/// </summary>
public sealed record EscalateDispatch(string DispatchId) : Mediator.ICommand<bool>
{
    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, TimeProvider clock) : ICommandHandler<EscalateDispatch, bool>
    {
        private const string DueSql = """
            SELECT d.id, d.request_id AS RequestId, d.institution_id AS InstitutionId, d.status, i.name AS InstitutionName,
                   r.enterprise_id AS EnterpriseId, r.region_code AS RegionCode, r.submitted_at AS SubmittedAt, d.answer_due_at AS AnswerDueAt,
                   d.feedback_due_at AS FeedbackDueAt
            FROM dispatches d
            JOIN financing_requests r ON r.id = d.request_id
            JOIN institutions i ON i.id = d.institution_id
            WHERE d.id = @Id
            """;

        public async ValueTask<bool> Handle(EscalateDispatch command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var dispatch = await unit.QuerySingleOrDefaultAsync<DueDispatch>(DueSql, new { Id = command.DispatchId });
            if (dispatch is null || !EnumText.TryParse<DispatchStatus>(dispatch.Status, out var status)) return false;
            var deadline = status switch
            {
                DispatchStatus.Pending => dispatch.AnswerDueAt,
                DispatchStatus.Accepted => dispatch.FeedbackDueAt,
                _ => null,
            };
            if (deadline is null || deadline > now) return false;
            return await steps.TryMoveAsync(Transitions.Overdue, new DispatchStep(dispatch.Id, dispatch.RequestId, dispatch.InstitutionId,
                dispatch.InstitutionName, dispatch.EnterpriseId, dispatch.RegionCode, dispatch.SubmittedAt) { From = status }, now);
        }

        private sealed class DueDispatch
        {
            public string Id { get; set; } = "";
            public string RequestId { get; set; } = "";
            public string InstitutionId { get; set; } = "";
            public string Status { get; set; } = "";
            public string InstitutionName { get; set; } = "";
            public string EnterpriseId { get; set; } = "";
            public string RegionCode { get; set; } = "";
            public DateTimeOffset SubmittedAt { get; set; }
            public DateTimeOffset AnswerDueAt { get; set; }
            public DateTimeOffset? FeedbackDueAt { get; set; }
        }
    }
}
