using System.Data.Common;
using System.Globalization;
using Dapper;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The figures of a period read from the roll-up (database/{postgresql,sqlite}/0013 and 0014) and the deltas not yet folded
/// into it (statistics_deltas, appended by triggers on every write to financing_requests and to a dispatch's answer; the
/// fold job moves them in): a few hundred rows for a year instead of every request. statistics_rollup has a row per
/// month, region prefix and group of four breakdowns, statistics_rollup_days the same per day: a period is read as its
/// whole months from the first and its other days (at either end) from the second, so no read touches a request row.
/// Three breakdowns partition all requests: 'industry' (the GB/T 4754 division), 'institution' and 'product_kind' (of the
/// approval; '' while not approved); 'answers' holds each institution's own answers to the requests dispatched to it.
/// Each request counts at every level of its region code: the country (''), its province, city and county, so a scope
/// reads the rows of its own region only, and a region breakdown those one level below it. A row holds the sums and the
/// counts of its rounded delays (DelayHistogram). Read in one snapshot (see FigureSums.LoadAsync), so that a fold
/// committing meanwhile is seen wholly or not at all.
/// </summary>
public static class Rollup
{
    /// <summary>
    /// One breakdown's rows of the scope's level (@LevelLike: the scope's region, or its prefix and two characters of any
    /// kind): the whole months @FromMonth..@ToMonth, the days @HeadFrom..@HeadTo and @TailFrom..@TailTo (an empty range
    /// when its start lies after its end), and the unfolded deltas of the scope's region (each holding a county code) and
    /// days @FromDay..@ToDay; aliased s, with the same sums.
    /// </summary>
    private const string RowsAndDeltasSql = """
         FROM (SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count,
                      accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount,
                      answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount
               FROM statistics_rollup
               WHERE breakdown = @Breakdown AND region_code LIKE @LevelLike AND month >= @FromMonth AND month <= @ToMonth
               UNION ALL
               SELECT breakdown, SUBSTRING(day, 1, 7) AS month, region_code, group_key, requested_count, requested_amount, published_count,
                      dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count,
                      credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count,
                      disputed_amount
               FROM statistics_rollup_days
               WHERE breakdown = @Breakdown AND region_code LIKE @LevelLike
                 AND ((day >= @HeadFrom AND day <= @HeadTo) OR (day >= @TailFrom AND day <= @TailTo))
               UNION ALL
               SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count,
                      accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount,
                      answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount
               FROM statistics_deltas
               WHERE breakdown = @Breakdown AND region_code LIKE @RegionLike AND day >= @FromDay AND day <= @ToDay) s
        """;

    /// <summary>The rows (aliased s) in the scope's industry: only the 'industry' breakdown's rows carry it.</summary>
    private const string InIndustry = "(s.breakdown <> 'industry' OR s.group_key LIKE @IndustryLike)";

    /// <summary>The sums per group; the empty group key is replaced by the grouping expression. Summed on the server.</summary>
    private const string GroupsSql = """
        SELECT '' AS GroupKey, CAST(COALESCE(SUM(s.requested_count), 0) AS BIGINT) AS RequestedCount,
               COALESCE(SUM(s.requested_amount), 0) AS RequestedAmount,
               CAST(COALESCE(SUM(s.published_count), 0) AS BIGINT) AS PublishedCount,
               CAST(COALESCE(SUM(s.dispatched_count), 0) AS BIGINT) AS DispatchedCount,
               CAST(COALESCE(SUM(s.accepted_count), 0) AS BIGINT) AS AcceptedCount,
               CAST(COALESCE(SUM(s.approved_count), 0) AS BIGINT) AS ApprovedCount,
               COALESCE(SUM(s.approved_amount), 0) AS ApprovedAmount,
               CAST(COALESCE(SUM(s.decided_count), 0) AS BIGINT) AS DecidedCount,
               CAST(COALESCE(SUM(s.first_loan_approved_count), 0) AS BIGINT) AS FirstLoanApprovedCount,
               COALESCE(SUM(s.credit_approved_amount), 0) AS CreditApprovedAmount,
               CAST(COALESCE(SUM(s.answers_due), 0) AS BIGINT) AS AnswersDue,
               CAST(COALESCE(SUM(s.answers_on_time), 0) AS BIGINT) AS AnswersOnTime,
               CAST(COALESCE(SUM(s.rated_count), 0) AS BIGINT) AS RatedCount,
               CAST(COALESCE(SUM(s.rating_sum), 0) AS BIGINT) AS RatingSum,
               COALESCE(SUM(s.rate_weight), 0) AS RateWeight, COALESCE(SUM(s.rated_amount), 0) AS RatedAmount,
               CAST(COALESCE(SUM(s.disputed_count), 0) AS BIGINT) AS DisputedCount, COALESCE(SUM(s.disputed_amount), 0) AS DisputedAmount
        """;

