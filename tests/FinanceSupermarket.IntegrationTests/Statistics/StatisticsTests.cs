using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;

namespace FinanceSupermarket.IntegrationTests.Statistics;

/// <summary>
/// A known data set walked through the workflow with a controlled clock, and every figure checked against the value
/// computed by hand (in the comments). Jobs do not run here: each workflow step is driven by the test.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class StatisticsTests(string provider) : ApiTestBase(provider)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Workflow:InstitutionsPerRequest"] = "2" };

    private string _bankA = "", _bankB = "", _r1 = "", _r2 = "", _r3 = "", _r4 = "";

    [OneTimeSetUp]
    public async Task BuildTheKnownDataSetAsync()
    {
        _bankA = await RegisterInstitutionAsync("37");
        _bankB = await RegisterInstitutionAsync("37");
        await ListProductAsync(_bankA, p => { p["name"] = "青岛信用贷"; p["kind"] = "credit_loan"; p["minRate"] = 3.5m; });
        await ListProductAsync(_bankB, p => { p["name"] = "青岛应收账款贷"; p["kind"] = "receivables"; p["guaranteeModes"] = new[] { "credit", "pledge" }; p["minRate"] = 4.5m; });
        var e1 = await RegisterEnterpriseAsync("370211", e => { e["hasLoanHistory"] = false; e["industryCode"] = "C34"; });   // 首贷户
        var e2 = await RegisterEnterpriseAsync("370211", e => e["industryCode"] = "F51");
        var e3 = await RegisterEnterpriseAsync("370602", e => e["industryCode"] = "C39");

        // t0 = Monday 2 March 2026, 09:00 in Shanghai. R1 and R2 are published and dispatched to both banks (due Tuesday 09:00).
        _r1 = await SubmitRequestAsync(e1, 1_000_000m);
        _r2 = await SubmitRequestAsync(e2, 2_000_000m);
        _r3 = await SubmitRequestAsync(e3, 500_000m);   // stays submitted
        await PublishAsync(_r1);
        await PublishAsync(_r2);

        await At(2, () => AnswerAsync(_bankA, _r1, "accept"));                       // R1 first answer 2 h, on time
        await At(3, () => AnswerAsync(_bankA, _r2, "accept"));                       // R2 first answer 3 h, on time
        await At(4, () => AnswerAsync(_bankA, _r1, "feedback", new { outcome = "approved", amount = 900_000m, rate = 3.8m, termMonths = 12 })); // R1 result 4 h
        await At(26, () => AnswerAsync(_bankB, _r2, "decline", new { reasonCode = "capacity", reason = "额度已满" }));  // late: due Tuesday 09:00
        await At(26, () => DispatchAsync(_r2));                                      // the re-dispatch job finds no one else
        await At(27, () => AnswerAsync(_bankA, _r2, "feedback", new { outcome = "rejected", reasonCode = "weak_repayment_capacity", reason = "经营流水不足" }));
        await At(27, () => DispatchAsync(_r2));                                      // R2 expires, result 27 h
        await EnterpriseClient(e1).PostJsonAsync($"/api/v1/financing-requests/{_r1}/rating", new { score = 4 }).ShouldBe(HttpStatusCode.OK);
        await EnterpriseClient(e2).PostJsonAsync($"/api/v1/financing-requests/{_r2}/rating", new { score = 2 }).ShouldBe(HttpStatusCode.OK);

        // R4: 31 March 17:00 UTC is already 1 April 01:00 in Shanghai, so it belongs to April. Due Thursday 2 April 01:00.
        Host.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 31, 17, 0, 0, TimeSpan.Zero));
        _r4 = await SubmitRequestAsync(e1, 600_000m);
        await PublishAsync(_r4);
        var april = Host.Clock.GetUtcNow();
        Host.Clock.SetUtcNow(april.AddHours(30));
        await AnswerAsync(_bankB, _r4, "accept");                                   // R4 first answer 30 h, late
        Host.Clock.SetUtcNow(april.AddHours(31));
        await AnswerAsync(_bankB, _r4, "feedback", new { outcome = "approved", amount = 600_000m, rate = 4.6m, termMonths = 12 }); // result 31 h, not credit

        async Task At(int hours, Func<Task> step)
        {
            Host.Clock.SetUtcNow(Start.AddHours(hours));
            await step();
        }
    }

    /// <summary>Publishes and dispatches one request, as its two jobs would (no background jobs run here, so R3 stays submitted).</summary>
    private async Task PublishAsync(string requestId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new PublishRequest(requestId))).ShouldBeTrue();
        (await DispatchAsync(requestId)).ShouldBeGreaterThan(0);
    }

    /// <summary>The dispatch step of one request, as the job after publishing, a decline or a rejection runs it.</summary>
    private async Task<int> DispatchAsync(string requestId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new DispatchRequest(requestId));
    }

    private async Task AnswerAsync(string institution, string requestId, string answer, object? body = null)
    {
        var inbox = await (await InstitutionClient(institution).GetAsync("/api/v1/dispatches?pageSize=100").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var dispatch = (string)inbox["items"]!.AsArray().Single(item => (string)item!["requestId"]! == requestId)!["id"]!;
        await InstitutionClient(institution).PostJsonAsync($"/api/v1/dispatches/{dispatch}/{answer}", body ?? new { }).ShouldBe(HttpStatusCode.OK);
    }

    private async Task<JsonNode> GetAsync(HttpClient client, string path) => await (await client.GetAsync(path).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

    [Test]
    public async Task The_summary_for_march_counts_each_figure_as_computed_by_hand()
    {
        var f = (await GetAsync(RegulatorClient("37"), "/api/v1/statistics/summary?from=2026-03-01&to=2026-03-31"))["figures"]!;

        ((long)f["requestedCount"]!).ShouldBe(3);                      // R1 R2 R3
        ((decimal)f["requestedAmount"]!).ShouldBe(3_500_000m);
        ((long)f["publishedCount"]!).ShouldBe(2);                      // R1 R2
        ((long)f["dispatchedCount"]!).ShouldBe(2);
        ((long)f["acceptedCount"]!).ShouldBe(2);                       // A took both
        ((long)f["approvedCount"]!).ShouldBe(1);                       // 融资笔数: R1
        ((decimal)f["approvedAmount"]!).ShouldBe(900_000m);            // 撮合融资金额
        ((double)f["approvalRate"]!).ShouldBe(0.5);                    // 1 approved of 2 decided (R1 resolved, R2 expired)
        ((long)f["firstLoanApprovedCount"]!).ShouldBe(1);              // R1 by a 首贷户
        ((double)f["creditLoanShare"]!).ShouldBe(1.0);                 // A's credit loan
        ((double)f["onTimeAnswerRate"]!).ShouldBe(2.0 / 3, 1e-9);      // A on time twice, B late once
        ((double)f["medianHoursToFirstAnswer"]!).ShouldBe(2.5);        // 2 and 3
        ((double)f["p90HoursToFirstAnswer"]!).ShouldBe(2.9, 1e-9);
        ((double)f["medianHoursToResult"]!).ShouldBe(15.5);            // 4 and 27
        ((double)f["averageRating"]!).ShouldBe(3.0);                   // 4 and 2
    }

    [Test]
    public async Task The_summary_for_the_year_adds_the_april_request_counted_in_shanghai_time()
    {
        var f = (await GetAsync(RegulatorClient("37"), "/api/v1/statistics/summary?from=2026-01-01&to=2026-12-31"))["figures"]!;

        ((long)f["requestedCount"]!).ShouldBe(4);
        ((decimal)f["approvedAmount"]!).ShouldBe(1_500_000m);          // 900,000 + 600,000
        ((double)f["approvalRate"]!).ShouldBe(2.0 / 3, 1e-9);          // R1 R4 approved of R1 R2 R4
        ((long)f["firstLoanApprovedCount"]!).ShouldBe(1);              // R4 is e1's second approval: no longer a first loan
        ((double)f["creditLoanShare"]!).ShouldBe(0.6, 1e-9);           // 900,000 of 1,500,000
        ((double)f["onTimeAnswerRate"]!).ShouldBe(0.5);                // 2 of 4
        ((double)f["medianHoursToFirstAnswer"]!).ShouldBe(3.0);        // 2, 3, 30
        ((double)f["p90HoursToFirstAnswer"]!).ShouldBe(24.6, 1e-9);    // 3 + 0.8 × 27
        ((double)f["medianHoursToResult"]!).ShouldBe(27.0);            // 4, 27, 31

        var marchLastDay = (await GetAsync(RegulatorClient("37"), "/api/v1/statistics/summary?from=2026-03-31&to=2026-03-31"))["figures"]!;
        ((long)marchLastDay["requestedCount"]!).ShouldBe(0);
    }

    [Test]
    public async Task Filters_by_region_and_industry_prefix_narrow_the_figures()
    {
        var county = (await GetAsync(RegulatorClient("37"), "/api/v1/statistics/summary?from=2026-01-01&to=2026-12-31&region=370602"))["figures"]!;
        ((long)county["requestedCount"]!).ShouldBe(1);
        ((decimal)county["requestedAmount"]!).ShouldBe(500_000m);
        county["approvalRate"].ShouldBeNull();

        var manufacturing = (await GetAsync(RegulatorClient("37"), "/api/v1/statistics/summary?from=2026-01-01&to=2026-12-31&industry=C"))["figures"]!;
        ((long)manufacturing["requestedCount"]!).ShouldBe(3);          // R1 R4 (C34) and R3 (C39)
        ((decimal)manufacturing["approvedAmount"]!).ShouldBe(1_500_000m);
    }

    [Test]
    public async Task Breakdowns_give_the_same_figures_per_region_month_industry_institution_and_product_kind()
    {
        async Task<Dictionary<string, JsonNode>> GroupsAsync(string by) =>
            (await GetAsync(RegulatorClient("37"), $"/api/v1/statistics/breakdown?by={by}&from=2026-01-01&to=2026-12-31"))["groups"]!.AsArray()
            .ToDictionary(group => (string)group!["key"]!, group => group!["figures"]!);

        var regions = await GroupsAsync("region");
        regions.Keys.ShouldBe(["3702", "3706"]);
        ((long)regions["3702"]["requestedCount"]!).ShouldBe(3);
        ((decimal)regions["3702"]["approvedAmount"]!).ShouldBe(1_500_000m);
        ((long)regions["3706"]["requestedCount"]!).ShouldBe(1);

        var months = await GroupsAsync("month");
        months.Keys.ShouldBe(["2026-03", "2026-04"]);
        ((decimal)months["2026-03"]["approvedAmount"]!).ShouldBe(900_000m);
        ((decimal)months["2026-04"]["approvedAmount"]!).ShouldBe(600_000m);

        var industries = await GroupsAsync("industry");
        industries.Keys.ShouldBe(["C34", "C39", "F51"]);

        var institutions = await GroupsAsync("institution");
        ((decimal)institutions[_bankA]["approvedAmount"]!).ShouldBe(900_000m);
        ((decimal)institutions[_bankB]["approvedAmount"]!).ShouldBe(600_000m);
        ((long)institutions[""]["requestedCount"]!).ShouldBe(2);       // R2 expired, R3 never published

        var kinds = await GroupsAsync("product_kind");
        ((decimal)kinds["credit_loan"]["approvedAmount"]!).ShouldBe(900_000m);
        ((decimal)kinds["receivables"]["approvedAmount"]!).ShouldBe(600_000m);

        await RegulatorClient("37").GetAsync("/api/v1/statistics/breakdown?by=weather").ShouldBe(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_regulator_sees_only_its_own_region_and_nothing_leaks_from_another()
    {
        var jiangsu = (await GetAsync(RegulatorClient("32"), "/api/v1/statistics/summary?from=2026-01-01&to=2026-12-31"))["figures"]!;
        ((long)jiangsu["requestedCount"]!).ShouldBe(0);
        ((decimal)jiangsu["approvedAmount"]!).ShouldBe(0m);

        await RegulatorClient("32").GetAsync("/api/v1/statistics/summary?region=37").ShouldBe(HttpStatusCode.Forbidden);
        await RegulatorClient("3706").GetAsync("/api/v1/statistics/breakdown?by=region&region=37").ShouldBe(HttpStatusCode.Forbidden);
        var own = (await GetAsync(RegulatorClient("3706"), "/api/v1/statistics/breakdown?by=region&from=2026-01-01&to=2026-12-31"))["groups"]!.AsArray();
        own.Select(group => (string)group!["key"]!).ShouldBe(["370602"]);
        await EnterpriseClient(Guid.NewGuid().ToString()).GetAsync("/api/v1/statistics/summary").ShouldBe(HttpStatusCode.Forbidden);
        await Anonymous.GetAsync("/api/v1/statistics/summary").ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Yearly_targets_set_by_an_admin_show_progress()
    {
        await RegulatorClient("37").PutJsonAsync("/api/v1/statistics/targets", new { regionCode = "37", year = 2026, approvedAmount = 3_000_000m, approvedCount = 4 })
            .ShouldBe(HttpStatusCode.Forbidden);
        await Admin.PutJsonAsync("/api/v1/statistics/targets", new { regionCode = "37", year = 2026, approvedAmount = 3_000_000m, approvedCount = 4 })
            .ShouldBe(HttpStatusCode.OK);

        var target = (await GetAsync(RegulatorClient("37"), "/api/v1/statistics/summary?from=2026-01-01&to=2026-12-31"))["figures"]!["target"]!;
        ((double)target["amountProgress"]!).ShouldBe(0.5);             // 1,500,000 of 3,000,000
        ((double)target["countProgress"]!).ShouldBe(0.5);              // 2 of 4
    }

    [Test]
    public async Task Breakdown_groups_and_the_export_name_every_code_and_institution()
    {
        async Task<SortedDictionary<string, string?>> NamesAsync(string by) =>
            new((await GetAsync(RegulatorClient("37"), $"/api/v1/statistics/breakdown?by={by}&from=2026-01-01&to=2026-12-31"))["groups"]!.AsArray()
                .ToDictionary(group => (string)group!["key"]!, group => (string?)group!["name"]), StringComparer.Ordinal);

        (await NamesAsync("region")).ShouldBe(new SortedDictionary<string, string?>(StringComparer.Ordinal) { ["3702"] = "青岛市", ["3706"] = "烟台市" });
        (await NamesAsync("industry")).ShouldBe(new SortedDictionary<string, string?>(StringComparer.Ordinal)
        {
            ["C34"] = "通用设备制造业", ["C39"] = "计算机、通信和其他电子设备制造业", ["F51"] = "批发业",
        });
        (await NamesAsync("institution")).ShouldBe(new SortedDictionary<string, string?>(StringComparer.Ordinal) { [_bankA] = "测试农商银行", [_bankB] = "测试农商银行", [""] = "未获批" });
        (await NamesAsync("product_kind")).ShouldBe(new SortedDictionary<string, string?>(StringComparer.Ordinal) { ["credit_loan"] = "信用贷", ["receivables"] = "应收账款融资", [""] = "未获批" });

        var csv = Encoding.UTF8.GetString(await (await RegulatorClient("37")
            .GetAsync("/api/v1/statistics/export?format=csv&by=institution&from=2026-01-01&to=2026-12-31").ShouldBe(HttpStatusCode.OK))
            .Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF');
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("分组,名称,");
        lines[1].ShouldStartWith("\"合计 37 2026-01-01–2026-12-31\",山东省,");
        lines.ShouldContain(line => line.StartsWith($"{_bankA},测试农商银行,"));
        lines.ShouldContain(line => line.StartsWith("（无）,未获批,"));
        var byIndustry = Encoding.UTF8.GetString(await (await RegulatorClient("37")
            .GetAsync("/api/v1/statistics/export?format=csv&by=industry&industry=C&from=2026-01-01&to=2026-12-31").ShouldBe(HttpStatusCode.OK))
            .Content.ReadAsByteArrayAsync());
        byIndustry.ShouldContain("C39,计算机、通信和其他电子设备制造业,");
        byIndustry.ShouldContain("山东省 · 制造业");
    }

    [Test]
    public async Task The_export_opens_as_a_spreadsheet_with_chinese_headings()
    {
        var csvResponse = await RegulatorClient("37").GetAsync("/api/v1/statistics/export?format=csv&by=month&from=2026-01-01&to=2026-12-31").ShouldBe(HttpStatusCode.OK);
        csvResponse.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var csvBytes = await csvResponse.Content.ReadAsByteArrayAsync();
        csvBytes.Take(3).ShouldBe(Encoding.UTF8.GetPreamble());        // Excel then reads UTF-8
        var lines = Encoding.UTF8.GetString(csvBytes[3..]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("分组,名称,申请笔数,申请金额（元）");
        lines[0].ShouldContain("撮合融资金额（元）");
        lines.Length.ShouldBe(4);                                       // headings, total, March, April
        lines[1].ShouldContain("1500000");

        var xlsx = await (await RegulatorClient("37").GetAsync("/api/v1/statistics/export?format=xlsx&from=2026-01-01&to=2026-12-31").ShouldBe(HttpStatusCode.OK))
            .Content.ReadAsByteArrayAsync();
        using var stream = new MemoryStream(xlsx);
        var rows = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        rows.Count.ShouldBe(1);
        Convert.ToDecimal(rows[0]["撮合融资金额（元）"]).ShouldBe(1_500_000m);
        Convert.ToInt64(rows[0]["融资笔数（获批）"]).ShouldBe(2);
    }
}
