using System.Net;
using System.Text.RegularExpressions;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>
/// The admin console (/admin/...): an admin signed in with a second factor registers an institution and invites its first
/// manager, who joins with the code sent and sets up a second factor; deactivates a person; keeps the blacklist; sets a
/// region's target; and nobody else gets in. Every page is checked with axe and photographed at 375 px and desktop width.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class AdminConsoleTests(string provider) : PortalTestBase(provider)
{
    [Test]
    public async Task An_admin_registers_an_institution_and_invites_its_manager_who_joins_and_signs_in_with_a_second_factor()
    {
        var page = await AdminPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "金融机构", Exact = true }).First.ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("金融机构");

        // A refused field says so beside itself, and what was typed stays.
        await page.GetByText("登记新机构").ClickAsync();
        await page.GetByLabel("机构名称").FillAsync("嘉善测试村镇银行");
        await page.GetByLabel("机构类型").SelectOptionAsync(new SelectOptionValue { Label = "银行" });
        await page.GetByLabel("服务区域").FillAsync("999999");
        await page.GetByRole(AriaRole.Button, new() { Name = "登记机构" }).ClickAsync();
        await Expect(page.Locator("#institution-regions-error")).Not.ToBeEmptyAsync();
        await Expect(page.GetByLabel("机构名称")).ToHaveValueAsync("嘉善测试村镇银行");
        await page.GetByLabel("服务区域").FillAsync("330421 3304");
        await page.GetByRole(AriaRole.Button, new() { Name = "登记机构" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("已登记“嘉善测试村镇银行”");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "嘉善测试村镇银行" })).ToContainTextAsync("嘉善县");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "admin-institutions");

        // The first manager: invited by login, so the code goes to that login through the outbox too.
        var manager = People.NewLogin("manager");
        await Host.SignUpAsync(manager);
        await page.GetByRole(AriaRole.Link, new() { Name = "邀请首位管理员" }).ClickAsync();
        await Expect(page.GetByText("邀请加入：嘉善测试村镇银行")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("角色")).ToHaveValueAsync("Manager");
        await page.GetByLabel("对方账号（手机号或电子邮箱）").FillAsync(manager);
        await page.GetByRole(AriaRole.Button, new() { Name = "发送邀请" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"已向 {manager} 发出邀请");
        var code = (await page.GetByTestId("invitation-code").TextContentAsync())!.Trim();
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "admin-invitation");
        await page.GetByRole(AriaRole.Link, new() { Name = "查看发出的消息" }).ClickAsync();
        await Expect(page.GetByTestId("message")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("message")).ToContainTextAsync(code);
        // The message speaks to a bank's manager, not to a company's colleague: the institution, the role and its second factor.
        await Expect(page.GetByTestId("message")).ToContainTextAsync("以金融机构管理员身份加入嘉善测试村镇银行");
        await Expect(page.GetByTestId("message")).ToContainTextAsync("两步验证");
        await CheckAccessibilityAsync(page);

        // The manager signs in, enters the code, and is asked for a second factor before acting as the institution's manager.
        var managerPage = await NewPageAsync(Phone);
        await SignInAsync(managerPage, manager);
        await Expect(managerPage).ToHaveURLAsync(Ends("/enterprise"));
        await managerPage.GetByText("收到了邀请码？输入邀请码加入企业、金融机构或监管部门").ClickAsync();
        await managerPage.GetByLabel("邀请码").FillAsync(code);
        await managerPage.GetByRole(AriaRole.Button, new() { Name = "接受邀请" }).ClickAsync();
        await Expect(managerPage).ToHaveURLAsync(Ends("/account/security?returnUrl=%2F"));
        await managerPage.GetByRole(AriaRole.Button, new() { Name = "开启两步验证" }).ClickAsync();
        var secret = (await managerPage.GetByTestId("mfa-secret").TextContentAsync())!.Replace(" ", "");
        await managerPage.GetByLabel("验证码").FillAsync(Host.Totp(secret));
        await managerPage.GetByRole(AriaRole.Button, new() { Name = "确认开启" }).ClickAsync();
        await Expect(managerPage.GetByRole(AriaRole.Status)).ToHaveTextAsync("两步验证已开启。");

        // Signed in again with the code, the manager acts for the institution: not an admin, so the console is closed to them.
        await managerPage.GetByRole(AriaRole.Button, new() { Name = "退出" }).ClickAsync();
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        await SignInAsync(managerPage, manager);
        await Expect(managerPage.Locator("#totp-error")).ToHaveTextAsync("请输入验证器中的 6 位动态码。");
        await SubmitSignInAsync(managerPage, manager, totp: Host.Totp(secret));
        await Expect(managerPage).ToHaveURLAsync(Ends("/"));
        (await managerPage.GotoAsync("/admin/institutions"))!.Status.ShouldBe((int)HttpStatusCode.Forbidden);
        await Expect(managerPage.Locator("h1")).ToHaveTextAsync("无权访问");
        await page.GotoAsync($"/admin/people?q={Uri.EscapeDataString(manager)}");
        await Expect(page.GetByTestId("person")).ToContainTextAsync("已开启");
        await page.GotoAsync($"/admin/security-events?login={Uri.EscapeDataString(manager)}&kind=invitation_accepted");
        await Expect(page.GetByTestId("security-event")).ToHaveCountAsync(1);
    }

    [Test]
    public async Task An_admin_deactivates_a_person_who_then_cannot_sign_in_and_resets_a_lost_second_factor()
    {
        var leaver = People.NewLogin("leaver");
        await Host.SignUpAsync(leaver);
        var careful = People.NewLogin("careful");
        await Host.SignUpAsync(careful);
        await Host.TurnOnMfaAsync(await Host.SignInAsync(careful));
        var page = await AdminPageAsync(Phone);

        await page.GotoAsync("/admin/people");
        await page.GetByLabel("账号或姓名").FillAsync(leaver);
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Expect(page.GetByTestId("person")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Button, new() { Name = $"停用 {leaver}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"已停用 {leaver}");
        await Expect(page.GetByTestId("person")).ToContainTextAsync("已停用");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "admin-people");

        var leaverPage = await NewPageAsync();
        await SignInAsync(leaverPage, leaver);
        await Expect(leaverPage.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Expect(leaverPage).ToHaveURLAsync(Ends("/sign-in"));

        // A lost phone: the second factor is reset, and signing in asks for no code until a new one is set up.
        await page.GotoAsync($"/admin/people?q={Uri.EscapeDataString(careful)}");
        var stale = await page.Context.NewPageAsync();
        await stale.GotoAsync(page.Url);
        await page.GetByRole(AriaRole.Button, new() { Name = $"重置两步验证：{careful}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"已重置 {careful} 的两步验证");
        await Expect(page.GetByTestId("person")).ToContainTextAsync("未开启");
        await Host.SignInAsync(careful);

        // A tab opened before the reset: its button gets the handler's refusal in words, not a bare 400.
        await stale.GetByRole(AriaRole.Button, new() { Name = $"重置两步验证：{careful}" }).ClickAsync();
        await Expect(stale.GetByRole(AriaRole.Alert)).ToHaveTextAsync("此人未开启两步验证，无需重置。");
        await Expect(stale.GetByTestId("person")).ToContainTextAsync("未开启");
    }

    [Test]
    public async Task An_admin_adds_an_enterprise_to_the_blacklist_and_lifts_it()
    {
        var creditCode = NewCreditCode();
        var page = await AdminPageAsync();
        await page.GotoAsync("/admin/blacklist");

        await page.GetByLabel("统一社会信用代码").FillAsync(creditCode[..17] + (creditCode[17] == '0' ? '1' : '0'));
        await page.GetByLabel("原因").FillAsync("失信被执行人");
        await page.GetByRole(AriaRole.Button, new() { Name = "列入名单" }).ClickAsync();
        await Expect(page.Locator("#blacklist-credit-code-error")).Not.ToBeEmptyAsync();
        await page.GetByLabel("统一社会信用代码").FillAsync(creditCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "列入名单" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"已将 {creditCode} 列入黑名单。");
        await Expect(page.GetByTestId("blacklist-entry")).ToContainTextAsync("失信被执行人");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "admin-blacklist");

        // Twice is refused by the handler, in its words.
        await page.GetByLabel("统一社会信用代码").FillAsync(creditCode);
        await page.GetByLabel("原因").FillAsync("再次列入");
        await page.GetByRole(AriaRole.Button, new() { Name = "列入名单" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("该统一社会信用代码已在黑名单中。");

        var stale = await page.Context.NewPageAsync();
        await stale.GotoAsync("/admin/blacklist");
        await page.GetByRole(AriaRole.Button, new() { Name = $"将 {creditCode} 移出黑名单" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"已将 {creditCode} 移出黑名单。");
        await Expect(page.GetByTestId("blacklist-entry")).ToHaveCountAsync(0);
        (await (await Admin.GetAsync("/api/v1/admin/blacklist").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync()).AsArray().Count.ShouldBe(0);

        // A tab opened before the entry was lifted: its row is gone, and its button gets the handler's answer (no such entry:
        // the friendly page), not a bare 400.
        var answer = await stale.RunAndWaitForResponseAsync(
            () => stale.GetByRole(AriaRole.Button, new() { Name = $"将 {creditCode} 移出黑名单" }).ClickAsync(),
            response => response.Request.Method == "POST");
        answer.Status.ShouldNotBe(400);
        await Expect(stale.Locator("h1")).ToHaveTextAsync("页面不存在");
    }

    [Test]
    public async Task A_target_set_for_region_33_is_the_one_the_regulators_figures_count_against()
    {
        var page = await AdminPageAsync(Phone);
        await page.GotoAsync("/admin/targets");
        await Expect(page.GetByLabel("年度", new() { Exact = true }).First).ToHaveValueAsync("2026");

        await page.GetByLabel("地区代码").FillAsync("39");
        await page.GetByLabel("撮合融资金额目标（万元）").FillAsync("2000000");
        await page.GetByLabel("融资笔数目标").FillAsync("1050");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存目标" }).ClickAsync();
        await Expect(page.Locator("#target-region-error")).Not.ToBeEmptyAsync();
        await Expect(page.GetByLabel("融资笔数目标")).ToHaveValueAsync("1050");
        await page.GetByLabel("地区代码").FillAsync("33");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存目标" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("已设定 浙江省 33 2026 年目标：200 亿元，1050 笔。");
        await Expect(page.GetByTestId("target")).ToContainTextAsync("200 亿元");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "admin-targets");

        var target = (await (await RegulatorClient("33").GetAsync("/api/v1/statistics/summary?from=2026-01-01&to=2026-12-31")
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["figures"]!["target"]!;
        ((decimal)target["approvedAmountTarget"]!).ShouldBe(20_000_000_000m);
        ((int)target["approvedCountTarget"]!).ShouldBe(1050);
    }

    [Test]
    public async Task The_calendar_outbox_security_events_audit_and_office_pages_serve_an_admin_and_the_job_dashboard_opens()
    {
        var page = await AdminPageAsync(JourneyWidth);
        await ScreenshotAsync(page, "admin-home");
        foreach (var (path, heading, name) in new[]
                 {
                     ("/admin/calendar", "工作日历", "admin-calendar"), ("/admin/messages", "消息发件箱", "admin-messages"),
                     ("/admin/security-events", "安全事件", "admin-security-events"), ("/admin/audit", "审计日志", "admin-audit"),
                     ("/admin/regulator-offices", "监管机构", "admin-regulator-offices"), ("/admin/institutions", "金融机构", "admin-institutions-list"),
                     ("/admin/people", "用户", "admin-people-list"), ("/admin/blacklist", "黑名单", "admin-blacklist-empty"),
                     ("/admin/targets", "年度目标", "admin-targets-empty"),
                 })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("h1")).ToHaveTextAsync(heading);
            await Expect(page.Locator($".admin-nav a[aria-current=page]")).ToHaveTextAsync(heading);
            await CheckAccessibilityAsync(page);
            await ScreenshotAsync(page, name);
        }

        var admin = await AdminPageAsync();
        await admin.GotoAsync("/admin/calendar");
        await Expect(admin.GetByTestId("calendar-year").Filter(new() { HasText = "2026" })).ToHaveAttributeAsync("data-loaded", "true");
        await admin.GotoAsync("/admin/audit");
        await admin.GetByRole(AriaRole.Button, new() { Name = "核验审计日志" }).ClickAsync();
        await Expect(admin.GetByTestId("audit-verification")).ToContainTextAsync("核验通过");

        await admin.GotoAsync("/admin/regulator-offices");
        await admin.GetByText("登记监管机构").First.ClickAsync();
        await admin.GetByLabel("机构名称").FillAsync("人民银行嘉兴市分行");
        await admin.GetByLabel("辖区代码").FillAsync("3304");
        await admin.GetByRole(AriaRole.Button, new() { Name = "登记监管机构" }).Last.ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("已登记“人民银行嘉兴市分行”");
        await Expect(admin.GetByRole(AriaRole.Row).Filter(new() { HasText = "人民银行嘉兴市分行" })).ToContainTextAsync("嘉兴市");
        await admin.GetByRole(AriaRole.Link, new() { Name = "邀请分析员" }).ClickAsync();
        await Expect(admin.GetByLabel("角色")).ToHaveValueAsync("Analyst");

        await admin.GotoAsync("/admin");
        await admin.GetByRole(AriaRole.Button, new() { Name = "打开任务面板" }).ClickAsync();
        await Expect(admin.GetByText("Finance Supermarket jobs").First).ToBeVisibleAsync();
    }

    [Test]
    public async Task Nobody_but_an_admin_gets_in_a_signed_in_person_gets_403_and_a_stranger_the_sign_in_page()
    {
        var stranger = await NewPageAsync();
        await stranger.GotoAsync("/admin/people");
        await Expect(stranger).ToHaveURLAsync(Ends("/sign-in?returnUrl=%2Fadmin%2Fpeople"));

        var (owner, _, _) = await Host.NewEnterpriseOwnerAsync(EnterpriseBody());
        var page = await NewPageAsync(Phone);
        await SignInAsync(page, owner);
        await Expect(page).ToHaveURLAsync(Ends("/enterprise/requests"));
        foreach (var path in new[] { "/admin", "/admin/people", "/admin/blacklist" })
        {
            (await page.GotoAsync(path))!.Status.ShouldBe((int)HttpStatusCode.Forbidden);
            await Expect(page.Locator("h1")).ToHaveTextAsync("无权访问");
        }
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "管理后台" })).ToHaveCountAsync(0);
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "admin-forbidden");
        // As the API answers an enterprise's token.
        await EnterpriseClient(Guid.NewGuid().ToString()).GetAsync("/api/v1/admin/people").ShouldBe(HttpStatusCode.Forbidden);
    }

    /// <summary>A new admin (invited by the platform, second factor on) signed in on a new page, on the console's front page.</summary>
    private async Task<IPage> AdminPageAsync(int width = Desktop)
    {
        var (login, _) = await Host.InviteNewPersonAsync(Admin, "platform", "platform", "admin");
        var secret = await Host.TurnOnMfaAsync(await Host.SignInAsync(login));
        var page = await NewPageAsync(width);
        await SignInAsync(page, login);
        await Expect(page.Locator("#totp-error")).ToHaveTextAsync("请输入验证器中的 6 位动态码。");
        await SubmitSignInAsync(page, login, totp: Host.Totp(secret));
        await Expect(page).ToHaveURLAsync(Ends("/admin"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("管理后台");
        await CheckAccessibilityAsync(page);
        return page;
    }

    private static Regex Ends(string pathAndQuery) => new(Regex.Escape(pathAndQuery) + "$");
}
