using System.Globalization;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>The approval that resolved a request, as the figures count it.</summary>
public sealed record Approval(decimal Amount, decimal Rate, string InstitutionId, string ProductKind, string ProductGuaranteeModes);

/// <summary>
/// The only writer of each request's own figures (the columns of database/*/0003_statistics.sql, listed in
/// <see cref="Columns"/>). The workflow's transition table (Features/Workflow/Transitions.cs) names which of these each
/// step calls, inside the step's own transaction, so the regulator's sums stay exact on every write.
/// </summary>
public static class RequestFigures
{
    /// <summary>The statistics columns of financing_requests, written here and nowhere else in the API.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "submitted_day", "submitted_month", "first_loan", "accepted_at", "hours_to_first_answer", "hours_to_result",
        "answers_due", "answers_on_time", "approved_amount", "approved_credit", "approved_institution_id", "approved_product_kind",
        "approved_rate", "disputed_amount",
    ];

    private const string SubmittedSql = """
        UPDATE financing_requests SET submitted_day = @Day, submitted_month = @Month, first_loan = @FirstLoan WHERE id = @RequestId
        """;
    private const string AnsweredSql = """
        UPDATE financing_requests SET
            accepted_at = CASE WHEN @Accepted = 1 AND accepted_at IS NULL THEN @Now ELSE accepted_at END,
            hours_to_first_answer = COALESCE(hours_to_first_answer, @Hours),
            answers_due = answers_due + 1,
            answers_on_time = answers_on_time + @OnTime
        WHERE id = @RequestId
        """;
    private const string UnansweredSql = "UPDATE financing_requests SET answers_due = answers_due + 1 WHERE id = @RequestId";
    // 首贷: counted as a first loan only when the enterprise had no loan when it was approved, so a first-loan firm's
    // second approval is not a first loan again; from then on the enterprise has loan history, which its profile shows: a
    // profile form opened before is then stale (its row version moves on).
    private const string ApprovedSql = """
        UPDATE financing_requests SET approved_amount = @Amount, approved_rate = @Rate, approved_credit = @Credit,
            approved_institution_id = @InstitutionId, approved_product_kind = @ProductKind, hours_to_result = @Hours,
            first_loan = CASE WHEN EXISTS (SELECT 1 FROM enterprises e WHERE e.id = financing_requests.enterprise_id AND e.has_loan_history = @False)
                              THEN @True ELSE @False END
        WHERE id = @RequestId
        """;
    private const string LoanHistorySql = """
        UPDATE enterprises SET has_loan_history = @True, row_version = row_version + 1
        WHERE id = (SELECT enterprise_id FROM financing_requests WHERE id = @RequestId) AND has_loan_history = @False
        """;
    private const string CorrectedSql = """
        UPDATE financing_requests SET approved_amount = @Amount, approved_rate = @Rate, disputed_amount = NULL WHERE id = @RequestId
        """;
    // A disputed approval leaves the matchmaking amount (and the approved count, rate and first-loan count) until settled.
    private const string DisputedSql = """
        UPDATE financing_requests SET disputed_amount = approved_amount, approved_amount = NULL WHERE id = @RequestId AND approved_amount IS NOT NULL
        """;
    private const string SettledSql = """
        UPDATE financing_requests SET approved_amount = disputed_amount, disputed_amount = NULL WHERE id = @RequestId AND disputed_amount IS NOT NULL
        """;
    private const string ExpiredSql = "UPDATE financing_requests SET hours_to_result = @Hours WHERE id = @RequestId";

    /// <summary>The cohort a request counts in: its Asia/Shanghai day and month of submission, and whether it asked as a first-loan firm (首贷户).</summary>
    public static Task SubmittedAsync(UnitOfWork unit, string requestId, DateOnly day, bool firstLoan)
    {
        unit.WriteLater(SubmittedSql, day, day.ToString("yyyy-MM", CultureInfo.InvariantCulture), firstLoan, requestId);
        return Task.CompletedTask;
    }

    /// <summary>An institution accepted or declined: the first answer's delay, and whether it came in time (限时答复).</summary>
    public static Task AnsweredAsync(UnitOfWork unit, string requestId, DateTimeOffset submittedAt, DateTimeOffset now, bool accepted, bool onTime) =>
        unit.ExecuteAsync(AnsweredSql, new
        {
            RequestId = requestId, Accepted = accepted ? 1 : 0, Now = now, Hours = Hours(submittedAt, now), OnTime = onTime ? 1 : 0,
        });

    /// <summary>An institution let its answer deadline pass: an answer owed and not given in time.</summary>
    public static Task UnansweredAsync(UnitOfWork unit, string requestId) => unit.ExecuteAsync(UnansweredSql, new { RequestId = requestId });

    /// <summary>
    /// The approval that resolved the request: its amount is the matchmaking amount (撮合融资金额). It counts as a credit
    /// loan (信用贷) when the product is a credit loan or takes no security at all.
    /// </summary>
    public static async Task ApprovedAsync(UnitOfWork unit, string requestId, DateTimeOffset submittedAt, DateTimeOffset now, Approval approval)
    {
        await unit.ExecuteAsync(ApprovedSql, new
        {
            RequestId = requestId, approval.Amount, approval.Rate, approval.InstitutionId, approval.ProductKind,
            Credit = approval.ProductKind == EnumText.ToText(ProductKind.CreditLoan) || approval.ProductGuaranteeModes == EnumText.ToText(GuaranteeMode.Credit),
            Hours = Hours(submittedAt, now), True = true, False = false,
        });
        await unit.ExecuteAsync(LoanHistorySql, new { RequestId = requestId, True = true, False = false });
    }

    /// <summary>The institution corrected its approval: the figures follow the corrected terms exactly (a dispute ends with it).</summary>
    public static Task CorrectedAsync(UnitOfWork unit, string requestId, decimal amount, decimal rate) =>
        unit.ExecuteAsync(CorrectedSql, new { RequestId = requestId, Amount = amount, Rate = rate });

    /// <summary>The enterprise disputes the posted result: it is counted apart until settled.</summary>
    public static Task DisputedAsync(UnitOfWork unit, string requestId) => unit.ExecuteAsync(DisputedSql, new { RequestId = requestId });

    /// <summary>The enterprise confirms the result after all: a disputed amount counts again.</summary>
    public static Task SettledAsync(UnitOfWork unit, string requestId) => unit.ExecuteAsync(SettledSql, new { RequestId = requestId });

    public static Task ExpiredAsync(UnitOfWork unit, string requestId, DateTimeOffset submittedAt, DateTimeOffset now) =>
        unit.ExecuteAsync(ExpiredSql, new { RequestId = requestId, Hours = Hours(submittedAt, now) });

    private static decimal Hours(DateTimeOffset from, DateTimeOffset to) => Math.Round((decimal)(to - from).TotalHours, 3);
}
