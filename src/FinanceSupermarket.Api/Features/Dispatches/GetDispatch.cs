using Dapper;
using FinanceSupermarket.Api.Features.Calendar;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Calendar;
using FinanceSupermarket.Domain.Reference;
using Mediator;

namespace FinanceSupermarket.Api.Features.Dispatches;

public sealed record DispatchedRequest(
    decimal Amount, int TermMonths, FinancingPurpose Purpose, IReadOnlyList<GuaranteeMode> GuaranteeModes, decimal? MaxRate, DateOnly? NeededBy,
    string? Description, RequestStatus Status, string EnterpriseName, string CreditCode, string RegionCode, string? RegionName, string IndustryCode,
    string? IndustryName, EnterpriseSize Size);

/// <summary>
/// An inbox item (DESIGN.md): the dispatch with the request and the enterprise the institution is asked to serve.
/// DeadlineProvisional: the running deadline was counted over a year without a calendar file (weekends only).
/// ReasonCode and Reason: why the institution declined or did not approve (a code of its list, and its words).
/// </summary>
public sealed record DispatchView(
    string Id, string RequestId, string ProductId, string ProductName, DispatchStatus Status, DateTimeOffset DispatchedAt, DateTimeOffset AnswerDueAt,
    DateTimeOffset? FeedbackDueAt, bool DeadlineProvisional, string? Outcome, decimal? ApprovedAmount, decimal? ApprovedRate, int? ApprovedTermMonths,
    string? ReasonCode, string? Reason, DispatchedRequest Request);

public sealed class DispatchViewRow
{
    public const string SelectSql = """
        SELECT d.id, d.request_id AS RequestId, d.product_id AS ProductId, p.name AS ProductName, d.status, d.dispatched_at AS DispatchedAt,
               d.answered_at AS AnsweredAt, d.answer_due_at AS AnswerDueAt, d.feedback_due_at AS FeedbackDueAt, d.outcome, d.approved_amount AS ApprovedAmount, d.approved_rate AS ApprovedRate,
               d.approved_term_months AS ApprovedTermMonths, d.decline_reason AS DeclineReason, d.reject_reason AS RejectReason,
               d.decline_reason_code AS DeclineReasonCode, d.reject_reason_code AS RejectReasonCode,
               r.amount, r.term_months AS TermMonths, r.purpose, r.guarantee_modes AS GuaranteeModes, r.max_rate AS MaxRate, r.needed_by AS NeededBy,
               r.description, r.status AS RequestStatus, e.name AS EnterpriseName, e.credit_code AS CreditCode, e.region_code AS RegionCode,
               e.industry_code AS IndustryCode, e.size
        FROM dispatches d
        JOIN financing_requests r ON r.id = d.request_id
        JOIN enterprises e ON e.id = r.enterprise_id
        JOIN products p ON p.id = d.product_id
        """;

    public string Id { get; set; } = "";
    public string RequestId { get; set; } = "";
    public string ProductId { get; set; } = "";
    public string ProductName { get; set; } = "";
    public string Status { get; set; } = "";
    public DateTimeOffset DispatchedAt { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public DateTimeOffset AnswerDueAt { get; set; }
    public DateTimeOffset? FeedbackDueAt { get; set; }
    public string? Outcome { get; set; }
    public decimal? ApprovedAmount { get; set; }
    public decimal? ApprovedRate { get; set; }
    public int? ApprovedTermMonths { get; set; }
    public string? DeclineReason { get; set; }
    public string? RejectReason { get; set; }
    public string? DeclineReasonCode { get; set; }
    public string? RejectReasonCode { get; set; }
    public decimal Amount { get; set; }
    public int TermMonths { get; set; }
    public string Purpose { get; set; } = "";
    public string GuaranteeModes { get; set; } = "";
    public decimal? MaxRate { get; set; }
    public DateOnly? NeededBy { get; set; }
    public string? Description { get; set; }
    public string RequestStatus { get; set; } = "";
    public string EnterpriseName { get; set; } = "";
    public string CreditCode { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public string IndustryCode { get; set; } = "";
    public string Size { get; set; } = "";

    public DispatchView ToView(WorkingDayCalendar calendar, ReferenceData codes) => new(Id, RequestId, ProductId, ProductName, EnumText.Parse<DispatchStatus>(Status),
        DispatchedAt, AnswerDueAt,
        FeedbackDueAt, calendar.IsProvisional(EnumText.Parse<DispatchStatus>(Status), DispatchedAt, AnswerDueAt, AnsweredAt, FeedbackDueAt), Outcome,
        ApprovedAmount, ApprovedRate, ApprovedTermMonths, DeclineReasonCode ?? RejectReasonCode, DeclineReason ?? RejectReason,
        new DispatchedRequest(Amount, TermMonths, EnumText.Parse<FinancingPurpose>(Purpose), EnumText.Split<GuaranteeMode>(GuaranteeModes), MaxRate, NeededBy,
            Description, EnumText.Parse<RequestStatus>(RequestStatus), EnterpriseName, CreditCode, RegionCode, codes.RegionName(RegionCode), IndustryCode,
            codes.IndustryName(IndustryCode), EnumText.Parse<EnterpriseSize>(Size)));
}

public sealed record GetDispatch(string Id) : IQuery<DispatchView>
{
    public sealed class Handler(Db db, CurrentUser user, WorkingDayCalendar calendar, ReferenceData codes) : IQueryHandler<GetDispatch, DispatchView>
    {
        private const string ByIdSql = DispatchViewRow.SelectSql + " WHERE d.id = @Id AND d.institution_id = @InstitutionId";

        public async ValueTask<DispatchView> Handle(GetDispatch query, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            await using var connection = await db.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<DispatchViewRow>(ByIdSql, new { query.Id, InstitutionId = institutionId });
            return row?.ToView(calendar, codes) ?? throw new NotFoundException("The dispatch");
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetDispatch(id), ct)))
            .WithDescription("One dispatch of the caller's institution with the request it is about, its deadline (working days, Asia/Shanghai) and its answer.")
            .WithSummary("One dispatch of the caller's institution");
}
