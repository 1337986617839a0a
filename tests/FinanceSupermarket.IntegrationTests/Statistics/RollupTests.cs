using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Statistics;

/// <summary>
/// The PostgreSQL roll-up against the request rows on the same data: two nodes on one database, one reading whole months
/// from statistics_rollup (the default), one with Statistics:UseRollup off reading every request. A quarter of requests
/// on every other day, in every state the workflow leaves, must give the same figures from both, for periods the roll-up
/// reads whole, and for periods that cut through months, where it adds or subtracts the odd days from the rows.
/// </summary>
[TestFixture]
public sealed class RollupTests() : ApiTestBase(Providers.PostgreSql)
{
    private ApiHost _rows = null!;

    /// <summary>New Year's Day 2026, 09:00 in Shanghai: the quarter's requests are walked through from here.</summary>
    protected override DateTimeOffset StartsAt => new(2026, 1, 1, 1, 0, 0, TimeSpan.Zero);

    [OneTimeSetUp]
    public async Task WalkAQuarterOfRequestsThroughTheWorkflowAsync()
    {
        _rows = new ApiHost(Provider, Host.Service<Api.Infrastructure.Database.Db>().ConnectionString, Host.Clock,
            new Dictionary<string, string?> { [FigureSums.UseRollupSetting] = "false" });

        var banks = new[] { await RegisterInstitutionAsync("33"), await RegisterInstitutionAsync("33") };
        await ListProductAsync(banks[0], p => { p["kind"] = "credit_loan"; p["minRate"] = 3.5m; });
        await ListProductAsync(banks[1], p => { p["kind"] = "receivables"; p["guaranteeModes"] = new[] { "credit", "pledge" }; p["minRate"] = 4.5m; });
        var enterprises = new[]
        {
            await RegisterEnterpriseAsync("330421", e => { e["industryCode"] = "C39"; e["hasLoanHistory"] = false; }),
            await RegisterEnterpriseAsync("330482", e => e["industryCode"] = "C34"),
            await RegisterEnterpriseAsync("330106", e => e["industryCode"] = "F51"),
        };

        // 09:00 in Shanghai on every other day from 2 January to 30 March 2026; each request is done with before the next.
        var day = 0;
        for (var submitted = new DateTimeOffset(2026, 1, 2, 1, 0, 0, TimeSpan.Zero); submitted.Month <= 3; submitted = submitted.AddDays(2), day++)
        {
            Host.Clock.SetUtcNow(submitted);
            var owner = enterprises[day % enterprises.Length];
            var request = await SubmitRequestAsync(owner, 300_000m + day * 10_000m);
            await Host.RunDueJobsAsync();
            var bank = banks[day % 2];
            switch (day % 5)
            {
                case 0 or 1:   // accepted in a few hours, approved later the same day or the next, rated
                    await AnswerAsync(bank, request, submitted.AddHours(1 + day % 3), "accept");
                    await AnswerAsync(bank, request, submitted.AddHours(5 + day % 7 * 4), "feedback",
                        new { outcome = "approved", amount = 250_000m + day * 5_000m, rate = 4.6m, termMonths = 12 });
                    await EnterpriseClient(owner).PostJsonAsync($"/api/v1/financing-requests/{request}/rating", new { score = 1 + day % 5 }).ShouldBe(HttpStatusCode.OK);
                    break;
                case 2:        // declined late, the other bank rejects
                    await AnswerAsync(bank, request, submitted.AddHours(30), "decline", new { reasonCode = "capacity", reason = "额度已满" });
                    await AnswerAsync(banks[(day + 1) % 2], request, submitted.AddHours(31), "accept");
                    await AnswerAsync(banks[(day + 1) % 2], request, submitted.AddHours(33), "feedback", new { outcome = "rejected", reasonCode = "weak_repayment_capacity", reason = "经营流水不足" });
                    break;
                case 3:        // cancelled by the enterprise
                    Host.Clock.SetUtcNow(submitted.AddHours(2));
                    await EnterpriseClient(owner).PostJsonAsync($"/api/v1/financing-requests/{request}/cancel", new { reason = "已从别处融资" }).ShouldBe(HttpStatusCode.OK);
                    await Host.RunDueJobsAsync();
                    break;
                default:       // left open: dispatched, no answer
                    break;
            }
        }
    }

