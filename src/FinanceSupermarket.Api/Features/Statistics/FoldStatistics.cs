using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Hangfire;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// Moves up to <paramref name="BatchSize"/> of the oldest deltas (statistics_deltas, appended by the triggers of every
/// write to financing_requests) into statistics_rollup, in one transaction: each touched roll-up row gets the deltas'
/// sums and delay values, and the deltas are deleted. A read sums the roll-up and the deltas left in one snapshot, so it
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
                   rated_count AS RatedCount, rating_sum AS RatingSum, first_answer_millihours AS FirstAnswer, result_millihours AS Result
            FROM statistics_deltas
            ORDER BY id
            """;
        private const string RowSql = """
            SELECT breakdown, month, region_code AS RegionCode, group_key AS GroupKey, requested_count AS RequestedCount,
                   requested_amount AS RequestedAmount, published_count AS PublishedCount, dispatched_count AS DispatchedCount,
                   accepted_count AS AcceptedCount, approved_count AS ApprovedCount, approved_amount AS ApprovedAmount,
                   decided_count AS DecidedCount, first_loan_approved_count AS FirstLoanApprovedCount,
                   credit_approved_amount AS CreditApprovedAmount, answers_due AS AnswersDue, answers_on_time AS AnswersOnTime,
                   rated_count AS RatedCount, rating_sum AS RatingSum, first_answer_millihours AS FirstAnswers, result_millihours AS Results
            FROM statistics_rollup
            WHERE breakdown = @Breakdown AND month = @Month AND region_code = @RegionCode AND group_key = @GroupKey
            """;
        private const string InsertRowSql = """
            INSERT INTO statistics_rollup (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count,
                                           dispatched_count, accepted_count, approved_count, approved_amount, decided_count,
                                           first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time,
                                           rated_count, rating_sum, first_answer_millihours, result_millihours)
            VALUES (@Breakdown, @Month, @RegionCode, @GroupKey, @RequestedCount, @RequestedAmount, @PublishedCount,
                    @DispatchedCount, @AcceptedCount, @ApprovedCount, @ApprovedAmount, @DecidedCount,
                    @FirstLoanApprovedCount, @CreditApprovedAmount, @AnswersDue, @AnswersOnTime,
                    @RatedCount, @RatingSum, @FirstAnswers, @Results)
            """;
        private const string UpdateRowSql = """
            UPDATE statistics_rollup SET requested_count = @RequestedCount, requested_amount = @RequestedAmount, published_count = @PublishedCount,
                   dispatched_count = @DispatchedCount, accepted_count = @AcceptedCount, approved_count = @ApprovedCount,
                   approved_amount = @ApprovedAmount, decided_count = @DecidedCount, first_loan_approved_count = @FirstLoanApprovedCount,
                   credit_approved_amount = @CreditApprovedAmount, answers_due = @AnswersDue, answers_on_time = @AnswersOnTime,
                   rated_count = @RatedCount, rating_sum = @RatingSum, first_answer_millihours = @FirstAnswers, result_millihours = @Results
            WHERE breakdown = @Breakdown AND month = @Month AND region_code = @RegionCode AND group_key = @GroupKey
            """;

        /// <summary>Deleted by their ids (numbers read just now, written into the statement), so many to a statement.</summary>
        private const int IdsPerDelete = 1_000;

        public async ValueTask<int> Handle(FoldStatistics command, CancellationToken cancellationToken)
        {
            await unit.ExecuteAsync(LockSql, new { Now = clock.GetUtcNow() });
            var deltas = await unit.QueryAsync<Delta>(unit.Dialect.Top(DeltasSql), new { Take = command.BatchSize });
            if (deltas.Count == 0) return 0;

            foreach (var group in deltas.GroupBy(d => (d.Breakdown, d.Month, d.RegionCode, d.GroupKey)))
            {
                var stored = await unit.QuerySingleOrDefaultAsync<RollupRow>(RowSql, group.First());
                var row = stored ?? new RollupRow
                {
                    Breakdown = group.Key.Breakdown, Month = group.Key.Month, RegionCode = group.Key.RegionCode, GroupKey = group.Key.GroupKey,
                };
                row.Add(group);
                await unit.ExecuteAsync(stored is null ? InsertRowSql : UpdateRowSql, row);
            }
            foreach (var ids in deltas.Select(d => d.Id).Chunk(IdsPerDelete))
                await unit.ExecuteAsync($"DELETE FROM statistics_deltas WHERE id IN ({string.Join(',', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)))})");
            return deltas.Count;
        }
    }

    /// <summary>The key and figures of one roll-up row (or of one delta: a single delay value each, taken out when RequestedCount is -1).</summary>
    public class Sums : FigureSums
    {
        public string Breakdown { get; set; } = "";
        public string Month { get; set; } = "";
        public string RegionCode { get; set; } = "";
    }

    private sealed class Delta : Sums
    {
        public long Id { get; set; }
        public long? FirstAnswer { get; set; }
        public long? Result { get; set; }
    }

    /// <summary>A roll-up row; its delay values packed 8 bytes a value, big-endian, in no particular order.</summary>
    private sealed class RollupRow : Sums
    {
        public byte[] FirstAnswers { get; set; } = [];
        public byte[] Results { get; set; } = [];

        public void Add(IEnumerable<Delta> deltas)
        {
            var list = deltas.ToList();
            foreach (var d in list) Add(d);
            FirstAnswers = Apply(FirstAnswers, list.Where(d => d.FirstAnswer is not null).Select(d => (d.RequestedCount, d.FirstAnswer!.Value)));
            Results = Apply(Results, list.Where(d => d.Result is not null).Select(d => (d.RequestedCount, d.Result!.Value)));
        }

        /// <summary>The packed values with the deltas' values added (sign 1) and then taken out once each (sign -1).</summary>
        private static byte[] Apply(byte[] packed, IEnumerable<(long Sign, long Value)> changes)
        {
            var moved = changes.ToList();
            if (moved.Count == 0) return packed;
            var values = new List<long>(packed.Length / 8 + moved.Count);
            for (var offset = 0; offset + 8 <= packed.Length; offset += 8) values.Add(BinaryPrimitives.ReadInt64BigEndian(packed.AsSpan(offset)));
            values.AddRange(moved.Where(m => m.Sign > 0).Select(m => m.Value));
            var taken = new Dictionary<long, int>();
            foreach (var (_, value) in moved.Where(m => m.Sign < 0)) CollectionsMarshal.GetValueRefOrAddDefault(taken, value, out _)++;
            var result = new byte[values.Count * 8];
            var length = 0;
            foreach (var value in values)
            {
                if (taken.TryGetValue(value, out var times) && times > 0)
                {
                    taken[value] = times - 1;
                    continue;
                }
                BinaryPrimitives.WriteInt64BigEndian(result.AsSpan(length), value);
                length += 8;
            }
            return length == result.Length ? result : result[..length];
        }
    }
}

/// <summary>The fold as a Hangfire job: batches until the deltas are all folded.</summary>
public sealed class StatisticsJobs(IMediator mediator)
{
    public const string FoldJobId = "fold-statistics";

    /// <summary>Small enough that a batch holds SQLite's write lock for a few milliseconds only.</summary>
    public const int BatchSize = 5_000;

    [AutomaticRetry(Attempts = 0)]
    public async Task FoldAsync()
    {
        while (await mediator.Send(new FoldStatistics(BatchSize)) == BatchSize)
        {
        }
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
