using System.Data.Common;
using Dapper;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The figures of whole months read from statistics_rollup (database/postgresql/0004_statistics_rollup.sql), which
/// triggers keep exact on every write to financing_requests: a few thousand rows for a year instead of every request.
/// The rollup has a row per month, region code and group of three breakdowns, each a partition of all requests:
/// 'industry' (the GB/T 4754 division), 'institution' and 'product_kind' (of the approval; '' while not approved).
/// </summary>
public static class Rollup
{
    /// <summary>
    /// The sums and the packed delay values of the rollup rows, per group; the empty group key is replaced by the grouping
    /// expression. A year of the whole country is a few thousand rows summed on the server, a group's delays one value.
    /// </summary>
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
               STRING_AGG(s.first_answer_millihours, @Packed) AS FirstAnswerMillihours,
               STRING_AGG(s.result_millihours, @Packed) AS ResultMillihours
        FROM statistics_rollup s
        WHERE s.breakdown = @Breakdown AND s.month >= @FromMonth AND s.month <= @ToMonth AND s.region_code LIKE @RegionLike
          AND (s.breakdown <> 'industry' OR s.group_key LIKE @IndustryLike)
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
    public static async Task<Dictionary<string, FigureSums>> LoadAsync(DbConnection connection, StatisticsScope scope, string? by, string first, string last)
    {
        // Every breakdown's rows partition all requests: the summary, region and month read the fewest, 'product_kind'.
        var breakdown = by is "industry" or "institution" or "product_kind" ? by : scope.Industry.Length > 0 ? "industry" : "product_kind";
        var keySql = by switch
        {
            null => FigureSums.WholeScope,
            "region" => $"SUBSTRING(s.region_code, 1, {FigureSums.RegionKeyLength(scope)})",
            "month" => "s.month",
            _ => "s.group_key",   // industry division, institution, product kind
        };
        var sql = GroupsSql.Replace("SELECT '' AS GroupKey", $"SELECT {keySql} AS GroupKey") + (by is null ? "" : $" GROUP BY {keySql}");
        var rows = await connection.QueryAsync<Row>(sql, new
        {
            Breakdown = breakdown, FromMonth = first, ToMonth = last, RegionLike = scope.Region + "%", IndustryLike = scope.Industry + "%",
            Packed = Array.Empty<byte>(),
        });
        return rows.Where(row => row.RequestedCount > 0 || by is null)
            .ToDictionary(row => row.GroupKey ?? "", row => row.ToSums(), StringComparer.Ordinal);
    }

    /// <summary>A roll-up group: the same sums as the request rows give, with its delay values packed.</summary>
    private sealed class Row : FigureSums
    {
        public byte[]? FirstAnswerMillihours { get; set; }
        public byte[]? ResultMillihours { get; set; }

        public FigureSums ToSums()
        {
            Delays.FirstAnswer.AddMillihours(FirstAnswerMillihours);
            Delays.Result.AddMillihours(ResultMillihours);
            return this;
        }
    }
}
