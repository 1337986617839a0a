using System.Globalization;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using FluentValidation;
using FluentValidation.Results;

namespace FinanceSupermarket.Api.Features.Dispatches;

/// <summary>A dispatch as the institution it was sent to answers it; anyone else's dispatch is not found.</summary>
public sealed class OwnDispatch
{
    private const string OwnSql = """
        SELECT d.id, d.request_id AS RequestId, d.institution_id AS InstitutionId, d.product_id AS ProductId, d.status,
               d.answer_due_at AS AnswerDueAt, d.feedback_due_at AS FeedbackDueAt, p.approval_days AS ApprovalDays,
               r.enterprise_id AS EnterpriseId, r.region_code AS RegionCode, r.status AS RequestStatus, r.submitted_at AS SubmittedAt,
               p.kind AS ProductKind, p.guarantee_modes AS ProductGuaranteeModes, i.name AS InstitutionName,
               r.amount AS RequestedAmount, p.min_amount AS MinAmount, p.max_amount AS MaxAmount, p.min_rate AS MinRate, p.max_rate AS MaxRate,
               p.min_term_months AS MinTermMonths, p.max_term_months AS MaxTermMonths, d.outcome, d.approved_amount AS ApprovedAmount,
               d.approved_rate AS ApprovedRate, d.approved_term_months AS ApprovedTermMonths
        FROM dispatches d
        JOIN products p ON p.id = d.product_id
        JOIN financing_requests r ON r.id = d.request_id
        JOIN institutions i ON i.id = d.institution_id
        WHERE d.id = @Id AND d.institution_id = @InstitutionId
        """;

    public string Id { get; set; } = "";
    public string RequestId { get; set; } = "";
    public string InstitutionId { get; set; } = "";
    public string ProductId { get; set; } = "";
    public string Status { get; set; } = "";
    public DateTimeOffset AnswerDueAt { get; set; }
    public DateTimeOffset? FeedbackDueAt { get; set; }
    public int ApprovalDays { get; set; }
    public string EnterpriseId { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public string RequestStatus { get; set; } = "";
    public DateTimeOffset SubmittedAt { get; set; }
    public string ProductKind { get; set; } = "";
    public string ProductGuaranteeModes { get; set; } = "";
    public string InstitutionName { get; set; } = "";

    // What a result must lie within: the request's amount and the matched product's ranges.
    public decimal RequestedAmount { get; set; }
    public decimal MinAmount { get; set; }
    public decimal MaxAmount { get; set; }
    public decimal MinRate { get; set; }
    public decimal MaxRate { get; set; }
    public int MinTermMonths { get; set; }
    public int MaxTermMonths { get; set; }

    // The result posted, if any.
    public string? Outcome { get; set; }
    public decimal? ApprovedAmount { get; set; }
    public decimal? ApprovedRate { get; set; }
    public int? ApprovedTermMonths { get; set; }

    public ApprovedTerms? PostedTerms => ApprovedAmount is { } amount && ApprovedRate is { } rate && ApprovedTermMonths is { } term
        ? new ApprovedTerms(amount, rate, term) : null;

    /// <summary>
    /// An approval's terms must be ones the matched product offers, for no more than was asked: one careless or dishonest
    /// answer must not inflate the matchmaking amount (撮合融资金额) regulators report. 400 naming each field out of range.
    /// </summary>
    public void RequireWithinReason(ApprovedTerms terms)
    {
        var failures = new List<ValidationFailure>();
        var most = Math.Min(MaxAmount, RequestedAmount);
        if (terms.Amount < MinAmount || terms.Amount > most)
            failures.Add(new ValidationFailure("Amount", RuleTexts.Say("ApprovedAmountRange", Number(MinAmount), Number(most), Number(MinAmount), Number(MaxAmount), Number(RequestedAmount))));
        if (terms.Rate < MinRate || terms.Rate > MaxRate)
            failures.Add(new ValidationFailure("Rate", RuleTexts.Say("ApprovedRateRange", MinRate.ToString("0.###", CultureInfo.InvariantCulture), MaxRate.ToString("0.###", CultureInfo.InvariantCulture))));
        if (terms.TermMonths < MinTermMonths || terms.TermMonths > MaxTermMonths)
            failures.Add(new ValidationFailure("TermMonths", RuleTexts.Say("ApprovedTermRange", MinTermMonths, MaxTermMonths)));
        if (failures.Count > 0) throw new ValidationException(failures);

        static string Number(decimal yuan) => yuan.ToString("0.##", CultureInfo.InvariantCulture);
    }

    public static async Task<OwnDispatch> LoadAsync(UnitOfWork unit, string id, string institutionId) =>
        await unit.QuerySingleOrDefaultAsync<OwnDispatch>(OwnSql, new { Id = id, InstitutionId = institutionId })
        ?? throw new NotFoundException("The dispatch");

    /// <summary>The facts every answer to this dispatch starts from.</summary>
    public DispatchStep Step(DateTimeOffset now) =>
        new(Id, RequestId, InstitutionId, InstitutionName, EnterpriseId, RegionCode, SubmittedAt) { OnTime = now <= AnswerDueAt };

    /// <summary>
    /// Why a dispatch in this state cannot take the answer (409), in the reader's words; <paramref name="answer"/> is the
    /// RuleTexts key of the answer refused (AnswerAccepting …).
    /// </summary>
    public ConflictException Refuse(string answer)
    {
        var what = RuleTexts.Say(answer);
        return new ConflictException(EnumText.TryParse<DispatchStatus>(Status, out var status) ? status switch
        {
            DispatchStatus.Accepted => RuleTexts.Say("DispatchAccepted", what),
            DispatchStatus.Declined => RuleTexts.Say("DispatchDeclined", what),
            DispatchStatus.Overdue => RuleTexts.Say("DispatchOverdue", what),
            DispatchStatus.Superseded => RuleTexts.Say("DispatchSuperseded", what),
            DispatchStatus.Closed => RuleTexts.Say("DispatchClosed", what),
            DispatchStatus.Pending => RuleTexts.Say("DispatchPending", what),
            _ => RuleTexts.Say("DispatchInState", what, Status),
        } : RuleTexts.Say("DispatchInState", what, Status));
    }
}
