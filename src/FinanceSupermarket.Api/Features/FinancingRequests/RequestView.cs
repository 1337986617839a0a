using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>A step of the request's life; Actor names who took it (none for the platform's own steps).</summary>
public sealed record TimelineEntry(DateTimeOffset At, string Event, string? Detail, TimelineActor? Actor);

/// <summary>The person (or API client) who took a step and their organisation, as they were named then.</summary>
public sealed record TimelineActor(string Name, string Organisation);

/// <summary>
/// A dispatch of the request, with the institution's and product's names, its answer and its result; DeadlineProvisional:
/// its running deadline was counted over a year without a calendar file.
/// </summary>
public sealed record DispatchSummary(
    string Id, string InstitutionId, string ProductId, DispatchStatus Status, DateTimeOffset AnswerDueAt, DateTimeOffset? FeedbackDueAt,
    bool DeadlineProvisional, string? Outcome)
{
    public string InstitutionName { get; init; } = "";
    public string ProductName { get; init; } = "";
    public DateTimeOffset? AnsweredAt { get; init; }
    /// <summary>Why the institution declined or did not approve: a code of its list (DeclineReason, RejectionReason).</summary>
    public string? ReasonCode { get; init; }
    public string? DeclineReason { get; init; }
    public decimal? ApprovedAmount { get; init; }
    public decimal? ApprovedRate { get; init; }
    public int? ApprovedTermMonths { get; init; }
    public string? RejectReason { get; init; }
}

public sealed record RequestView(
    string Id, string EnterpriseId, decimal Amount, int TermMonths, FinancingPurpose Purpose, IReadOnlyList<GuaranteeMode> GuaranteeModes,
    decimal? MaxRate, DateOnly? NeededBy, string? Description, RequestStatus Status, string? StatusReason, DateTimeOffset SubmittedAt,
    int? Rating, string? RatingComment, IReadOnlyList<TimelineEntry> Timeline, IReadOnlyList<DispatchSummary> Dispatches,
    string? DuplicateOf, string? ResultStatus, string? DisputeReason);

/// <summary>A financing_requests row as Dapper reads it.</summary>
public sealed class RequestRow
{
    public const string SelectSql = """
        SELECT id, enterprise_id AS EnterpriseId, region_code AS RegionCode, amount, term_months AS TermMonths, purpose,
               guarantee_modes AS GuaranteeModes, max_rate AS MaxRate, needed_by AS NeededBy, description, status,
               status_reason AS StatusReason, submitted_at AS SubmittedAt, rating, rating_comment AS RatingComment,
               duplicate_of AS DuplicateOf, result_status AS ResultStatus, dispute_reason AS DisputeReason
        FROM financing_requests
        """;

    public string Id { get; set; } = "";
    public string EnterpriseId { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public decimal Amount { get; set; }
    public int TermMonths { get; set; }
    public string Purpose { get; set; } = "";
    public string GuaranteeModes { get; set; } = "";
    public decimal? MaxRate { get; set; }
    public DateOnly? NeededBy { get; set; }
    public string? Description { get; set; }
    public string Status { get; set; } = "";
    public string? StatusReason { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public int? Rating { get; set; }
    public string? RatingComment { get; set; }

    /// <summary>Held as like this open request of the enterprise, until it says this is a new need.</summary>
    public string? DuplicateOf { get; set; }

    /// <summary>The enterprise's word on the posted result: posted, confirmed or disputed.</summary>
    public string? ResultStatus { get; set; }
    public string? DisputeReason { get; set; }

    public RequestStatus RequestStatus => EnumText.Parse<RequestStatus>(Status);

    public RequestView ToView(IReadOnlyList<TimelineEntry> timeline, IReadOnlyList<DispatchSummary> dispatches) => new(
        Id, EnterpriseId, Amount, TermMonths, EnumText.Parse<FinancingPurpose>(Purpose), EnumText.Split<GuaranteeMode>(GuaranteeModes),
        MaxRate, NeededBy, Description, RequestStatus, StatusReason, SubmittedAt, Rating, RatingComment, timeline, dispatches,
        DuplicateOf, ResultStatus, DisputeReason);
}
