using System.Data.Common;
using Dapper;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// Keeps each request's own figures (the columns of database/*/0003_statistics.sql) exact: every workflow step that
/// changes a figure calls one of these inside its own transaction.
/// </summary>
public static class RequestFigures
{
    private const string AnsweredSql = """
        UPDATE financing_requests SET
            accepted_at = CASE WHEN @Accepted = 1 AND accepted_at IS NULL THEN @Now ELSE accepted_at END,
            hours_to_first_answer = COALESCE(hours_to_first_answer, @Hours),
            answers_due = answers_due + 1,
            answers_on_time = answers_on_time + @OnTime
        WHERE id = @RequestId
        """;
    private const string UnansweredSql = "UPDATE financing_requests SET answers_due = answers_due + 1 WHERE id = @RequestId";
    private const string ApprovedSql = """
        UPDATE financing_requests SET approved_amount = @Amount, approved_credit = @Credit, approved_institution_id = @InstitutionId,
            approved_product_kind = @ProductKind, hours_to_result = @Hours
        WHERE id = @RequestId
        """;
    private const string ExpiredSql = "UPDATE financing_requests SET hours_to_result = @Hours WHERE id = @RequestId";

    /// <summary>An institution accepted or declined: the first answer's delay, and whether it came in time (限时答复).</summary>
    public static Task AnsweredAsync(DbConnection connection, DbTransaction transaction, string requestId, DateTimeOffset submittedAt,
        DateTimeOffset now, bool accepted, bool onTime) =>
        connection.ExecuteAsync(AnsweredSql, new
        {
            RequestId = requestId, Accepted = accepted ? 1 : 0, Now = now, Hours = Hours(submittedAt, now), OnTime = onTime ? 1 : 0,
        }, transaction);

    /// <summary>An institution let its answer deadline pass: an answer owed and not given in time.</summary>
    public static Task UnansweredAsync(DbConnection connection, DbTransaction transaction, string requestId) =>
        connection.ExecuteAsync(UnansweredSql, new { RequestId = requestId }, transaction);

    /// <summary>
    /// The approval that resolved the request: its amount is the matchmaking amount (撮合融资金额). It counts as a credit
    /// loan (信用贷) when the product is a credit loan or takes no security at all.
    /// </summary>
    public static Task ApprovedAsync(DbConnection connection, DbTransaction transaction, string requestId, DateTimeOffset submittedAt,
        DateTimeOffset now, decimal amount, string institutionId, string productKind, string productGuaranteeModes) =>
        connection.ExecuteAsync(ApprovedSql, new
        {
            RequestId = requestId, Amount = amount, InstitutionId = institutionId, ProductKind = productKind,
            Credit = productKind == EnumText.ToText(Domain.ProductKind.CreditLoan) || productGuaranteeModes == EnumText.ToText(GuaranteeMode.Credit),
            Hours = Hours(submittedAt, now),
        }, transaction);

    public static Task ExpiredAsync(DbConnection connection, DbTransaction transaction, string requestId, DateTimeOffset submittedAt, DateTimeOffset now) =>
        connection.ExecuteAsync(ExpiredSql, new { RequestId = requestId, Hours = Hours(submittedAt, now) }, transaction);

    private static decimal Hours(DateTimeOffset from, DateTimeOffset to) => Math.Round((decimal)(to - from).TotalHours, 3);
}
