using System.Data.Common;
using Dapper;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The regulator's figures for one cohort of requests (DESIGN.md summary shape). Rates are fractions 0–1; null where
/// nothing was there to count (no decided request, no answer owed, no rating).
/// </summary>
public sealed record Figures(
    long RequestedCount, decimal RequestedAmount, long PublishedCount, long DispatchedCount, long AcceptedCount,
    long ApprovedCount, decimal ApprovedAmount, double? ApprovalRate, long FirstLoanApprovedCount, double? CreditLoanShare,
    double? OnTimeAnswerRate, double? MedianHoursToFirstAnswer, double? P90HoursToFirstAnswer, double? MedianHoursToResult,
    double? AverageRating, TargetProgress? Target);

/// <summary>How far the approved figures are towards the region's yearly target (e.g. 150 亿元 / 1,300 笔).</summary>
public sealed record TargetProgress(string RegionCode, int Year, decimal ApprovedAmountTarget, int ApprovedCountTarget, double AmountProgress, double CountProgress);

/// <summary>Sums of one group of requests, as the aggregate query returns them.</summary>
public sealed class FigureSums
{
    /// <summary>The sums every figure is derived from; the empty group key is replaced by the grouping expression.</summary>
    public const string SelectSql = """
        SELECT '' AS GroupKey, COUNT(*) AS RequestedCount, COALESCE(SUM(r.amount), 0) AS RequestedAmount,
               SUM(CASE WHEN r.published_at IS NOT NULL THEN 1 ELSE 0 END) AS PublishedCount,
               SUM(CASE WHEN r.dispatched_at IS NOT NULL THEN 1 ELSE 0 END) AS DispatchedCount,
               SUM(CASE WHEN r.accepted_at IS NOT NULL THEN 1 ELSE 0 END) AS AcceptedCount,
               SUM(CASE WHEN r.approved_amount IS NOT NULL THEN 1 ELSE 0 END) AS ApprovedCount,
               COALESCE(SUM(r.approved_amount), 0) AS ApprovedAmount,
               SUM(CASE WHEN r.status IN ('resolved', 'expired') THEN 1 ELSE 0 END) AS DecidedCount,
               SUM(CASE WHEN r.approved_amount IS NOT NULL AND r.first_loan = @True THEN 1 ELSE 0 END) AS FirstLoanApprovedCount,
               COALESCE(SUM(CASE WHEN r.approved_credit = @True THEN r.approved_amount ELSE 0 END), 0) AS CreditApprovedAmount,
               COALESCE(SUM(r.answers_due), 0) AS AnswersDue, COALESCE(SUM(r.answers_on_time), 0) AS AnswersOnTime,
               SUM(CASE WHEN r.rating IS NOT NULL THEN 1 ELSE 0 END) AS RatedCount, COALESCE(SUM(r.rating), 0) AS RatingSum
        FROM financing_requests r
        """;

    /// <summary>The delays whose median and 90th percentile are reported, per group.</summary>
    public const string DelaysSql = """
        SELECT '' AS GroupKey, r.hours_to_first_answer AS HoursToFirstAnswer, r.hours_to_result AS HoursToResult
        FROM financing_requests r
        """;

    public string GroupKey { get; set; } = "";
    public long RequestedCount { get; set; }
    public decimal RequestedAmount { get; set; }
    public long PublishedCount { get; set; }
    public long DispatchedCount { get; set; }
    public long AcceptedCount { get; set; }
    public long ApprovedCount { get; set; }
    public decimal ApprovedAmount { get; set; }
    public long DecidedCount { get; set; }
    public long FirstLoanApprovedCount { get; set; }
    public decimal CreditApprovedAmount { get; set; }
    public long AnswersDue { get; set; }
    public long AnswersOnTime { get; set; }
    public long RatedCount { get; set; }
    public long RatingSum { get; set; }

    public Figures ToFigures(Delays delays, TargetProgress? target) => new(
        RequestedCount, Math.Round(RequestedAmount, 2), PublishedCount, DispatchedCount, AcceptedCount, ApprovedCount, Math.Round(ApprovedAmount, 2),
        Ratio(ApprovedCount, DecidedCount), FirstLoanApprovedCount, ApprovedAmount == 0 ? null : (double)(CreditApprovedAmount / ApprovedAmount),
        Ratio(AnswersOnTime, AnswersDue), delays.FirstAnswer.Percentile(0.5), delays.FirstAnswer.Percentile(0.9), delays.Result.Percentile(0.5),
        RatedCount == 0 ? null : Math.Round((double)RatingSum / RatedCount, 2), target);

    private static double? Ratio(long part, long whole) => whole == 0 ? null : (double)part / whole;

    /// <summary>Runs the sums and the delays for a grouping key expression over the scope's requests.</summary>
    public static async Task<(IReadOnlyList<FigureSums> Sums, IReadOnlyDictionary<string, Delays> Delays)> LoadAsync(
        DbConnection connection, StatisticsScope scope, string groupKeySql)
    {
        var parameters = new DynamicParameters(scope.Parameters);
        parameters.Add("True", true);
        var grouped = groupKeySql != WholeScope;
        var sums = (await connection.QueryAsync<FigureSums>(Keyed(SelectSql, groupKeySql) + StatisticsScope.WhereSql
                                                            + (grouped ? $" GROUP BY {groupKeySql}" : ""), parameters)).ToArray();
        var delays = new Dictionary<string, Delays>();
        var rows = await connection.QueryAsync<DelayRow>(Keyed(DelaysSql, groupKeySql) + StatisticsScope.WhereSql
                                                         + " AND (r.hours_to_first_answer IS NOT NULL OR r.hours_to_result IS NOT NULL)", parameters);
        foreach (var row in rows)
        {
            if (!delays.TryGetValue(row.GroupKey ?? "", out var group)) delays[row.GroupKey ?? ""] = group = new Delays();
            if (row.HoursToFirstAnswer is { } first) group.FirstAnswer.Add((double)first);
            if (row.HoursToResult is { } result) group.Result.Add((double)result);
        }
        return (sums, delays);
    }

    /// <summary>The grouping expression of the summary: one group holding the whole scope.</summary>
    public const string WholeScope = "''";

    private static string Keyed(string sql, string groupKeySql) => sql.Replace("SELECT '' AS GroupKey", $"SELECT {groupKeySql} AS GroupKey");

    private sealed class DelayRow
    {
        public string? GroupKey { get; set; }
        public decimal? HoursToFirstAnswer { get; set; }
        public decimal? HoursToResult { get; set; }
    }
}

public sealed class Delays
{
    public Samples FirstAnswer { get; } = new();
    public Samples Result { get; } = new();
}

public sealed class Samples : List<double>
{
    /// <summary>The exact percentile with linear interpolation between ranks (as PostgreSQL's percentile_cont).</summary>
    public double? Percentile(double fraction)
    {
        if (Count == 0) return null;
        Sort();
        var rank = fraction * (Count - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return Math.Round(this[lower] + (this[upper] - this[lower]) * (rank - lower), 3);
    }
}
