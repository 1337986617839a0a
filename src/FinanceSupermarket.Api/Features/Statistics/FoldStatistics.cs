using System.Globalization;
using System.Text.RegularExpressions;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Hangfire;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// Moves up to <paramref name="BatchSize"/> of the oldest deltas (statistics_deltas, appended by the triggers of every
/// write to financing_requests and of a dispatch's answer) into statistics_rollup and statistics_rollup_days, in one
/// transaction: each touched roll-up row (one per level of the delta's region code: country, province, city, county, in
/// its month and in its day) gets the deltas' sums and delay counts, and the deltas are deleted. A read sums the roll-up and the deltas left in one snapshot, so it
/// gives the same figures before and after. Re-runnable: deltas folded are gone, a failed run changes nothing, and runs
/// on several nodes queue on the statistics_fold row. Returns how many deltas it folded.
/// </summary>
public sealed record FoldStatistics(int BatchSize) : Mediator.ICommand<int>
{
    public sealed class Handler(UnitOfWork unit, TimeProvider clock) : ICommandHandler<FoldStatistics, int>
    {
        private const string LockSql = "UPDATE statistics_fold SET folded_at = @Now WHERE id = 1";
        private const string DeltasSql = """
            SELECT id, breakdown, month, region_code AS RegionCode, group_key AS GroupKey, requested_count AS RequestedCount,
                   requested_amount AS RequestedAmount, published_count AS PublishedCount, dispatched_count AS DispatchedCount,
                   accepted_count AS AcceptedCount, approved_count AS ApprovedCount, approved_amount AS ApprovedAmount,
                   decided_count AS DecidedCount, first_loan_approved_count AS FirstLoanApprovedCount,
                   credit_approved_amount AS CreditApprovedAmount, answers_due AS AnswersDue, answers_on_time AS AnswersOnTime,
                   rated_count AS RatedCount, rating_sum AS RatingSum, rate_weight AS RateWeight, rated_amount AS RatedAmount,
                   disputed_count AS DisputedCount, disputed_amount AS DisputedAmount, first_answer_millihours AS FirstAnswer, result_millihours AS Result,
                   day AS Day
            FROM statistics_deltas
            ORDER BY id
            """;
        // A server's batch summed per key and delay value where it is taken out (SqlDialect.TakeOldest): a minute of 200
        // requests/s is 180,000 deltas, and one statement's few hundred rows instead of 180,000 read into this process.
        private const string SummedSql = """
            SELECT COUNT(*) AS Deltas, breakdown, month, day AS Day, region_code AS RegionCode, group_key AS GroupKey,
                   first_answer_millihours AS FirstAnswer, result_millihours AS Result,
                   CAST(SUM(requested_count) AS BIGINT) AS RequestedCount, SUM(requested_amount) AS RequestedAmount,
                   CAST(SUM(published_count) AS BIGINT) AS PublishedCount, CAST(SUM(dispatched_count) AS BIGINT) AS DispatchedCount,
                   CAST(SUM(accepted_count) AS BIGINT) AS AcceptedCount, CAST(SUM(approved_count) AS BIGINT) AS ApprovedCount,
                   SUM(approved_amount) AS ApprovedAmount, CAST(SUM(decided_count) AS BIGINT) AS DecidedCount,
                   CAST(SUM(first_loan_approved_count) AS BIGINT) AS FirstLoanApprovedCount, SUM(credit_approved_amount) AS CreditApprovedAmount,
                   CAST(SUM(answers_due) AS BIGINT) AS AnswersDue, CAST(SUM(answers_on_time) AS BIGINT) AS AnswersOnTime,
                   CAST(SUM(rated_count) AS BIGINT) AS RatedCount, CAST(SUM(rating_sum) AS BIGINT) AS RatingSum,
                   SUM(rate_weight) AS RateWeight, SUM(rated_amount) AS RatedAmount,
                   CAST(SUM(disputed_count) AS BIGINT) AS DisputedCount, SUM(disputed_amount) AS DisputedAmount
            FROM taken
            GROUP BY breakdown, month, day, region_code, group_key, first_answer_millihours, result_millihours
            """;
        private const string RowSql = """
            SELECT breakdown, month, region_code AS RegionCode, group_key AS GroupKey, requested_count AS RequestedCount,
                   requested_amount AS RequestedAmount, published_count AS PublishedCount, dispatched_count AS DispatchedCount,
                   accepted_count AS AcceptedCount, approved_count AS ApprovedCount, approved_amount AS ApprovedAmount,
                   decided_count AS DecidedCount, first_loan_approved_count AS FirstLoanApprovedCount,
                   credit_approved_amount AS CreditApprovedAmount, answers_due AS AnswersDue, answers_on_time AS AnswersOnTime,
                   rated_count AS RatedCount, rating_sum AS RatingSum, rate_weight AS RateWeight, rated_amount AS RatedAmount,
                   disputed_count AS DisputedCount, disputed_amount AS DisputedAmount, first_answer_delays AS FirstAnswers, result_delays AS Results
            FROM statistics_rollup
            WHERE breakdown = @Breakdown AND month = @Month AND region_code = @RegionCode AND group_key = @GroupKey
            """;
        private const string InsertRowSql = """
            INSERT INTO statistics_rollup (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count,
                                           dispatched_count, accepted_count, approved_count, approved_amount, decided_count,
                                           first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time,
                                           rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount,
                                           first_answer_delays, result_delays)
            VALUES (@Breakdown, @Month, @RegionCode, @GroupKey, @RequestedCount, @RequestedAmount, @PublishedCount,
                    @DispatchedCount, @AcceptedCount, @ApprovedCount, @ApprovedAmount, @DecidedCount,
                    @FirstLoanApprovedCount, @CreditApprovedAmount, @AnswersDue, @AnswersOnTime,
                    @RatedCount, @RatingSum, @RateWeight, @RatedAmount, @DisputedCount, @DisputedAmount, @FirstAnswers, @Results)
            """;
        private const string UpdateRowSql = """
            UPDATE statistics_rollup SET requested_count = @RequestedCount, requested_amount = @RequestedAmount, published_count = @PublishedCount,
                   dispatched_count = @DispatchedCount, accepted_count = @AcceptedCount, approved_count = @ApprovedCount,
                   approved_amount = @ApprovedAmount, decided_count = @DecidedCount, first_loan_approved_count = @FirstLoanApprovedCount,
                   credit_approved_amount = @CreditApprovedAmount, answers_due = @AnswersDue, answers_on_time = @AnswersOnTime,
                   rated_count = @RatedCount, rating_sum = @RatingSum, rate_weight = @RateWeight, rated_amount = @RatedAmount,
                   disputed_count = @DisputedCount, disputed_amount = @DisputedAmount, first_answer_delays = @FirstAnswers, result_delays = @Results
            WHERE breakdown = @Breakdown AND month = @Month AND region_code = @RegionCode AND group_key = @GroupKey
            """;

