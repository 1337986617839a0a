using System.Data.Common;
using Dapper;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The figures of whole months read from statistics_rollup (database/{postgresql,sqlite}/0013) and the deltas not yet
/// folded into it (statistics_deltas, appended by triggers on every write to financing_requests; the fold job moves them
/// in): a few hundred rows for a year instead of every request. The rollup has a row per month, region prefix and group
/// of three breakdowns, each a partition of all requests: 'industry' (the GB/T 4754 division), 'institution' and
/// 'product_kind' (of the approval; '' while not approved). Each request counts at every level of its region code: the
/// country (''), its province, city and county, so a scope reads the rows of its own region only, and a region breakdown
/// those one level below it. A row holds the sums and the counts of its rounded delays (DelayHistogram). Read in one
/// snapshot (see FigureSums.LoadAsync), so that a fold committing meanwhile is seen wholly or not at all.
/// </summary>
public static class Rollup
{
    /// <summary>
    /// The roll-up rows of the scope's level (@LevelLike: the scope's region, or its prefix and two characters of any kind)
    /// and the unfolded deltas of its region (each holding a county code), aliased s, with the same sums.
    /// </summary>
    private const string RowsAndDeltasSql = """
         FROM (SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count,
                      accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount,
                      answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount
               FROM statistics_rollup
               WHERE region_code LIKE @LevelLike
               UNION ALL
               SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count,
                      accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount,
                      answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount
               FROM statistics_deltas
               WHERE region_code LIKE @RegionLike) s
        """;

    /// <summary>The rows (aliased s) of one breakdown, of months @FromMonth..@ToMonth, in the scope's industry.</summary>
    private const string WhereSql = """
         WHERE s.breakdown = @Breakdown AND s.month >= @FromMonth AND s.month <= @ToMonth
          AND (s.breakdown <> 'industry' OR s.group_key LIKE @IndustryLike)
        """;

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

    /// <summary>Each roll-up row's delay counts (DelayHistogram's stored form), with its group key.</summary>
    private const string HistogramsSql = """
        SELECT '' AS GroupKey, s.first_answer_delays AS FirstAnswer, s.result_delays AS Result FROM statistics_rollup s
        """;

    /// <summary>The unfolded deltas' delay values, each added (requested_count 1) or taken out (-1) of its group.</summary>
    private const string DeltaDelaysSql = """
        SELECT '' AS GroupKey, s.requested_count AS Sign, s.first_answer_millihours AS FirstAnswer, s.result_millihours AS Result
        FROM statistics_deltas s
        """;

    /// <summary>
    /// Whether the rollup can answer: the industry filter must be a section or division (the 'industry' rows' key),
    /// and none at all for the institution and product kind breakdowns (their rows do not carry the industry).
    /// </summary>
    public static bool Serves(StatisticsScope scope, string? by) =>
        by is "institution" or "product_kind" ? scope.Industry.Length == 0 : scope.Industry.Length <= 3;

    /// <summary>How a period is read: months first..last from the rollup, plus and less some days from the request rows.</summary>
    public sealed record Plan(string FirstMonth, string LastMonth, IReadOnlyList<(DateOnly From, DateOnly To)> Added,
        IReadOnlyList<(DateOnly From, DateOnly To)> Subtracted);

    /// <summary>
    /// The months of the period (its submitted_day from..to) read from the rollup: the whole ones, and a part-covered one
    /// when less of it lies outside the period than inside (those days are then taken off: for a period ending today,
    /// the rest of the month is empty). The other part-covered days are read from the request rows. Null when no month
    /// is worth reading from the rollup.
    /// </summary>
    public static Plan? PlanFor(StatisticsScope scope)
    {
        var months = new List<DateOnly>();
        var added = new List<(DateOnly, DateOnly)>();
        var subtracted = new List<(DateOnly, DateOnly)>();
        for (var month = new DateOnly(scope.From.Year, scope.From.Month, 1); month <= scope.To; month = month.AddMonths(1))
        {
            var last = month.AddMonths(1).AddDays(-1);
            var from = scope.From > month ? scope.From : month;
            var to = scope.To < last ? scope.To : last;
            var inside = to.DayNumber - from.DayNumber + 1;
            var outside = last.DayNumber - month.DayNumber + 1 - inside;
            if (outside >= inside)
            {
                added.Add((from, to));
                continue;
            }
            months.Add(month);
            if (from > month) subtracted.Add((month, from.AddDays(-1)));
            if (to < last) subtracted.Add((to.AddDays(1), last));
        }
        // The months in between are whole: those read from the rollup are consecutive.
        return months.Count == 0 ? null : new Plan(Month(months[0]), Month(months[^1]), added, subtracted);
    }

    private static string Month(DateOnly day) => day.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The sums and delays of the months first..last, per group of <paramref name="by"/> (null: one group "").</summary>
    public static async Task<Dictionary<string, FigureSums>> LoadAsync(DbConnection connection, DbTransaction snapshot, StatisticsScope scope,
        string? by, string first, string last)
    {
        // Every breakdown's rows partition all requests: the summary, region and month read the fewest, 'product_kind'.
        var breakdown = by is "industry" or "institution" or "product_kind" ? by : scope.Industry.Length > 0 ? "industry" : "product_kind";
        var keyLength = FigureSums.RegionKeyLength(scope);
        var keySql = by switch
        {
            null => FigureSums.WholeScope,
            "region" => $"SUBSTRING(s.region_code, 1, {keyLength})",
            "month" => "s.month",
            _ => "s.group_key",   // industry division, institution, product kind
        };
        string Keyed(string sql) => sql.Replace("SELECT '' AS GroupKey", $"SELECT {keySql} AS GroupKey");
        var parameters = new
        {
            Breakdown = breakdown, FromMonth = first, ToMonth = last, RegionLike = scope.Region + "%", IndustryLike = scope.Industry + "%",
            LevelLike = by == "region" ? scope.Region + new string('_', keyLength - scope.Region.Length) : scope.Region,
        };

        var groups = (await connection.QueryAsync<FigureSums>(
                Keyed(GroupsSql) + RowsAndDeltasSql + WhereSql + (by is null ? "" : $" GROUP BY {keySql}"), parameters, snapshot))
            .ToDictionary(group => group.GroupKey ??= "", StringComparer.Ordinal);
        FigureSums Group(string? key) =>
            groups.TryGetValue(key ?? "", out var group) ? group : groups[key ?? ""] = new FigureSums { GroupKey = key ?? "" };

        foreach (var row in await connection.QueryAsync<StoredDelays>(Keyed(HistogramsSql) + WhereSql + " AND s.region_code LIKE @LevelLike", parameters, snapshot))
        {
            var group = Group(row.GroupKey);
            group.Delays.FirstAnswer.AddStored(row.FirstAnswer);
            group.Delays.Result.AddStored(row.Result);
        }
        foreach (var row in await connection.QueryAsync<DeltaDelays>(
                     Keyed(DeltaDelaysSql) + WhereSql + " AND s.region_code LIKE @RegionLike AND (s.first_answer_millihours IS NOT NULL OR s.result_millihours IS NOT NULL)",
                     parameters, snapshot))
        {
            var delays = Group(row.GroupKey).Delays;
            if (row.FirstAnswer is { } firstAnswer) delays.FirstAnswer.Add(firstAnswer, row.Sign);
            if (row.Result is { } result) delays.Result.Add(result, row.Sign);
        }
        return groups;
    }

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