    /// <summary>Each roll-up row's delay counts (DelayHistogram's stored form), with its group key: months and days as above.</summary>
    private const string HistogramsSql = """
        SELECT '' AS GroupKey, s.first_answer_delays AS FirstAnswer, s.result_delays AS Result
        FROM (SELECT breakdown, month, region_code, group_key, first_answer_delays, result_delays
              FROM statistics_rollup
              WHERE breakdown = @Breakdown AND region_code LIKE @LevelLike AND month >= @FromMonth AND month <= @ToMonth
              UNION ALL
              SELECT breakdown, SUBSTRING(day, 1, 7) AS month, region_code, group_key, first_answer_delays, result_delays
              FROM statistics_rollup_days
              WHERE breakdown = @Breakdown AND region_code LIKE @LevelLike
                AND ((day >= @HeadFrom AND day <= @HeadTo) OR (day >= @TailFrom AND day <= @TailTo))) s
        """;

    /// <summary>The unfolded deltas' delay values, each added (requested_count 1) or taken out (-1) of its group.</summary>
    private const string DeltaDelaysSql = """
        SELECT '' AS GroupKey, s.requested_count AS Sign, s.first_answer_millihours AS FirstAnswer, s.result_millihours AS Result
        FROM statistics_deltas s
        WHERE s.breakdown = @Breakdown AND s.region_code LIKE @RegionLike AND s.day >= @FromDay AND s.day <= @ToDay
          AND (s.first_answer_millihours IS NOT NULL OR s.result_millihours IS NOT NULL)
        """;

    /// <summary>
    /// Whether the rollup can answer: the industry filter must be a section or division (the 'industry' rows' key),
    /// and none at all for the institution and product kind breakdowns (their rows do not carry the industry).
    /// </summary>
    public static bool Serves(StatisticsScope scope, string? by) =>
        by is "institution" or "product_kind" ? scope.Industry.Length == 0 : scope.Industry.Length <= 3;

    /// <summary>How a period is read: its whole months (none when <c>FirstMonth</c> is after <c>LastMonth</c>) and its other days, at most two runs.</summary>
    public sealed record Plan(string FirstMonth, string LastMonth, (string From, string To) Head, (string From, string To) Tail);

    /// <summary>An empty range: its start sorts after its end.</summary>
    private static readonly (string From, string To) None = ("1", "0");

    /// <summary>The period's whole months, and the days before the first of them and after the last (or all its days when it holds no whole month).</summary>
    public static Plan PlanFor(StatisticsScope scope)
    {
        var first = new DateOnly(scope.From.Year, scope.From.Month, 1);
        if (first < scope.From) first = first.AddMonths(1);
        var afterLast = new DateOnly(scope.To.Year, scope.To.Month, 1).AddMonths(scope.To.AddDays(1).Day == 1 ? 1 : 0);
        if (first >= afterLast) return new Plan(None.From, None.To, (Day(scope.From), Day(scope.To)), None);
        return new Plan(Month(first), Month(afterLast.AddMonths(-1)),
            scope.From < first ? (Day(scope.From), Day(first.AddDays(-1))) : None,
            afterLast <= scope.To ? (Day(afterLast), Day(scope.To)) : None);
    }

