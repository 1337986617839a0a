using System.Net;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>
/// The institution's workbench in the browser: an officer answers dispatched needs against the clock, the manager looks
/// after the products, the staff and the integration. Each test has an institution of its own, in a county of its own,
/// so that what it counts and sees is its own; the fixture's host and database are shared.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class InstitutionWorkbenchTests(string provider) : PortalTestBase(provider)
{
    // The test's webhook receiver runs on this machine over plain http (WebhookDeliveryTests says why that is allowed here).
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Webhooks:RequireHttps"] = "false",
        ["Webhooks:AllowedPrivateNetworks:0"] = "127.0.0.0/8",
    };

    [Test]
    public async Task An_officer_finds_a_new_need_at_the_top_of_the_inbox_accepts_it_and_posts_an_approval_the_enterprise_then_sees()
    {
        const string county = "330402";
        var (institution, officer) = await InstitutionWithOfficerAsync(county, "浏览器农商银行", "工作台信用贷");
        var (ownerLogin, _, owner) = await Host.NewEnterpriseOwnerAsync(EnterpriseBody(county));
        var requestId = (string)(await (await owner.Client.PostJsonAsync("/api/v1/financing-requests", RequestBody()).ShouldBe(HttpStatusCode.Created))
            .ReadJsonAsync())["id"]!;
        await Host.RunDueJobsAsync();

        var page = await NewPageAsync();
        await SignInAsStaffAsync(page, officer);
        await page.GetByRole(AriaRole.Link, new() { Name = "待办派单" }).ClickAsync();
        var first = page.GetByTestId("inbox-item").First;
        await Expect(first).ToContainTextAsync("嘉善测试电子有限公司");
        await Expect(first).ToContainTextAsync("100 万元 · 12 个月");
        await Expect(first.GetByTestId("answer-clock")).ToHaveAttributeAsync("data-state", "InTime");
        await Expect(first.GetByTestId("answer-clock")).ToContainTextAsync("剩余 1 个工作日");
        await CheckAccessibilityAsync(page);
        await ScreenshotAtBothWidthsAsync(page, "institution-inbox");

        await first.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("派单：嘉善测试电子有限公司");
        await Expect(page.GetByTestId("enterprise")).ToContainTextAsync("南湖区");
        await Expect(page.GetByTestId("reasons")).ToContainTextAsync("金额");
        await CheckAccessibilityAsync(page);
        await ScreenshotAtBothWidthsAsync(page, "institution-dispatch-pending");

        await page.GetByRole(AriaRole.Button, new() { Name = "受理", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("dispatch-status")).ToHaveTextAsync("已受理");
        await Expect(page.GetByTestId("answer-clock")).ToContainTextAsync("结果反馈时限");
        // An amount above what was asked is refused beside its field, in Chinese; the form keeps what was typed.
        await page.GetByLabel("获批金额（万元）").FillAsync("150");
        await page.GetByLabel("年利率（%）").FillAsync("4.35");
        await page.GetByLabel("期限（月）").FillAsync("12");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交结果" }).ClickAsync();
        await Expect(page.Locator("#approved-amount-error")).ToContainTextAsync("须在 100000 至 1000000 元之间");
        await Expect(page.GetByLabel("年利率（%）")).ToHaveValueAsync("4.35");
        await CheckAccessibilityAsync(page);
        await ScreenshotAtBothWidthsAsync(page, "institution-dispatch-feedback");
        await page.GetByLabel("获批金额（万元）").FillAsync("80");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交结果" }).ClickAsync();
        await Expect(page.GetByTestId("result")).ToHaveTextAsync("已获批：80 万元，年利率 4.35%，期限 12 个月");

        var enterprise = await NewPageAsync();
        await SignInAsync(enterprise, ownerLogin);
        await Expect(enterprise).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/enterprise(/requests)?$"));
        await enterprise.GotoAsync($"/enterprise/requests/{requestId}");
        await Expect(enterprise.GetByTestId("request-status")).ToHaveTextAsync("已办结");
        await Expect(enterprise.GetByTestId("approved")).ToContainTextAsync("已获批：80 万元，年利率 4.35%，期限 12 个月");
        await Expect(enterprise.GetByTestId("dispatch")).ToContainTextAsync("浏览器农商银行");

        // The officer corrects the amount posted (the API's correction): a reason is required, then both pages show the new terms.
        await page.GetByText("更正审批结果").ClickAsync();
        await Expect(page.GetByLabel("更正后金额（万元）")).ToHaveValueAsync("80");
        await page.GetByLabel("更正后金额（万元）").FillAsync("90");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交更正" }).ClickAsync();
        await Expect(page.Locator("#correct-reason-error")).ToHaveTextAsync("请说明更正的原因。");
        await Expect(page.GetByLabel("更正后金额（万元）")).ToHaveValueAsync("90");
        await CheckAccessibilityAsync(page);
        await ScreenshotAtBothWidthsAsync(page, "institution-dispatch-correction");
        await page.GetByLabel("更正原因").FillAsync("录入错误，实际审批 90 万元");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交更正" }).ClickAsync();
        await Expect(page.GetByTestId("result")).ToHaveTextAsync("已获批：90 万元，年利率 4.35%，期限 12 个月");
        await enterprise.ReloadAsync();
        await Expect(enterprise.GetByTestId("approved")).ToContainTextAsync("已获批：90 万元，年利率 4.35%，期限 12 个月");
    }

    [Test]
    public async Task The_answer_clock_turns_amber_in_its_last_half_working_day_and_red_once_overdue()
    {
        const string county = "330411";
        var (institution, officer) = await InstitutionWithOfficerAsync(county);
        var dispatch = await PendingDispatchAsync(await RegisterEnterpriseAsync(county), institution);
        // Dispatched now with one working day to answer: amber for its last 12 hours, red after its deadline.
        Host.Clock.Advance(TimeSpan.FromHours(13));
        var page = await NewPageAsync();
        await SignInAsStaffAsync(page, officer);
        await page.GotoAsync($"/institution/dispatches/{dispatch}");
        await Expect(page.GetByTestId("answer-clock")).ToHaveAttributeAsync("data-state", "LastHalfDay");
        await Expect(page.GetByTestId("answer-clock")).ToContainTextAsync("即将到期");

        // A browser session idle that long has ended: the officer signs in again.
        Host.Clock.Advance(TimeSpan.FromHours(12));
        await SignInAsStaffAsync(page, officer);
        await page.GotoAsync("/institution/inbox");
        var item = page.GetByTestId("inbox-item").Filter(new() { Has = page.Locator($"a[href='/institution/dispatches/{dispatch}']") });
        await Expect(item.GetByTestId("answer-clock")).ToHaveAttributeAsync("data-state", "Overdue");
        await Expect(item.GetByTestId("answer-clock")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("clock-overdue"));
        await Expect(item.GetByTestId("answer-clock")).ToContainTextAsync("已逾期");
        await CheckAccessibilityAsync(page);
        await ScreenshotAtBothWidthsAsync(page, "institution-inbox-overdue");
    }

    [Test]
    public async Task Another_institutions_dispatch_is_the_same_404_page_as_the_API_answers()
    {
        const string county = "330421";
        var (_, officer) = await InstitutionWithOfficerAsync(county);
        var other = await RegisterInstitutionAsync("330424");
        await ListProductAsync(other, product => product["regionCodes"] = new[] { "330424" });
        var theirs = await PendingDispatchAsync(await RegisterEnterpriseAsync("330424"), other);

        var page = await NewPageAsync(Phone);
        await SignInAsStaffAsync(page, officer);
        var response = await page.GotoAsync($"/institution/dispatches/{theirs}");
        response!.Status.ShouldBe(404);
        await Expect(page.Locator("h1")).ToHaveTextAsync("页面不存在");
        var api = await Host.SignInAsync(officer);
        await api.Client.GetAsync($"/api/v1/dispatches/{theirs}").ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_officer_declines_with_a_reason_from_the_list_and_other_needs_its_words()
    {
        const string county = "330481";
        var (institution, officer) = await InstitutionWithOfficerAsync(county);
        var dispatch = await PendingDispatchAsync(await RegisterEnterpriseAsync(county), institution);
        var page = await NewPageAsync(Phone);
        await SignInAsStaffAsync(page, officer);
        await page.GotoAsync($"/institution/dispatches/{dispatch}");

        await page.GetByLabel("婉拒原因").SelectOptionAsync(new SelectOptionValue { Label = "其他原因" });
        await page.GetByRole(AriaRole.Button, new() { Name = "婉拒", Exact = true }).ClickAsync();
        await Expect(page.Locator("#decline-words-error")).ToHaveTextAsync("选择“其他原因”时，请说明原因。");
        await CheckAccessibilityAsync(page);

        await page.GetByLabel("婉拒原因").SelectOptionAsync(new SelectOptionValue { Label = "不在本机构服务区域" });
        await page.GetByLabel("说明（选“其他原因”时必填）").FillAsync("该企业不在本行网点覆盖范围");
        await page.GetByRole(AriaRole.Button, new() { Name = "婉拒", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("dispatch-status")).ToHaveTextAsync("已婉拒");
        await Expect(page.GetByTestId("result")).ToHaveTextAsync("已婉拒：不在本机构服务区域：该企业不在本行网点覆盖范围");
        await ScreenshotAtBothWidthsAsync(page, "institution-dispatch-declined");

        // The inbox lists it under its status.
        await page.GotoAsync("/institution/inbox?status=declined");
        await Expect(page.GetByTestId("inbox-item")).ToHaveCountAsync(1);
    }

    [Test]
    public async Task A_product_change_previews_the_needs_it_would_match_and_one_made_from_a_stale_form_is_refused()
    {
        const string county = "330482";
        var (institution, officer) = await InstitutionWithOfficerAsync(county, productName: "海宁经营贷");
        await SubmitRequestAsync(await RegisterEnterpriseAsync(county));   // an open need of 100 万元 in the county
        var product = (string)(await (await InstitutionClient(institution).GetAsync($"/api/v1/institutions/{institution}/products")
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())[0]!["id"]!;
        var page = await NewPageAsync();
        await SignInAsStaffAsync(page, officer);
        await page.GetByRole(AriaRole.Link, new() { Name = "本机构产品" }).ClickAsync();
        await Expect(page.GetByTestId("own-product")).ToContainTextAsync("海宁经营贷");
        await CheckAccessibilityAsync(page);
        await ScreenshotAtBothWidthsAsync(page, "institution-products");

        await page.GetByTestId("own-product").GetByRole(AriaRole.Link, new() { Name = "修改" }).ClickAsync();
        await page.GetByLabel("最低额度（万元）").FillAsync("200");
        await page.GetByRole(AriaRole.Button, new() { Name = "预览可匹配需求数" }).ClickAsync();
        await Expect(page.GetByTestId("product-preview")).ToHaveTextAsync("平台上共有 1 条未办结需求在本机构服务区域内：产品现可匹配 1 条，修改后可匹配 0 条。");
        await CheckAccessibilityAsync(page);
        await ScreenshotAtBothWidthsAsync(page, "institution-product-change");

        // Meanwhile the bank's own system changes the product (with the ETag it read): the form's version is stale.
        var system = InstitutionClient(institution);
        var path = $"/api/v1/products/{product}";
        var terms = await (await system.GetAsync(path)).ReadJsonAsync();
        terms["name"] = "海宁经营贷（系统修改）";
        await system.PutJsonAsync(path, terms, await system.ETagAsync(path)).ShouldBe(HttpStatusCode.OK);
        await page.GetByLabel("产品名称").FillAsync("海宁经营贷（页面修改）");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("已被他人修改，您的修改没有保存");
        await Expect(page.GetByLabel("产品名称")).ToHaveValueAsync("海宁经营贷（页面修改）");
        ((string)(await (await system.GetAsync(path)).ReadJsonAsync())["name"]!).ShouldBe("海宁经营贷（系统修改）");

        await page.GetByRole(AriaRole.Link, new() { Name = "重新打开此产品，查看最新内容" }).ClickAsync();
        await Expect(page.GetByLabel("产品名称")).ToHaveValueAsync("海宁经营贷（系统修改）");
        await page.GetByLabel("最高年利率（%）").FillAsync("6.8");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("产品已保存，货架与匹配随即更新。");
        ((decimal)(await (await system.GetAsync(path)).ReadJsonAsync())["maxRate"]!).ShouldBe(6.8m);

        await page.GetByTestId("own-product").GetByRole(AriaRole.Button, new() { Name = "下架" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("产品已下架，不再参与匹配。");
        await Expect(page.GetByTestId("own-product").First).ToContainTextAsync("已下架");
    }

    [Test]
    public async Task A_manager_invites_an_officer_sends_a_webhook_test_that_shows_delivered_registers_an_api_client_and_reads_the_figures()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        const string county = "330483";
        var (institution, officer) = await InstitutionWithOfficerAsync(county);
        await AcceptedDispatchAsync(await RegisterEnterpriseAsync(county), institution);
        var (manager, _) = await Host.InviteNewPersonAsync(Admin, "institution", institution, "manager");
        var secret = await Host.TurnOnMfaAsync(await Host.SignInAsync(manager));
        var page = await NewPageAsync();
        await page.GotoAsync("/sign-in");
        await SubmitSignInAsync(page, manager, totp: Host.Totp(secret));
        await page.GetByRole(AriaRole.Link, new() { Name = "人员" }).ClickAsync();

        await Expect(page.GetByTestId("staff")).ToContainTextAsync(officer);
        var newcomer = People.NewLogin("officer");
        await page.GetByLabel("同事的账号（电子邮箱或手机号）").FillAsync(newcomer);
        await page.GetByLabel("角色").SelectOptionAsync(new SelectOptionValue { Label = "信贷员" });
        await page.GetByRole(AriaRole.Button, new() { Name = "生成邀请码" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "邀请码：" })).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);
        await ScreenshotAtBothWidthsAsync(page, "institution-staff");

        await page.GetByRole(AriaRole.Link, new() { Name = "系统对接" }).ClickAsync();
        await page.GetByLabel("接收地址").FillAsync(receiver.Url);
        await page.GetByRole(AriaRole.Button, new() { Name = "保存接收地址" }).ClickAsync();
        await Expect(page.GetByTestId("secret")).ToContainTextAsync("whsec_");
        await page.GetByRole(AriaRole.Button, new() { Name = "发送测试消息" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("测试消息已发出");
        await Host.RunDueJobsAsync();
        await page.ReloadAsync();
        await Expect(page.GetByTestId("deliveries")).ToContainTextAsync("webhook.test");
        await Expect(page.GetByTestId("deliveries")).ToContainTextAsync("已送达");
        receiver.Deliveries.ShouldHaveSingleItem().Event.ShouldBe("webhook.test");
        await page.GetByLabel("客户端名称").FillAsync("信贷系统");
        await page.GetByRole(AriaRole.Button, new() { Name = "登记新客户端" }).ClickAsync();
        await Expect(page.GetByTestId("clients")).ToContainTextAsync("信贷系统");
        await CheckAccessibilityAsync(page);
        await ScreenshotAtBothWidthsAsync(page, "institution-integration");

        await page.GetByRole(AriaRole.Link, new() { Name = "服务指标" }).ClickAsync();
        await Expect(page.GetByTestId("figures")).ToContainTextAsync("收到派单");
        await Expect(page.GetByTestId("figures").Locator("tbody tr").First.Locator("td").First).ToHaveTextAsync("1");
        await CheckAccessibilityAsync(page);
        await ScreenshotAtBothWidthsAsync(page, "institution-figures");
    }

    /// <summary>A new institution serving one county, a product of it for that county, and an officer; returns the institution's id and the officer's login.</summary>
    private async Task<(string Institution, string Officer)> InstitutionWithOfficerAsync(string county, string? name = null, string? productName = null)
    {
        var body = InstitutionBody(county);
        if (name is not null) body["name"] = name;
        var institution = (string)(await (await Admin.PostJsonAsync("/api/v1/institutions", body).ShouldBe(HttpStatusCode.Created)).ReadJsonAsync())["id"]!;
        await ListProductAsync(institution, product =>
        {
            product["regionCodes"] = new[] { county };
            if (productName is not null) product["name"] = productName;
        });
        var (officer, _) = await Host.InviteNewPersonAsync(Admin, "institution", institution, "officer");
        return (institution, officer);
    }

    /// <summary>Signs in as a person of an institution and waits for the workbench's links in the header.</summary>
    private static async Task SignInAsStaffAsync(IPage page, string login)
    {
        await SignInAsync(page, login);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "待办派单" })).ToBeVisibleAsync();
    }

    /// <summary>A screenshot of the page as it stands at a phone's width and at a desktop's.</summary>
    private async Task ScreenshotAtBothWidthsAsync(IPage page, string name)
    {
        var width = page.ViewportSize?.Width ?? Desktop;
        foreach (var (w, h) in new[] { (Phone, 812), (Desktop, 900) })
        {
            await page.SetViewportSizeAsync(w, h);
            await ScreenshotAsync(page, name);
        }
        await page.SetViewportSizeAsync(width, width == Phone ? 812 : 900);
    }
}