    [OneTimeTearDown]
    public async Task StopTheRowsNodeAsync() => await _rows.DisposeAsync();

    private async Task AnswerAsync(string institution, string request, DateTimeOffset at, string answer, object? body = null)
    {
        Host.Clock.SetUtcNow(at);
        var seen = await (await InstitutionClient(institution).GetAsync($"/api/v1/financing-requests/{request}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var dispatch = (string)seen["dispatches"]!.AsArray().Single(d => (string)d!["institutionId"]! == institution)!["id"]!;
        await InstitutionClient(institution).PostJsonAsync($"/api/v1/dispatches/{dispatch}/{answer}", body ?? new { }).ShouldBe(HttpStatusCode.OK);
        await Host.RunDueJobsAsync();
    }

    private static async Task<string> ReadAsync(ApiHost node, string path) =>
        (await (await node.ClientAs(Role.Regulator, region: "33").GetAsync(path).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync()).ToJsonString();

    [TestCase("2026-01-01", "2026-12-31", "", TestName = "A whole year")]
    [TestCase("2026-02-01", "2026-02-28", "", TestName = "A single month")]
    [TestCase("2026-01-15", "2026-03-10", "", TestName = "A period that cuts through a month at both ends")]
    [TestCase("2026-01-05", "2026-01-28", "", TestName = "A period inside one month")]
    [TestCase("2026-01-10", "2026-03-25", "", TestName = "A period whose first and last months are read whole and their odd days taken off")]
    [TestCase("2026-01-15", "2026-03-10", "C", TestName = "A cut period of an industry section")]
    [TestCase("2026-01-10", "2026-03-25", "C39", TestName = "A cut period of an industry division")]
    public async Task The_rollup_gives_the_same_summary_and_breakdowns_as_the_request_rows(string from, string to, string industry)
    {
        var filter = $"from={from}&to={to}&industry={industry}";
        var summary = $"/api/v1/statistics/summary?{filter}";
        ((long)JsonNode.Parse(await ReadAsync(_rows, summary))!["figures"]!["requestedCount"]!).ShouldBeGreaterThan(0);

        foreach (var path in Paths(filter))
            (await ReadAsync(Host, path)).ShouldBe(await ReadAsync(_rows, path), path);
    }

    /// <summary>
    /// statistics_rollup_rebuild (run by migration 0014 over the requests stored before it, and by the data generator after
    /// a bulk load) recomputes the roll-up a month at a time: it must give the figures the writes' deltas gave, in periods
    /// that cut through the months it rebuilds one by one.
    /// </summary>
    [Test]
    public async Task A_rebuilt_rollup_gives_the_figures_the_writes_kept()
    {
        var paths = new[] { "from=2026-01-01&to=2026-12-31", "from=2026-01-15&to=2026-03-10", "from=2026-02-01&to=2026-02-28&industry=C" }
            .SelectMany(Paths).ToArray();
        var kept = new List<string>();
        foreach (var path in paths) kept.Add(await ReadAsync(Host, path));

        await using (var connection = await Host.Service<Api.Infrastructure.Database.Db>().OpenAsync())
            await connection.ExecuteAsync("SELECT statistics_rollup_rebuild()");

        for (var i = 0; i < paths.Length; i++)
        {
            (await ReadAsync(Host, paths[i])).ShouldBe(kept[i], paths[i]);
            (await ReadAsync(_rows, paths[i])).ShouldBe(kept[i], paths[i]);
        }
    }

    private static IEnumerable<string> Paths(string filter) =>
        new[] { "region", "month", "industry", "institution", "product_kind" }.Select(by => $"/api/v1/statistics/breakdown?by={by}&{filter}")
            .Prepend($"/api/v1/statistics/summary?{filter}");
}