    private static string Month(DateOnly day) => day.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The sums and delays of the scope's period, per group of <paramref name="by"/> (null: one group "").</summary>
    public static async Task<Dictionary<string, FigureSums>> LoadAsync(DbConnection connection, DbTransaction snapshot, StatisticsScope scope, string? by)
    {
        // Every breakdown's rows partition all requests: the summary, region and month read the fewest, 'product_kind'.
        var breakdown = by is "industry" or "institution" or "product_kind" ? by : scope.Industry.Length > 0 ? "industry" : "product_kind";
        var (keySql, parameters) = Query(scope, by, breakdown);
        var groups = await LoadGroupsAsync(connection, snapshot, keySql, parameters, by is not null);
        FigureSums Group(string? key) =>
            groups.TryGetValue(key ?? "", out var group) ? group : groups[key ?? ""] = new FigureSums { GroupKey = key ?? "" };

        foreach (var row in await connection.QueryAsync<StoredDelays>(Keyed(HistogramsSql, keySql) + " WHERE " + InIndustry, parameters, snapshot))
        {
            var group = Group(row.GroupKey);
            group.Delays.FirstAnswer.AddStored(row.FirstAnswer);
            group.Delays.Result.AddStored(row.Result);
        }
        foreach (var row in await connection.QueryAsync<DeltaDelays>(
                     Keyed(DeltaDelaysSql, keySql) + " AND " + InIndustry, parameters, snapshot))
            Group(row.GroupKey).Delays.Add(row.FirstAnswer, row.Result, row.Sign);
        return groups;
    }

    /// <summary>Each institution's own answers to the scope's requests dispatched to it (the 'answers' rows; the scope has no industry).</summary>
    public static Task<Dictionary<string, FigureSums>> LoadAnswersAsync(DbConnection connection, DbTransaction snapshot, StatisticsScope scope)
    {
        var (keySql, parameters) = Query(scope, "institution", "answers");
        return LoadGroupsAsync(connection, snapshot, keySql, parameters, grouped: true);
    }

    private static (string KeySql, object Parameters) Query(StatisticsScope scope, string? by, string breakdown)
    {
        var keyLength = FigureSums.RegionKeyLength(scope);
        var keySql = by switch
        {
            null => FigureSums.WholeScope,
            "region" => $"SUBSTRING(s.region_code, 1, {keyLength})",
            "month" => "s.month",
            _ => "s.group_key",   // industry division, institution, product kind
        };
        var plan = PlanFor(scope);
        return (keySql, new
        {
            Breakdown = breakdown, FromMonth = plan.FirstMonth, ToMonth = plan.LastMonth,
            HeadFrom = plan.Head.From, HeadTo = plan.Head.To, TailFrom = plan.Tail.From, TailTo = plan.Tail.To,
            FromDay = Day(scope.From), ToDay = Day(scope.To), RegionLike = scope.Region + "%", IndustryLike = scope.Industry + "%",
            LevelLike = by == "region" ? scope.Region + new string('_', keyLength - scope.Region.Length) : scope.Region,
        });
    }

    private static async Task<Dictionary<string, FigureSums>> LoadGroupsAsync(DbConnection connection, DbTransaction snapshot, string keySql,
        object parameters, bool grouped) =>
        (await connection.QueryAsync<FigureSums>(Keyed(GroupsSql, keySql) + RowsAndDeltasSql + " WHERE " + InIndustry + (grouped ? $" GROUP BY {keySql}" : ""),
            parameters, snapshot))
        .ToDictionary(group => group.GroupKey ??= "", StringComparer.Ordinal);

    private static string Keyed(string sql, string keySql) => sql.Replace("SELECT '' AS GroupKey", $"SELECT {keySql} AS GroupKey", StringComparison.Ordinal);

    private sealed class StoredDelays
    {
        public string? GroupKey { get; set; }
        public string? FirstAnswer { get; set; }
        public string? Result { get; set; }
    }

    private sealed class DeltaDelays
    {
        public string? GroupKey { get; set; }
        public long Sign { get; set; }
        public long? FirstAnswer { get; set; }
        public long? Result { get; set; }
    }
}
