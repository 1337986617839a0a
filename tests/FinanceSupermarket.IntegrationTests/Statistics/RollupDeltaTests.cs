using System.Net;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace FinanceSupermarket.IntegrationTests.Statistics;

/// <summary>
/// The roll-up with deltas against the request rows after a burst of concurrent writes: two nodes on one database, one
/// reading the roll-up and its unfolded deltas (the default), one with Statistics:UseRollup off reading every request.
/// Submissions, publications, dispatches, answers and disputes run concurrently, with the fold running in small batches
/// among them; the figures (rates and disputes, delays' percentiles included) must be the same from both nodes before
/// the fold, while it runs, and once every delta is folded — for whole months and for periods that cut through months
/// (read from the roll-up's days), with requests of two days, one of them cut off by some periods.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class RollupDeltaTests(string provider) : ApiTestBase(provider)
{
    private static readonly string[] Paths = new[] { "region", "month", "industry", "institution", "product_kind" }
        .Select(by => $"/api/v1/statistics/breakdown?by={by}&from=2026-01-01&to=2026-12-31")
        .Prepend("/api/v1/statistics/summary?from=2026-01-01&to=2026-12-31")
        .Append("/api/v1/statistics/summary?from=2026-02-10&to=2026-03-31")
        .Append("/api/v1/statistics/breakdown?by=institution&from=2026-03-01&to=2026-03-20")
        // Whole months with days at either end; days of one month only; a single day; a period ending before the second day.
        .Append("/api/v1/statistics/breakdown?by=region&from=2025-12-15&to=2026-03-02")
        .Append("/api/v1/statistics/breakdown?by=month&from=2026-01-20&to=2026-04-10")
        .Append("/api/v1/statistics/breakdown?by=industry&from=2026-03-02&to=2026-03-02")
        .Append("/api/v1/statistics/breakdown?by=institution&from=2026-03-03&to=2026-03-03")
        .Append("/api/v1/statistics/breakdown?by=product_kind&from=2026-02-20&to=2026-03-02")
        .Append("/api/v1/statistics/summary?from=2026-03-03&to=2026-05-31")
        .ToArray();

    [Test]
    public async Task The_rollup_and_its_deltas_give_the_figures_of_the_request_rows_after_a_burst_of_concurrent_writes()
    {
        await using var rows = new ApiHost(Provider, Host.Service<Api.Infrastructure.Database.Db>().ConnectionString, Host.Clock,
            new Dictionary<string, string?> { [FigureSums.UseRollupSetting] = "false" });
        var banks = new[] { await RegisterInstitutionAsync("33"), await RegisterInstitutionAsync("33") };
        await ListProductAsync(banks[0], p => p["kind"] = "credit_loan");
        await ListProductAsync(banks[1], p => p["kind"] = "receivables");
        var enterprises = new[]
        {
            await RegisterEnterpriseAsync("330421", e => e["industryCode"] = "C39"),
            await RegisterEnterpriseAsync("330482", e => e["industryCode"] = "C34"),
            await RegisterEnterpriseAsync("330106", e => e["industryCode"] = "F51"),
        };

        // The burst: 24 submissions at once, then their publication and dispatch.
        var requests = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => SubmitRequestAsync(enterprises[i % 3], 300_000m + i * 10_000m)));
        await SameFiguresAsync(rows, "after the submissions, nothing folded");
        await Task.WhenAll(Host.RunDueJobsAsync(), FoldAsync(batchSize: 7));
        await SameFiguresAsync(rows, "after publication and dispatch, partly folded");

        // Answers at once, in two waves: accepted, declined, approved at a rate of its own; the fold runs among them. The
        // second wave's delays (not whole hours, some past 10 h) are rounded by the roll-up's delay counts as by the rows.
        Host.Clock.Advance(TimeSpan.FromHours(2));
        await Task.WhenAll(requests.Select((request, i) => (request, i)).Where(pair => pair.i < 12)
            .Select(pair => AnswerAsync(banks[pair.i % 2], pair.request, pair.i)).Append(FoldAsync(batchSize: 5)));
        Host.Clock.Advance(TimeSpan.FromHours(8.7654));
        await Task.WhenAll(requests.Select((request, i) => (request, i)).Where(pair => pair.i >= 12)
            .Select(pair => AnswerAsync(banks[pair.i % 2], pair.request, pair.i)).Append(FoldAsync(batchSize: 5)));
        await Host.RunDueJobsAsync();
        await SameFiguresAsync(rows, "after the answers");

        // Disputes of some approvals (counted apart from the approvals), at once, with the fold among them.
        await Task.WhenAll(requests.Select((request, i) => (request, i)).Where(pair => pair.i % 4 == 1)
            .Select(pair => EnterpriseClient(enterprises[pair.i % 3]).PostJsonAsync($"/api/v1/financing-requests/{pair.request}/dispute",
                new { reason = "实际批复金额不符" }).ShouldBe(HttpStatusCode.OK))
            .Append(FoldAsync(batchSize: 3)));
        await SameFiguresAsync(rows, "after the disputes");

        // The next day: deadlines pass unanswered (an institution's own answers count them), and new requests are submitted
        // and answered, while the fold runs.
        Host.Clock.Advance(TimeSpan.FromDays(1));
        await Task.WhenAll(Host.RunDueJobsAsync(), FoldAsync(batchSize: 4));
        var nextDay = await Task.WhenAll(enterprises.Select((enterprise, i) => SubmitRequestAsync(enterprise, 500_000m + i * 10_000m)));
        await Task.WhenAll(Host.RunDueJobsAsync(), FoldAsync(batchSize: 6));
        Host.Clock.Advance(TimeSpan.FromHours(1.5));
        await Task.WhenAll(nextDay.Select((request, i) => AnswerAsync(banks[i % 2], request, i + 1)).Append(FoldAsync(batchSize: 5)));
        await SameFiguresAsync(rows, "after a second day's requests");

        // The job itself, at its provider's pace.
        await using (var scope = Host.Services.CreateAsyncScope())
            await ActivatorUtilities.CreateInstance<StatisticsJobs>(scope.ServiceProvider).FoldAsync();
        (await CountAsync("statistics_deltas")).ShouldBe(0);
        await SameFiguresAsync(rows, "with every delta folded");

        // What was compared is there: the disputes, the approvals' rate, delays of both waves.
        var summary = (await (await Host.ClientAs(Role.Regulator, region: "33").GetAsync(Paths[0]).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["figures"]!;
        summary["disputedCount"]!.GetValue<long>().ShouldBe(6);
        summary["approvedAverageRate"].ShouldNotBeNull();
        summary["p90HoursToFirstAnswer"]!.GetValue<double>().ShouldBeGreaterThan(10);
    }

    private async Task AnswerAsync(string bank, string request, int i)
    {
        var seen = await (await InstitutionClient(bank).GetAsync($"/api/v1/financing-requests/{request}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var dispatch = (string)seen["dispatches"]!.AsArray().Single(d => (string)d!["institutionId"]! == bank)!["id"]!;
        if (i % 4 == 3)
        {
            await InstitutionClient(bank).PostJsonAsync($"/api/v1/dispatches/{dispatch}/decline", new { reasonCode = "capacity", reason = "额度已满" })
                .ShouldBe(HttpStatusCode.OK);
            return;
        }
        await InstitutionClient(bank).PostJsonAsync($"/api/v1/dispatches/{dispatch}/accept", new { }).ShouldBe(HttpStatusCode.OK);
        if (i % 4 != 0)
            await InstitutionClient(bank).PostJsonAsync($"/api/v1/dispatches/{dispatch}/feedback",
                new { outcome = "approved", amount = 200_000m + i * 1_000m, rate = 3.85m + i * 0.05m, termMonths = 12 }).ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>The fold job's work, in batches of the given size until no delta is left.</summary>
    private async Task FoldAsync(int batchSize)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        while (await mediator.Send(new FoldStatistics(batchSize)) == batchSize)
        {
        }
    }

    private async Task SameFiguresAsync(ApiHost rows, string when)
    {
        foreach (var path in Paths)
            (await ReadAsync(Host, path)).ShouldBe(await ReadAsync(rows, path), $"{path} {when}");
    }

    private static async Task<string> ReadAsync(ApiHost node, string path) =>
        (await (await node.ClientAs(Role.Regulator, region: "33").GetAsync(path).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync()).ToJsonString();
}
