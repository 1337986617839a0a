using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>A new SME in the browser: signs up, fills in the company, posts a need, follows it to the result and rates it.</summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class EnterpriseJourneyTests(string provider) : PortalTestBase(provider)
{
    [TestCase(Desktop)]
    [TestCase(Phone)]
    public async Task A_new_sme_signs_up_and_fills_in_its_company(int width)
    {
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
        var wrongCode = NewCreditCode()[..17] + "0";
        await FillProfileAsync(page, wrongCode, name: "嘉善笔误电子有限公司");
        await Expect(page.Locator("#credit-code-error, .field:has(#credit-code) .validation-message").First).ToBeVisibleAsync();
        await Expect(page.GetByLabel("企业名称")).ToHaveValueAsync("嘉善笔误电子有限公司");
        await Expect(page.GetByLabel("统一社会信用代码")).ToHaveValueAsync(wrongCode);
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "profile-invalid");
    }

    private static async Task SignUpAsync(IPage page, string login)
    {
        await page.GotoAsync("/sign-up");
        await page.GetByLabel("账号（电子邮箱或手机号）").FillAsync(login);
        await page.GetByLabel("姓名").FillAsync("王小明");
        await page.GetByLabel("密码").FillAsync(People.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "注册", Exact = true }).ClickAsync();
    }

    private static async Task FillProfileAsync(IPage page, string creditCode, string name = "嘉善浏览器电子有限公司")
    {
        await page.GetByLabel("统一社会信用代码").FillAsync(creditCode);
        await page.GetByLabel("企业名称").FillAsync(name);
        await page.GetByLabel("省份").SelectOptionAsync("33");
        await Expect(page.GetByLabel("区县").Locator("option[value='330421']")).ToHaveCountAsync(1);
        await page.GetByLabel("区县").SelectOptionAsync("330421");
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
