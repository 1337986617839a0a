using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MiniExcelLibs;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>
/// The regulator's cockpit (驾驶舱) and 督导 list in the browser, as an analyst of Zhejiang (33) uses them: the figures are
/// the statistics API's for the same filter, an approval moves them by exactly its amount, every table downloads as CSV
/// and Excel with the same figures, another province's cockpit is refused as the API refuses it, and an overdue dispatch
/// leads to its need's timeline.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class RegulatorCockpitTests(string provider) : PortalTestBase(provider)
{
    private const string Jiashan = "330421";
    private const string Pinghu = "330482";
    private const string Haiyan = "330424";
    private const string Haining = "330481";
    private const string Nanhu = "330402";

    private readonly List<string> _consoleErrors = [];

    /// <summary>Needs of two counties of Jiaxing, approved by two banks with products of two kinds, and a target for the province.</summary>
    [OneTimeSetUp]
    public async Task SeedFiguresAsync()
    {
        // Each bank serves a county of its own, so that each need goes to the one bank meant.
        var credit = await RegisterInstitutionAsync(Jiashan);
        await ListProductAsync(credit);
        var mortgage = await RegisterInstitutionAsync(Pinghu);
        await ListProductAsync(mortgage, product =>
        {
            product["name"] = "厂房抵押贷";
            product["kind"] = "mortgage_loan";
            product["guaranteeModes"] = new[] { "mortgage", "credit" };
        });
        foreach (var (region, amount) in new[] { (Jiashan, 1_000_000m), (Jiashan, 600_000m), (Pinghu, 800_000m) })
        {
            var enterprise = await RegisterEnterpriseAsync(region, body => body["hasLoanHistory"] = region == Pinghu);
            var dispatch = await AcceptedDispatchAsync(enterprise, region == Pinghu ? mortgage : credit);
            await ApproveAsync(region == Pinghu ? mortgage : credit, dispatch, amount);
        }
        await Admin.PutJsonAsync("/api/v1/statistics/targets", new { regionCode = "33", year = 2026, approvedAmount = 20_000_000m, approvedCount = 10 })
            .ShouldBe(HttpStatusCode.OK);
    }

    [TearDown]
    public void NoConsoleErrors()
    {
        var errors = _consoleErrors.ToArray();
        _consoleErrors.Clear();
        errors.ShouldBeEmpty("the browser's console reported errors");
    }

    [Test]
    public async Task An_analyst_sees_an_approval_raise_the_figures_by_exactly_its_amount_and_downloads_them_as_csv_and_excel()
    {
        var institution = await RegisterInstitutionAsync(Haiyan);
        await ListProductAsync(institution);
        var dispatch = await AcceptedDispatchAsync(await RegisterEnterpriseAsync(Haiyan), institution);
        var page = await AnalystPageAsync();

        await Expect(page.Locator("h1")).ToHaveTextAsync("监管驾驶舱");
        await ExpectTheApiFiguresAsync(page, "");
        var before = TenThousands(await page.GetByTestId("approved-amount").TextContentAsync());
        var countBefore = long.Parse((await page.GetByTestId("approved-count").TextContentAsync())!);

        await ApproveAsync(institution, dispatch, 987_654.32m);
        await page.ReloadAsync();

        await Expect(page.GetByTestId("approved-amount")).ToHaveTextAsync(CockpitFormat.TenThousands((before + 98.765432m) * 10_000m));
        await Expect(page.GetByTestId("approved-count")).ToHaveTextAsync((countBefore + 1).ToString());
        var summary = await ExpectTheApiFiguresAsync(page, "");
        await ExpectChartsAsync(page);
        // The league table ranks the banks by the amount their approvals brought.
        var league = page.GetByTestId("table-institution").Locator("tbody tr");
        await Expect(league.First.Locator("td").Nth(3)).ToHaveTextAsync("160");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "regulator-cockpit");

        // The institutions' table as files: the same figures as the API's, the new bank's approval in its own row.
        var csv = await DownloadAsync(page, "导出 CSV：机构排行");
        csv.Take(3).ShouldBe(Encoding.UTF8.GetPreamble(), "CSV with a byte order mark, so that Excel reads the Chinese as UTF-8");
        var xlsx = await DownloadAsync(page, "导出 Excel：机构排行");
        foreach (var (file, type) in new[] { (csv, ExcelType.CSV), (xlsx, ExcelType.XLSX) })
        {
            using var stream = new MemoryStream(file);
            var rows = stream.Query(useHeaderRow: true, excelType: type).Cast<IDictionary<string, object>>().ToList();
            Convert.ToDecimal(rows[0]["撮合融资金额（元）"]).ShouldBe((decimal)summary["figures"]!["approvedAmount"]!, $"{type}: the total");
            Convert.ToInt64(rows[0]["融资笔数（获批）"]).ShouldBe((long)summary["figures"]!["approvedCount"]!, $"{type}: the total");
            var bank = rows.Single(row => Convert.ToString(row["分组"]) == institution);
            Convert.ToDecimal(bank["撮合融资金额（元）"]).ShouldBe(987_654.32m, type.ToString());
            Convert.ToInt64(bank["融资笔数（获批）"]).ShouldBe(1, type.ToString());
        }
    }

    [Test]
    public async Task The_period_and_region_filters_change_every_figure_to_the_APIs_for_that_filter()
    {
        var page = await AnalystPageAsync(Phone);

        await page.GetByLabel("地区", new() { Exact = true }).SelectOptionAsync(Pinghu);
        await page.GetByRole(AriaRole.Button, new() { Name = "查看" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"region={Pinghu}"));
        await Expect(page.GetByTestId("cockpit-scope")).ToContainTextAsync("平湖市");
        await ExpectTheApiFiguresAsync(page, $"region={Pinghu}");
        await Expect(page.GetByTestId("approved-amount")).ToHaveTextAsync("80");
        await Expect(page.GetByTestId("table-product_kind").Locator("tbody th")).ToHaveTextAsync(["抵押贷"]);
        await ExpectChartsAsync(page);
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "regulator-cockpit-filtered");

        // A period before any need: nothing to count, in every table.
        await page.GetByLabel("开始日期").FillAsync("2026-01-01");
        await page.GetByLabel("结束日期").FillAsync("2026-01-31");
        await page.GetByRole(AriaRole.Button, new() { Name = "查看" }).ClickAsync();
        await Expect(page.GetByTestId("cockpit-scope")).ToContainTextAsync("2026-01-01 至 2026-01-31");
        await ExpectTheApiFiguresAsync(page, $"from=2026-01-01&to=2026-01-31&region={Pinghu}");
        await Expect(page.GetByTestId("approved-amount")).ToHaveTextAsync("0");
        await Expect(page.GetByText("所选期间和地区没有融资需求。")).ToHaveCountAsync(5);

        // A date that is none is named beside its field, as the shelves' numbers are; so is a period that ends before it begins, in Chinese.
        await page.GotoAsync("/regulator?from=2026-13-01");
        await Expect(page.Locator("#from-error")).ToHaveTextAsync("请输入日期（年-月-日）。");
        await page.GotoAsync("/regulator?from=2026-03-01&to=2026-02-01");
        await Expect(page.Locator("#to-error")).ToHaveTextAsync("不能早于开始日期。");
    }

    [Test]
    public async Task The_league_table_gives_each_institution_its_own_on_time_answer_rate_as_the_API_does()
    {
        var body = InstitutionBody(Nanhu);
        body["name"] = "南湖准时率测试银行";
        var institution = (string)(await (await Admin.PostJsonAsync("/api/v1/institutions", body).ShouldBe(HttpStatusCode.Created)).ReadJsonAsync())["id"]!;
        await ListProductAsync(institution);
        // One need answered in time and approved; another answered after its deadline (one working day) and declined.
        var onTime = await AcceptedDispatchAsync(await RegisterEnterpriseAsync(Nanhu), institution);
        await ApproveAsync(institution, onTime, 500_000m);
        var late = await PendingDispatchAsync(await RegisterEnterpriseAsync(Nanhu), institution);
        Host.Clock.Advance(TimeSpan.FromDays(4));
        await InstitutionClient(institution).PostJsonAsync($"/api/v1/dispatches/{late}/decline", new { reasonCode = "capacity", reason = "本月额度已满" })
            .ShouldBe(HttpStatusCode.OK);

        // Its rate is over both of its answers, not only over the answers given on the need it approved.
        var groups = (await (await RegulatorClient("33").GetAsync("/api/v1/statistics/breakdown?by=institution").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["groups"]!.AsArray();
        var rate = (double?)groups.Single(group => (string)group!["key"]! == institution)!["figures"]!["onTimeAnswerRate"];
        rate.ShouldBe(0.5);

        // An institution that answered late and approved nothing has its row too: the one a regulator most needs to see.
        var laggardBody = InstitutionBody(Nanhu);
        laggardBody["name"] = "南湖迟答测试银行";
        var laggard = (string)(await (await Admin.PostJsonAsync("/api/v1/institutions", laggardBody).ShouldBe(HttpStatusCode.Created)).ReadJsonAsync())["id"]!;
        await ListProductAsync(laggard);
        var unanswered = await PendingDispatchAsync(await RegisterEnterpriseAsync(Nanhu), laggard);
        Host.Clock.Advance(TimeSpan.FromDays(4));
        await InstitutionClient(laggard).PostJsonAsync($"/api/v1/dispatches/{unanswered}/decline", new { reasonCode = "capacity", reason = "本月额度已满" })
            .ShouldBe(HttpStatusCode.OK);
        groups = (await (await RegulatorClient("33").GetAsync("/api/v1/statistics/breakdown?by=institution").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["groups"]!.AsArray();
        var laggardFigures = groups.Single(group => (string)group!["key"]! == laggard)!["figures"]!;
        ((double?)laggardFigures["onTimeAnswerRate"]).ShouldBe(0);
        ((decimal)laggardFigures["approvedAmount"]!).ShouldBe(0m);

        // The page gives the API's figures as they now stand.
        var page = await AnalystPageAsync();
        var row = page.GetByTestId("table-institution").Locator("tbody tr", new() { HasText = "南湖准时率测试银行" });
        await Expect(row.Locator("td").Nth(5)).ToHaveTextAsync(CockpitFormat.Percent(
            (double?)groups.Single(group => (string)group!["key"]! == institution)!["figures"]!["onTimeAnswerRate"]));
        var laggardRow = page.GetByTestId("table-institution").Locator("tbody tr", new() { HasText = "南湖迟答测试银行" });
        await Expect(laggardRow.Locator("td").Nth(5)).ToHaveTextAsync(CockpitFormat.Percent(0));
    }

    [Test]
    public async Task An_analyst_of_Zhejiang_is_refused_Jiangsus_cockpit_and_its_files_as_the_API_refuses_them()
    {
        var api = await RegulatorClient("33").GetAsync("/api/v1/statistics/summary?region=32");
        api.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var page = await AnalystPageAsync(Phone);

        var response = await page.GotoAsync("/regulator?region=32");

        response!.Status.ShouldBe((int)api.StatusCode);
        await Expect(page.Locator("h1")).ToHaveTextAsync("无权访问");
        (await page.Context.APIRequest.GetAsync("/regulator/export/statistics?format=csv&region=32")).Status.ShouldBe(403);
        (await page.Context.APIRequest.GetAsync("/regulator/export/statistics?format=xlsx&by=region&region=3204")).Status.ShouldBe(403);
        await ScreenshotAsync(page, "regulator-cockpit-refused");
    }

    [Test]
    public async Task An_overdue_dispatch_is_on_the_supervision_list_and_leads_to_its_needs_timeline()
    {
        var institution = await RegisterInstitutionAsync(Haining);
        await ListProductAsync(institution);
        var enterprise = await RegisterEnterpriseAsync(Haining, body => body["name"] = "海宁督导精密机械有限公司");
        var dispatch = await PendingDispatchAsync(enterprise, institution);
        // The answer deadline (one working day) passes unanswered; the supervisor finds it overdue and re-dispatches.
        Host.Clock.Advance(TimeSpan.FromDays(3));
        await using (var scope = Host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new SuperviseDeadlines());
        await Host.RunDueJobsAsync();

        var page = await AnalystPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "督导清单" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("督导清单");
        var api = await (await RegulatorClient("33").GetAsync("/api/v1/statistics/overdue").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        await Expect(page.GetByTestId("overdue-total")).ToHaveTextAsync($"共 {(long)api["total"]!} 笔逾期派单");
        var row = page.GetByTestId("table-overdue").Locator("tr", new() { HasText = "海宁督导精密机械有限公司" });
        await Expect(row).ToContainTextAsync("答复");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "regulator-overdue");
        var listed = await DownloadAsync(page, "导出 Excel：督导清单");
        using (var stream = new MemoryStream(listed))
            stream.Query(useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object>>()
                .Single(line => Convert.ToString(line["派单编号"]) == dispatch)["企业"].ShouldBe("海宁督导精密机械有限公司");

        await row.GetByRole(AriaRole.Link, new() { Name = "查看时间线：海宁督导精密机械有限公司" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("融资需求");
        await Expect(page.Locator(".timeline")).ToContainTextAsync("机构逾期未应答");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "已超时" })).ToHaveCountAsync(1);
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "regulator-request");

        // The list follows the cockpit's period and region, as the API's list and file for the same filter do.
        var timeline = page.Url;
        var inHaining = await OverdueAsync($"region={Haining}");
        inHaining.ShouldContain(dispatch);
        (await OverdueAsync($"region={Jiashan}")).ShouldNotContain(dispatch);
        (await OverdueAsync("from=2026-01-01&to=2026-01-31")).ShouldBeEmpty();
        await page.GotoAsync($"/regulator?region={Haining}");
        await page.GetByTestId("overdue-count").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/regulator/overdue\\?from=.*region={Haining}"));
        await Expect(page.GetByTestId("overdue-total")).ToHaveTextAsync($"共 {inHaining.Count} 笔逾期派单");
        await Expect(page.GetByTestId("overdue-scope")).ToContainTextAsync("海宁市");
        using (var stream = new MemoryStream(await DownloadAsync(page, "导出 CSV：督导清单")))
            stream.Query(useHeaderRow: true, excelType: ExcelType.CSV).Cast<IDictionary<string, object>>()
                .Select(line => Convert.ToString(line["派单编号"])).ShouldBe(inHaining, ignoreOrder: true);
        await page.GotoAsync($"/regulator/overdue?region={Jiashan}");
        await Expect(page.GetByTestId("overdue-total")).ToHaveTextAsync($"共 {(await OverdueAsync($"region={Jiashan}")).Count} 笔逾期派单");
        var other = await page.Context.APIRequest.GetAsync($"/regulator/export/overdue?format=csv&region={Jiashan}");
        (await other.TextAsync()).ShouldNotContain(dispatch);
        (await page.GotoAsync("/regulator/overdue?region=32"))!.Status.ShouldBe(403);
        (await page.Context.APIRequest.GetAsync("/regulator/export/overdue?format=csv&region=32")).Status.ShouldBe(403);

        var phone = await AnalystPageAsync(Phone);
        await phone.GotoAsync("/regulator/overdue");
        await Expect(phone.GetByTestId("table-overdue")).ToBeVisibleAsync();
        await ScreenshotAsync(phone, "regulator-overdue");
        await phone.GotoAsync(timeline);
        await ScreenshotAsync(phone, "regulator-request");
    }

    /// <summary>A new analyst of a Zhejiang regulator office, second factor set up, signed in (with the code) on a new page: the cockpit.</summary>
    private async Task<IPage> AnalystPageAsync(int width = Desktop)
    {
        var office = await (await Admin.PostJsonAsync("/api/v1/admin/regulator-offices", new { name = "浙江测试监管局", region = "33" })
            .ShouldBe(HttpStatusCode.Created)).ReadJsonAsync();
        var (login, _) = await Host.InviteNewPersonAsync(Admin, "regulator", (string)office["id"]!, "analyst");
        var secret = await Host.TurnOnMfaAsync(await Host.SignInAsync(login));
        var page = await NewPageAsync(width);
        page.Console += (_, message) =>
        {
            // The refused page's own 403 is the answer a test expects, not an error of the page.
            if (message.Type == "error" && !message.Text.Contains("status of 403", StringComparison.Ordinal)) lock (_consoleErrors) _consoleErrors.Add(message.Text);
        };
        page.PageError += (_, error) =>
        {
            lock (_consoleErrors) _consoleErrors.Add(error);
        };
        await page.GotoAsync("/sign-in");
        await SubmitSignInAsync(page, login, totp: Host.Totp(secret));
        await Expect(page).ToHaveURLAsync(new Regex("/regulator$"));
        return page;
    }

    /// <summary>The ids of the API's 督导 list (all of it) for a query string.</summary>
    private async Task<List<string>> OverdueAsync(string query) =>
        (await (await RegulatorClient("33").GetAsync($"/api/v1/statistics/overdue?pageSize=200&{query}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["items"]!
        .AsArray().Select(item => (string)item!["id"]!).ToList();

    /// <summary>The page's target table and key figures are the summary API's for the same query string; returns the summary.</summary>
    private async Task<JsonNode> ExpectTheApiFiguresAsync(IPage page, string query)
    {
        var summary = await (await RegulatorClient("33").GetAsync($"/api/v1/statistics/summary?{query}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var figures = summary["figures"]!;
        await Expect(page.GetByTestId("approved-amount")).ToHaveTextAsync(CockpitFormat.TenThousands((decimal)figures["approvedAmount"]!));
        await Expect(page.GetByTestId("approved-count")).ToHaveTextAsync(((long)figures["approvedCount"]!).ToString());
        await Expect(page.GetByTestId("requested-count")).ToHaveTextAsync(((long)figures["requestedCount"]!).ToString());
        await Expect(page.GetByTestId("approval-rate")).ToHaveTextAsync(CockpitFormat.Percent((double?)figures["approvalRate"]));
        await Expect(page.GetByTestId("credit-loan-share")).ToHaveTextAsync(CockpitFormat.Percent((double?)figures["creditLoanShare"]));
        await Expect(page.GetByTestId("on-time-rate")).ToHaveTextAsync(CockpitFormat.Percent((double?)figures["onTimeAnswerRate"]));
        return summary;
    }

    /// <summary>Every chart of the page is drawn: ECharts put a canvas in it.</summary>
    private static async Task ExpectChartsAsync(IPage page)
    {
        var charts = page.Locator("[data-chart]");
        (await charts.CountAsync()).ShouldBeGreaterThan(0);
        foreach (var chart in await charts.AllAsync()) await Expect(chart.Locator("canvas")).ToHaveCountAsync(1);
    }

    private static async Task<byte[]> DownloadAsync(IPage page, string button)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = button }).ClickAsync());
        await using var stream = await download.CreateReadStreamAsync();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private async Task ApproveAsync(string institution, string dispatch, decimal amount) =>
        await InstitutionClient(institution).PostJsonAsync($"/api/v1/dispatches/{dispatch}/feedback",
            new { outcome = "approved", amount, rate = 4.35m, termMonths = 12 }).ShouldBe(HttpStatusCode.OK);

    private static decimal TenThousands(string? text) => decimal.Parse(text!.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
}
