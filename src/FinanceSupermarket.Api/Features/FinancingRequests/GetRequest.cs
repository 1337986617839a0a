using Dapper;
using FinanceSupermarket.Api.Features.Calendar;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Calendar;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>A financing request with its timeline: for its enterprise, the institutions it was dispatched to, a regulator of its region, admins.</summary>
public sealed record GetRequest(string Id) : IQuery<RequestView>
{
    public sealed class Handler(Db db, CurrentUser user, WorkingDayCalendar calendar) : IQueryHandler<GetRequest, RequestView>
    {
        private const string ByIdSql = RequestRow.SelectSql + " WHERE id = @Id";
        private const string TimelineSql = """
            SELECT at, event, detail, institution_id AS InstitutionId, actor_name AS ActorName, actor_organisation AS ActorOrganisation FROM request_events
            WHERE request_id = @Id AND (@InstitutionId IS NULL OR institution_id IS NULL OR institution_id = @InstitutionId)
            ORDER BY id
            """;
        private const string DispatchesSql = """
            SELECT d.id, d.institution_id AS InstitutionId, i.name AS InstitutionName, d.product_id AS ProductId, p.name AS ProductName, d.status,
                   d.dispatched_at AS DispatchedAt, d.answered_at AS AnsweredAt, d.answer_due_at AS AnswerDueAt, d.feedback_due_at AS FeedbackDueAt,
                   d.decline_reason AS DeclineReason, d.decline_reason_code AS DeclineReasonCode, d.reject_reason_code AS RejectReasonCode, d.outcome, d.approved_amount AS ApprovedAmount, d.approved_rate AS ApprovedRate,
                   d.approved_term_months AS ApprovedTermMonths, d.reject_reason AS RejectReason
            FROM dispatches d
            JOIN institutions i ON i.id = d.institution_id
            JOIN products p ON p.id = d.product_id
            WHERE d.request_id = @Id AND (@InstitutionId IS NULL OR d.institution_id = @InstitutionId)
            ORDER BY d.rank
            """;

        public async ValueTask<RequestView> Handle(GetRequest query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<RequestRow>(ByIdSql, new { query.Id });
            // An institution sees only its own dispatch and the steps that are not about other institutions.
            var scope = new { query.Id, InstitutionId = user.Is(Role.Institution) ? user.InstitutionId : null };
            var dispatches = row is null ? [] : (await connection.QueryAsync<DispatchRow>(DispatchesSql, scope))
                .Select(d => (Row: d, Status: EnumText.Parse<DispatchStatus>(d.Status)))
                .Select(d => new DispatchSummary(d.Row.Id, d.Row.InstitutionId, d.Row.ProductId, d.Status, d.Row.AnswerDueAt, d.Row.FeedbackDueAt,
                    calendar.IsProvisional(d.Status, d.Row.DispatchedAt, d.Row.AnswerDueAt, d.Row.AnsweredAt, d.Row.FeedbackDueAt), d.Row.Outcome)
                {
                    InstitutionName = d.Row.InstitutionName, ProductName = d.Row.ProductName, AnsweredAt = d.Row.AnsweredAt,
                    ReasonCode = d.Row.DeclineReasonCode ?? d.Row.RejectReasonCode, DeclineReason = d.Row.DeclineReason, ApprovedAmount = d.Row.ApprovedAmount, ApprovedRate = d.Row.ApprovedRate,
                    ApprovedTermMonths = d.Row.ApprovedTermMonths, RejectReason = d.Row.RejectReason,
                })
                .ToArray();
            if (row is null || !CanSee(row, dispatches.Length > 0)) throw new NotFoundException("The financing request");
            var timeline = (await connection.QueryAsync<TimelineRow>(TimelineSql, scope))
                .Select(entry => new TimelineEntry(entry.At, entry.Event, entry.Detail, ActorSeenBy(entry))).ToArray();
            return row.ToView(timeline, dispatches);
        }

        /// <summary>An institution sees the names of its own people only; the enterprise, regulators and admins see who took each step.</summary>
        private TimelineActor? ActorSeenBy(TimelineRow entry) =>
            entry.ActorName is null || user.Is(Role.Institution) && entry.InstitutionId != user.InstitutionId
                ? null
                : new TimelineActor(entry.ActorName, entry.ActorOrganisation ?? "");

        private bool CanSee(RequestRow row, bool dispatchedToCaller) =>
            user.MayRead(row.EnterpriseId, row.RegionCode) || user.Is(Role.Institution) && dispatchedToCaller;

        private sealed class DispatchRow
        {
            public string Id { get; set; } = "";
            public string InstitutionId { get; set; } = "";
            public string InstitutionName { get; set; } = "";
            public string ProductId { get; set; } = "";
            public string ProductName { get; set; } = "";
            public string Status { get; set; } = "";
            public DateTimeOffset DispatchedAt { get; set; }
            public DateTimeOffset? AnsweredAt { get; set; }
            public DateTimeOffset AnswerDueAt { get; set; }
            public DateTimeOffset? FeedbackDueAt { get; set; }
            public string? DeclineReason { get; set; }
            public string? DeclineReasonCode { get; set; }
            public string? RejectReasonCode { get; set; }
            public string? Outcome { get; set; }
            public decimal? ApprovedAmount { get; set; }
            public decimal? ApprovedRate { get; set; }
            public int? ApprovedTermMonths { get; set; }
            public string? RejectReason { get; set; }
        }

        private sealed class TimelineRow
        {
            public DateTimeOffset At { get; set; }
            public string Event { get; set; } = "";
            public string? Detail { get; set; }
            public string? InstitutionId { get; set; }
            public string? ActorName { get; set; }
            public string? ActorOrganisation { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetRequest(id), ct)))
            .RequireAuthorization()
            .WithName("getFinancingRequest")
            .WithDescription("A request with its timeline (each step, when and by whom) and its dispatches with their deadlines and answers. Its owner, an institution it was dispatched to, or a regulator of its region.")
            .WithSummary("A financing request with its timeline and dispatches");
}