        /// <summary>A table of the roll-up: its rows' statements and the period of a delta it folds into.</summary>
        private sealed record Grain(string Name, string RowSql, string InsertRowSql, string UpdateRowSql, Func<Sums, string> Period);

        /// <summary>
        /// statistics_rollup by month, and statistics_rollup_days by day: the same columns but the period's, so the day's
        /// statements are the month's with the table and the period renamed.
        /// </summary>
        private static readonly Grain[] Grains =
        [
            new("month", RowSql, InsertRowSql, UpdateRowSql, d => d.Month),
            new("day", ByDay(RowSql), ByDay(InsertRowSql), ByDay(UpdateRowSql), d => d.Day),
        ];

        private static string ByDay(string sql) =>
            Regex.Replace(Regex.Replace(sql, @"\bstatistics_rollup\b", "statistics_rollup_days"), @"\bmonth\b", "day").Replace("@Month", "@Day", StringComparison.Ordinal);

        /// <summary>Deleted by their ids (numbers read just now, written into the statement), so many to a statement.</summary>
        private const int IdsPerDelete = 1_000;

        public async ValueTask<int> Handle(FoldStatistics command, CancellationToken cancellationToken)
        {
            await unit.ExecuteAsync(LockSql, new { Now = clock.GetUtcNow() });
            var (deltas, count) = await TakeAsync(command.BatchSize);
            if (count == 0) return 0;

            // The batch's deltas of one key added up first (a step's deltas mostly take out and put back the same key's
            // row), then each sum into the roll-up rows above it: a row adds a handful of sums rather than every delta.
            var sums = deltas.GroupBy(d => (d.Breakdown, d.Month, d.Day, d.RegionCode, d.GroupKey)).Select(Sum).ToArray();
            // In key order, so that folds on several nodes (queued on statistics_fold anyway) would not deadlock either.
            foreach (var group in sums
                         .SelectMany(s => Grains.SelectMany(grain => RegionLevels(s.RegionCode)
                             .Select(region => (Key: (grain.Name, s.Breakdown, Period: grain.Period(s), Region: region, s.GroupKey), Sums: s))))
                         .GroupBy(pair => pair.Key, pair => pair.Sums).OrderBy(group => group.Key))
            {
                var grain = Grains.Single(grain => grain.Name == group.Key.Name);
                var key = new RollupRow
                {
                    Breakdown = group.Key.Breakdown, Month = group.Key.Period, Day = group.Key.Period, RegionCode = group.Key.Region, GroupKey = group.Key.GroupKey,
                };
                var stored = await unit.QuerySingleOrDefaultAsync<RollupRow>(grain.RowSql, key);
                var row = stored ?? key;
                row.Add(group);
                await unit.ExecuteAsync(stored is null ? grain.InsertRowSql : grain.UpdateRowSql, row);
            }
            return (int)count;
        }

