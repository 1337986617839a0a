using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>A new SME in the browser: signs up, fills in the company, posts a need, follows it to the result and rates it.</summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class EnterpriseJourneyTests(string provider) : PortalTestBase(provider)
{
    [Test]
    public async Task A_new_sme_signs_up_and_fills_in_its_company()
    {
        var width = JourneyWidth;
        var page = await NewPageAsync(width);
        await SignUpAsync(page, People.NewLogin("sme"));
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/enterprise$"));
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "profile-new");

        await FillProfileAsync(page, NewCreditCode());
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("企业信息已保存");
        // 80 employees and 3,000 万元 revenue in manufacturing: small (工信部联企业〔2011〕300号).
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("企业规模");
        await Expect(page.GetByLabel("区县")).ToHaveValueAsync("330421");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "profile-saved");
    }

    [Test]
    public async Task A_wrong_field_shows_its_message_beside_it_and_keeps_what_was_typed()
    {
        var page = await NewPageAsync();
        await SignUpAsync(page, People.NewLogin("typo"));
        // Another check character than the right one (a fixed "0" was right for one code in 31, and then saved).
        var rightCode = NewCreditCode();
        var wrongCode = rightCode[..17] + (rightCode[17] == '0' ? "1" : "0");
        await FillProfileAsync(page, wrongCode, name: "嘉善笔误电子有限公司");
        // The rule's own message, in the page's language, beside the field.
        await Expect(page.Locator(".field:has(#credit-code) .validation-message")).ToHaveTextAsync("须为 18 位统一社会信用代码，且校验位正确（GB 32100-2015）。");
        await Expect(page.GetByLabel("企业名称")).ToHaveValueAsync("嘉善笔误电子有限公司");
        await Expect(page.GetByLabel("统一社会信用代码")).ToHaveValueAsync(wrongCode);
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "profile-invalid");
    }

    [Test]
    public async Task A_profile_form_opened_before_someone_else_saved_is_refused_with_a_message_and_their_change_stands()
    {
        var login = People.NewLogin("stale");
        var page = await NewPageAsync();
        await SignUpAsync(page, login);
        await FillProfileAsync(page, NewCreditCode());
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("企业信息已保存");
        // The page shows the saved profile; meanwhile the profile is changed elsewhere (the API, another session).
        var elsewhere = await Host.SignInAsync(login);
        var path = $"/api/v1/enterprises/{(string)elsewhere.Session["membership"]!["organisationId"]!}";
        var profile = await (await elsewhere.Client.GetAsync(path).ShouldBe(System.Net.HttpStatusCode.OK)).ReadJsonAsync();
        profile["name"] = "别处改过的名称有限公司";
        await elsewhere.Client.PutJsonAsync(path, profile, await elsewhere.Client.ETagAsync(path)).ShouldBe(System.Net.HttpStatusCode.OK);

        await page.GetByLabel("企业名称").FillAsync("页面上的修改有限公司");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存企业信息" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("已被他人修改，您的修改没有保存");
        await Expect(page.GetByLabel("企业名称")).ToHaveValueAsync("页面上的修改有限公司");   // what was typed is still there to copy
        ((string)(await (await elsewhere.Client.GetAsync(path)).ReadJsonAsync())["name"]!).ShouldBe("别处改过的名称有限公司");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "profile-stale");
        // Opened again, the form shows the change made elsewhere, and saves from it.
        await page.GetByRole(AriaRole.Link, new() { Name = "重新打开企业信息" }).ClickAsync();
        await Expect(page.GetByLabel("企业名称")).ToHaveValueAsync("别处改过的名称有限公司");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存企业信息" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("企业信息已保存");
    }

    [Test]
    public async Task A_new_sme_posts_a_need_sees_matches_and_near_misses_and_follows_it_to_the_result()
    {
        var width = JourneyWidth;
        // A county of its own for each run of this test, so that the products counted are this run's.
        var county = width == Phone ? "330424" : "330481";
        var institution = await RegisterInstitutionAsync(county);
        await ListProductAsync(institution, product =>
        {
            product["name"] = "浏览器信用贷";
            product["regionCodes"] = new[] { county };
        });
        // One rule away for a need offering credit only: the near miss says what to add.
        await ListProductAsync(institution, product =>
        {
            product["name"] = "浏览器抵押贷";
            product["guaranteeModes"] = new[] { "mortgage" };
            product["regionCodes"] = new[] { county };
        });

        var page = await NewPageAsync(width);
        await SignUpAsync(page, People.NewLogin("journey"));
        await FillProfileAsync(page, NewCreditCode(county), county: county);
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("企业信息已保存");

        await page.GotoAsync("/enterprise/requests/new");
        await page.GetByLabel("融资金额（万元）").FillAsync("100");
        await page.GetByLabel("期限（月）").FillAsync("12");
        await page.GetByLabel("用途").SelectOptionAsync("WorkingCapital");
        await page.GetByRole(AriaRole.Group, new() { Name = "可提供的担保方式" }).GetByLabel("信用").CheckAsync();
        await Expect(page.GetByTestId("match-count")).ToContainTextAsync("1 款产品符合");
        await Expect(page.GetByTestId("near-misses")).ToContainTextAsync("增加担保方式 → 多 1 款产品");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "new-request-preview");

        await page.GetByRole(AriaRole.Button, new() { Name = "发布需求" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("融资需求详情");
        var requestId = page.Url.Split('/').Last();
        await Host.RunDueJobsAsync();
        await page.ReloadAsync();
        await Expect(page.GetByTestId("request-status")).ToHaveTextAsync("已派单");
        await Expect(page.GetByTestId("dispatch")).ToContainTextAsync("应答时限");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "request-dispatched");

        var bank = InstitutionClient(institution);
        var dispatch = (string)(await (await bank.GetAsync($"/api/v1/financing-requests/{requestId}")).ReadJsonAsync())["dispatches"]![0]!["id"]!;
        await bank.PostJsonAsync($"/api/v1/dispatches/{dispatch}/accept", new { }).ShouldBe(System.Net.HttpStatusCode.OK);
        await bank.PostJsonAsync($"/api/v1/dispatches/{dispatch}/feedback", new { outcome = "approved", amount = 1_000_000m, rate = 4.35m, termMonths = 12 })
            .ShouldBe(System.Net.HttpStatusCode.OK);

        await page.ReloadAsync();
        await Expect(page.GetByTestId("approved")).ToContainTextAsync("已获批：100 万元，年利率 4.35%，期限 12 个月");
        await page.GetByRole(AriaRole.Button, new() { Name = "确认结果无误" }).ClickAsync();
        await Expect(page.GetByText("您已确认审批结果。")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "满意度" }).GetByLabel("5 星").CheckAsync();
        await page.GetByLabel("评价内容（选填）").FillAsync("很快");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交评价" }).ClickAsync();
        await Expect(page.GetByTestId("rating")).ToHaveTextAsync("您的评价：5 星");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "request-resolved");

        await page.GotoAsync("/enterprise/requests");
        await Expect(page.GetByText("已获批 100 万元")).ToBeVisibleAsync();
        await page.GotoAsync("/notifications");
        await Expect(page.GetByTestId("notification").First).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "notifications");
    }

    [Test]
    public async Task The_owner_invites_a_colleague_who_joins_with_the_code_and_withdraws_a_need()
    {
        var owner = await NewPageAsync();
        await SignUpAsync(owner, People.NewLogin("owner"));
        await FillProfileAsync(owner, NewCreditCode());
        await Expect(owner.GetByRole(AriaRole.Status)).ToContainTextAsync("企业信息已保存");
        var colleagueLogin = People.NewLogin("colleague");
        await owner.GetByLabel("同事的账号（电子邮箱或手机号）").FillAsync(colleagueLogin);
        await owner.GetByRole(AriaRole.Button, new() { Name = "生成邀请码" }).ClickAsync();
        var shown = await owner.GetByRole(AriaRole.Status).Filter(new() { HasText = "邀请码：" }).TextContentAsync();
        var code = System.Text.RegularExpressions.Regex.Match(shown!, "邀请码：(\\S+)（").Groups[1].Value;
        code.ShouldNotBeEmpty(shown);

        var colleague = await NewPageAsync(Phone);
        await SignUpAsync(colleague, colleagueLogin);
        await colleague.GetByText("收到了邀请码？输入邀请码加入企业、金融机构或监管部门").ClickAsync();
        await colleague.GetByLabel("邀请码").FillAsync(code);
        await colleague.GetByRole(AriaRole.Button, new() { Name = "接受邀请" }).ClickAsync();
        await Expect(colleague.Locator("h1")).ToHaveTextAsync("我的融资需求");

        // The colleague posts a need for the enterprise and withdraws it: both see it cancelled.
        await colleague.GotoAsync("/enterprise/requests/new");
        await colleague.GetByLabel("融资金额（万元）").FillAsync("30");
        await colleague.GetByLabel("期限（月）").FillAsync("6");
        await colleague.GetByLabel("用途").SelectOptionAsync("Equipment");
        await colleague.GetByRole(AriaRole.Group, new() { Name = "可提供的担保方式" }).GetByLabel("抵押").CheckAsync();
        await colleague.GetByRole(AriaRole.Button, new() { Name = "发布需求" }).ClickAsync();
        await Expect(colleague.Locator("h1")).ToHaveTextAsync("融资需求详情");
        await owner.GotoAsync(colleague.Url);
        await colleague.GetByLabel("撤回原因（选填）").FillAsync("已从别处获得资金");
        await colleague.GetByRole(AriaRole.Button, new() { Name = "撤回需求" }).ClickAsync();
        await Expect(colleague.GetByTestId("request-status")).ToHaveTextAsync("已撤销");
        // The owner's page was opened before: withdrawing from it again is refused in words, and the page shows why.
        await owner.GetByRole(AriaRole.Button, new() { Name = "撤回需求" }).ClickAsync();
        await Expect(owner.GetByRole(AriaRole.Alert)).ToHaveTextAsync("该需求当前状态下不能撤回。");
        await Expect(owner.GetByTestId("request-status")).ToHaveTextAsync("已撤销");
        await owner.GotoAsync("/enterprise/requests");
        await Expect(owner.Locator(".card .status").First).ToHaveTextAsync("已撤销");
    }

    [Test]
    public async Task Another_enterprises_request_is_the_same_404_as_an_unknown_one()
    {
        var stranger = await RegisterEnterpriseAsync();
        var theirs = await SubmitRequestAsync(stranger);
        var page = await NewPageAsync();
        await SignUpAsync(page, People.NewLogin("nosy"));
        await FillProfileAsync(page, NewCreditCode());
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("企业信息已保存");

        var response = await page.GotoAsync($"/enterprise/requests/{theirs}");
        response!.Status.ShouldBe(404);
        await Expect(page.Locator("h1")).ToHaveTextAsync("页面不存在");
        var unknown = await page.GotoAsync($"/enterprise/requests/{Guid.NewGuid()}");
        unknown!.Status.ShouldBe(404);
        (await page.ContentAsync()).ShouldNotContain(theirs);
    }

    private static async Task SignUpAsync(IPage page, string login)
    {
        await page.GotoAsync("/sign-up");
        await page.GetByLabel("账号（电子邮箱或手机号）").FillAsync(login);
        await page.GetByLabel("姓名").FillAsync("王小明");
        await page.GetByLabel("密码").FillAsync(People.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "注册", Exact = true }).ClickAsync();
    }

    private static async Task FillProfileAsync(IPage page, string creditCode, string name = "嘉善浏览器电子有限公司", string county = "330421")
    {
        await page.GetByLabel("统一社会信用代码").FillAsync(creditCode);
        await page.GetByLabel("企业名称").FillAsync(name);
        await page.GetByLabel("省份").SelectOptionAsync("33");
        await Expect(page.GetByLabel("区县").Locator($"option[value='{county}']")).ToHaveCountAsync(1);
        await page.GetByLabel("区县").SelectOptionAsync(county);
        await page.GetByLabel("门类").SelectOptionAsync("C");
        await Expect(page.GetByLabel("大类").Locator("option[value='C39']")).ToHaveCountAsync(1);
        await page.GetByLabel("大类").SelectOptionAsync("C39");
        await page.GetByLabel("企业规模").SelectOptionAsync("Small");
        await page.GetByLabel("从业人员（人）").FillAsync("80");
        await page.GetByLabel("上年营业收入（万元）").FillAsync("3000");
        await page.GetByLabel("成立日期").FillAsync("2015-06-01");
        await page.GetByLabel("纳税信用等级").SelectOptionAsync("A");
        await page.GetByRole(AriaRole.Group, new() { Name = "是否在银行有过贷款" }).GetByLabel("否").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "保存企业信息" }).ClickAsync();
    }
}
