using System.Data.Common;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using Microsoft.Extensions.Configuration;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>Sums of one group of requests, as the aggregate query returns them, and the group's delays.</summary>
public class FigureSums
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
               SUM(CASE WHEN r.rating IS NOT NULL THEN 1 ELSE 0 END) AS RatedCount, COALESCE(SUM(r.rating), 0) AS RatingSum,
               COALESCE(SUM(CASE WHEN r.approved_rate IS NOT NULL THEN r.approved_amount * r.approved_rate ELSE 0 END), 0) AS RateWeight,
               COALESCE(SUM(CASE WHEN r.approved_rate IS NOT NULL THEN r.approved_amount ELSE 0 END), 0) AS RatedAmount,
               SUM(CASE WHEN r.disputed_amount IS NOT NULL THEN 1 ELSE 0 END) AS DisputedCount, COALESCE(SUM(r.disputed_amount), 0) AS DisputedAmount
        FROM financing_requests r
        """;

    /// <summary>
    /// Each institution's own answers (贷款申请限时答复制) to the scope's requests, over its dispatches: those answered or whose
    /// deadline passed unanswered, and those answered in time — as the institution's own figures count them (GetInstitutionFigures).
    /// </summary>
    public const string InstitutionAnswersSql = """
        SELECT d.institution_id AS GroupKey,
               SUM(CASE WHEN d.answered_at IS NOT NULL OR d.status = 'overdue' THEN 1 ELSE 0 END) AS AnswersDue,
               SUM(CASE WHEN d.answered_on_time = @True THEN 1 ELSE 0 END) AS AnswersOnTime
        FROM dispatches d
        JOIN financing_requests r ON r.id = d.request_id
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

    public decimal RateWeight { get; set; }
    public decimal RatedAmount { get; set; }
    public long DisputedCount { get; set; }
    public decimal DisputedAmount { get; set; }

    /// <summary>
    /// The group's delays from submission to first answer and to result (not a column: filled beside the sums). Made when
    /// first asked for: the fold reads tens of thousands of deltas at a time, most of which carry no delay.
    /// </summary>
    public Delays Delays => _delays ??= new();

    private Delays? _delays;

    public Figures ToFigures(TargetProgress? target) => new(
        RequestedCount, Money(RequestedAmount), PublishedCount, DispatchedCount, AcceptedCount, ApprovedCount, Money(ApprovedAmount),
        Ratio(ApprovedCount, DecidedCount), FirstLoanApprovedCount, ApprovedAmount == 0 ? null : (double)(CreditApprovedAmount / ApprovedAmount),
        Ratio(AnswersOnTime, AnswersDue), Delays.FirstAnswer.Percentile(0.5), Delays.FirstAnswer.Percentile(0.9), Delays.Result.Percentile(0.5),
        RatedCount == 0 ? null : Math.Round((double)RatingSum / RatedCount, 2), target,
        RatedAmount == 0 ? null : Math.Round(RateWeight / RatedAmount, 3), DisputedCount, Money(DisputedAmount));

    /// <summary>Yuan to the fen; nothing as 0 whatever its scale (an approval added and taken out again sums to 0.00).</summary>
    private static decimal Money(decimal yuan) => yuan == 0 ? 0 : Math.Round(yuan, 2);

    private static double? Ratio(long part, long whole) => whole == 0 ? null : (double)part / whole;

    /// <summary>Adds another part of the same group (a delta of it): sums and delays.</summary>
    public void Add(FigureSums other)
    {
        RequestedCount += other.RequestedCount;
        RequestedAmount += other.RequestedAmount;
        PublishedCount += other.PublishedCount;
        DispatchedCount += other.DispatchedCount;
        AcceptedCount += other.AcceptedCount;
        ApprovedCount += other.ApprovedCount;
        ApprovedAmount += other.ApprovedAmount;
        DecidedCount += other.DecidedCount;
        FirstLoanApprovedCount += other.FirstLoanApprovedCount;
        CreditApprovedAmount += other.CreditApprovedAmount;
        AnswersDue += other.AnswersDue;
        AnswersOnTime += other.AnswersOnTime;
        RatedCount += other.RatedCount;
        RatingSum += other.RatingSum;
        RateWeight += other.RateWeight;
        RatedAmount += other.RatedAmount;
        DisputedCount += other.DisputedCount;
        DisputedAmount += other.DisputedAmount;
        if (other._delays is not { } delays) return;
        Delays.FirstAnswer.Add(delays.FirstAnswer);
        Delays.Result.Add(delays.Result);
    }

    /// <summary>The configuration switch that turns the rollup off, so that every figure is read from the request rows.</summary>
    public const string UseRollupSetting = "Statistics:UseRollup";

    /// <summary>
    /// The figures' sums and delays over the scope's requests, per group of <paramref name="by"/> (a breakdown's grouping),
    /// or as one group with the key "" when <paramref name="by"/> is null (the summary). Where the dialect keeps the
    /// rollup, they come from it (its whole months and single days, Rollup.PlanFor), else from the request rows. Every
    /// query runs in one snapshot: the parts add up to the figures of one moment.
    /// </summary>
    public static async Task<IReadOnlyList<FigureSums>> LoadAsync(DbConnection connection, SqlDialect dialect, IConfiguration configuration,
        StatisticsScope scope, string? by)
    {
        await using var snapshot = await dialect.BeginSnapshotAsync(connection);
        Dictionary<string, FigureSums> groups;
        if (dialect.KeepsStatisticsRollup && configuration.GetValue(UseRollupSetting, true) && Rollup.Serves(scope, by))
        {
            groups = await Rollup.LoadAsync(connection, snapshot, scope, by);
            if (by == "institution") UseInstitutionAnswers(groups, await Rollup.LoadAnswersAsync(connection, snapshot, scope));
        }
        else
        {
            groups = await LoadRowsAsync(connection, snapshot, scope, KeySql(scope, by));
            if (by == "institution") UseInstitutionAnswers(groups, await LoadInstitutionAnswersAsync(connection, snapshot, scope));
        }
        await snapshot.CommitAsync();
        if (by is null) return [groups.GetValueOrDefault("") ?? new FigureSums()];
        // A group exists where a request of the scope is (the rollup may hold rows whose requests have all moved on), or, by
        // institution, where an institution answered.
        return groups.Values.Where(group => group.RequestedCount > 0 || group.AnswersDue > 0).ToArray();
    }

    /// <summary>
    /// The grouping expression over financing_requests r: the same keys the rollup gives (Rollup.LoadAsync; its month is
    /// that of submitted_day, which SubmitRequest writes beside submitted_month).
    /// </summary>
    public static string KeySql(StatisticsScope scope, string? by) => by switch
    {
        null => WholeScope,
        "region" => $"SUBSTRING(r.region_code, 1, {RegionKeyLength(scope)})",
        "industry" => "SUBSTRING(r.industry_code, 1, 3)",
        "institution" => "COALESCE(r.approved_institution_id, '')",
        "product_kind" => "COALESCE(r.approved_product_kind, '')",
        "month" => "r.submitted_month",
        _ => throw new ArgumentOutOfRangeException(nameof(by), by, null),
    };

    /// <summary>A region breakdown goes one level below the scope's region: province → city → county.</summary>
    public static int RegionKeyLength(StatisticsScope scope) => Math.Min(6, scope.Region.Length + 2);

    /// <summary>The grouping expression of the summary: one group holding the whole scope.</summary>
    public const string WholeScope = "''";

    /// <summary>Runs the sums and the delays for a grouping key expression over the scope's request rows.</summary>
    private static async Task<Dictionary<string, FigureSums>> LoadRowsAsync(DbConnection connection, DbTransaction snapshot, StatisticsScope scope,
        string groupKeySql)
    {
        var parameters = new DynamicParameters(scope.Parameters);
        parameters.Add("True", true);
        var grouped = groupKeySql != WholeScope;
        var sums = (await connection.QueryAsync<FigureSums>(Keyed(SelectSql, groupKeySql) + StatisticsScope.WhereSql
                                                            + (grouped ? $" GROUP BY {groupKeySql}" : ""), parameters, snapshot))
            .ToDictionary(group => group.GroupKey ??= "");
        var rows = await connection.QueryAsync<DelayRow>(Keyed(DelaysSql, groupKeySql) + StatisticsScope.WhereSql
                                                         + " AND (r.hours_to_first_answer IS NOT NULL OR r.hours_to_result IS NOT NULL)", parameters, snapshot);
        foreach (var row in rows)
        {
            if (!sums.TryGetValue(row.GroupKey ?? "", out var group)) sums[row.GroupKey ?? ""] = group = new FigureSums { GroupKey = row.GroupKey ?? "" };
            if (row.HoursToFirstAnswer is { } first) group.Delays.FirstAnswer.Add(first);
            if (row.HoursToResult is { } result) group.Delays.Result.Add(result);
        }
        return sums;
    }

    /// <summary>Each institution's own answers to the scope's requests dispatched to it, from the dispatch rows.</summary>
    private static async Task<Dictionary<string, FigureSums>> LoadInstitutionAnswersAsync(DbConnection connection, DbTransaction snapshot, StatisticsScope scope)
    {
        var parameters = new DynamicParameters(scope.Parameters);
        parameters.Add("True", true);
        return (await connection.QueryAsync<FigureSums>(InstitutionAnswersSql + StatisticsScope.WhereSql + " GROUP BY d.institution_id", parameters, snapshot))
            .ToDictionary(row => row.GroupKey, StringComparer.Ordinal);
    }

    /// <summary>
    /// An institution's group counts the requests its approvals resolved, but its on-time answer rate is its own over all it
    /// was dispatched of the scope's requests, approved or not (an institution is ranked by how it answers, not only by the
    /// answers given on the requests it won). The group of requests no approval resolved belongs to no institution: no rate.
    /// An institution dispatched some of the scope's requests that approved none of them has a row of its own, with no
    /// requests and its answers: a regulator's league table must show the institution that answered late and lent nothing.
    /// </summary>
    private static void UseInstitutionAnswers(Dictionary<string, FigureSums> groups, Dictionary<string, FigureSums> answers)
    {
        foreach (var institution in answers.Where(pair => pair.Value.AnswersDue != 0 || pair.Value.AnswersOnTime != 0).Select(pair => pair.Key)
                     .Where(institution => !groups.ContainsKey(institution)))
            groups[institution] = new FigureSums { GroupKey = institution };
        foreach (var group in groups.Values)
        {
            var own = answers.GetValueOrDefault(group.GroupKey);
            (group.AnswersDue, group.AnswersOnTime) = (own?.AnswersDue ?? 0, own?.AnswersOnTime ?? 0);
        }
    }

    private static string Keyed(string sql, string groupKeySql) => sql.Replace("SELECT '' AS GroupKey", $"SELECT {groupKeySql} AS GroupKey");

    private sealed class DelayRow
    {
        public string? GroupKey { get; set; }
        public decimal? HoursToFirstAnswer { get; set; }
        public decimal? HoursToResult { get; set; }
    }
}