        /// <summary>The batch's deltas, taken out of statistics_deltas: summed where the dialect sums them as it takes them, else row by row.</summary>
        private async Task<(IReadOnlyList<Delta> Deltas, long Count)> TakeAsync(int batchSize)
        {
            var take = new { Take = batchSize };
            if (unit.Dialect.TakeOldest("statistics_deltas", SummedSql) is { } takeSql)
            {
                var summed = await unit.QueryAsync<Delta>(takeSql, take);
                return (summed, summed.Sum(d => d.Deltas));
            }
            var deltas = await unit.QueryAsync<Delta>(unit.Dialect.Top(DeltasSql), take);
            foreach (var ids in deltas.Select(d => d.Id).Chunk(IdsPerDelete))
                unit.WriteLater($"DELETE FROM statistics_deltas WHERE id IN ({string.Join(',', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)))})");
            return (deltas, deltas.Count);
        }

        /// <summary>Deltas of one key as one: their sums, and their delays counted (each taken out where its sign is -1).</summary>
        private static Sums Sum(IEnumerable<Delta> deltas)
        {
            Sums? sum = null;
            foreach (var d in deltas)
            {
                sum ??= new Sums { Breakdown = d.Breakdown, Month = d.Month, Day = d.Day, RegionCode = d.RegionCode, GroupKey = d.GroupKey };
                sum.Add(d);
                sum.Delays.Add(d.FirstAnswer, d.Result, d.RequestedCount);
            }
            return sum!;
        }
    }

    /// <summary>The region prefixes a county code counts in: the country (''), its province, city and itself.</summary>
    private static IEnumerable<string> RegionLevels(string regionCode) =>
        new[] { 0, 2, 4, 6 }.Where(length => length <= regionCode.Length).Select(length => regionCode[..length]).Distinct();

    /// <summary>The key and figures of one roll-up row (or of one delta: a single delay value each, taken out when RequestedCount is -1).</summary>
    public class Sums : FigureSums
    {
        public string Breakdown { get; set; } = "";
        public string Month { get; set; } = "";
        public string Day { get; set; } = "";
        public string RegionCode { get; set; } = "";
    }

    /// <summary>A delta; where the dialect sums the batch as it takes it out, the batch's deltas of one key and delay values summed.</summary>
    private sealed class Delta : Sums
    {
        public long Id { get; set; }
        public long Deltas { get; set; } = 1;
        public long? FirstAnswer { get; set; }
        public long? Result { get; set; }
    }

    /// <summary>A roll-up row; its delay counts as DelayHistogram stores them.</summary>
    private sealed class RollupRow : Sums
    {
        public string FirstAnswers { get; set; } = "";
        public string Results { get; set; } = "";

        /// <summary>Adds the sums; the stored delay counts are read and written again only when the sums change them.</summary>
        public void Add(IEnumerable<Sums> sums)
        {
            foreach (var s in sums) Add(s);
            if (!Delays.FirstAnswer.IsEmpty) FirstAnswers = Stored(FirstAnswers, Delays.FirstAnswer);
            if (!Delays.Result.IsEmpty) Results = Stored(Results, Delays.Result);
        }

        private static string Stored(string stored, DelayHistogram added)
        {
            var histogram = new DelayHistogram();
            histogram.AddStored(stored);
            histogram.Add(added);
            return histogram.ToString();
        }
    }
}

/// <summary>The fold as a Hangfire job: batches until the deltas are all folded, at the pace of the provider (<see cref="SqlDialect.FoldPace"/>).</summary>
public sealed class StatisticsJobs(IMediator mediator, Db db)
{
    public const string FoldJobId = "fold-statistics";

    [AutomaticRetry(Attempts = 0)]
    public async Task FoldAsync()
    {
        var (deltas, pause) = db.Dialect.FoldPace;
        while (await mediator.Send(new FoldStatistics(deltas)) == deltas)
            if (pause > TimeSpan.Zero) await Task.Delay(pause);
    }
}

public static class StatisticsModule
{
    /// <summary>The fold every minute where the provider keeps the roll-up; reads add what is not folded yet, so the interval bounds only their work.</summary>
    public static void UseStatisticsFold(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<Db>().Dialect.KeepsStatisticsRollup) return;
        app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<StatisticsJobs>(StatisticsJobs.FoldJobId, job => job.FoldAsync(), Cron.Minutely());
    }
}
