using System.Net;
using System.Text.RegularExpressions;
using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>The public shelves, a product and an institution, as a visitor browses them.</summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class ShelvesTests(string provider) : PortalTestBase(provider)
{
    [Test]
    public async Task A_visitor_reads_a_product_on_the_shelves_then_its_conditions_in_words_then_its_institution()
    {
        var width = JourneyWidth;
        var institution = await RegisterInstitutionAsync("3304", "320583");
        await ListProductAsync(institution, body =>
        {
            body["name"] = "嘉善科创贷";
            body["kind"] = "tech_loan";
            body["guaranteeModes"] = new[] { "credit", "pledge" };
            body["regionCodes"] = new[] { "330421" };
            body["industryCodes"] = new[] { "C39" };
            body["enterpriseSizes"] = new[] { "small", "micro" };
            body["requiredTags"] = new[] { "tech_sme" };
            body["minYearsInBusiness"] = 2;
            body["minTaxCreditLevel"] = "B";
            body["policySupport"] = new[] { "interest_subsidy" };
            body["description"] = "面向科技型中小企业的信用贷款。";
        });
        var page = await NewPageAsync(width);

        await page.GotoAsync($"/products?institution={institution}");
        var card = page.Locator(".cards > li");
        await Expect(card).ToHaveCountAsync(1);
        // A phone shows the results first, the filters folded under a line that says how many are chosen.
        var kind = page.GetByLabel("产品类型");
        if (width == Phone)
        {
            await Expect(kind).ToBeHiddenAsync();
            await page.GetByText("筛选产品 · 已选 1 项").ClickAsync();
        }
        await Expect(kind).ToBeVisibleAsync();
        await Expect(card.GetByRole(AriaRole.Heading)).ToHaveTextAsync("嘉善科创贷");
        await Expect(card.Locator(".meta")).ToHaveTextAsync("测试农商银行 · 科技贷");
        await Expect(Fact(card, "额度")).ToHaveTextAsync("10 万元 – 500 万元");
        await Expect(Fact(card, "期限")).ToHaveTextAsync("6–36 个月");
        await Expect(Fact(card, "年利率")).ToHaveTextAsync("3.85% – 6.5%");
        await Expect(Fact(card, "担保方式")).ToHaveTextAsync("信用、质押");
        await Expect(card.Locator(".tag")).ToHaveTextAsync("贴息");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "shelves");

        await card.GetByRole(AriaRole.Link, new() { Name = "嘉善科创贷" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("嘉善科创贷");
        await Expect(Fact(page, "额度")).ToHaveTextAsync("10 万元 – 500 万元");
        await Expect(Fact(page, "服务地区")).ToHaveTextAsync("嘉善县 330421");
        await Expect(Fact(page, "行业")).ToHaveTextAsync("计算机、通信和其他电子设备制造业 C39");
        await Expect(Fact(page, "企业规模")).ToHaveTextAsync("小型企业、微型企业");
        await Expect(Fact(page, "资质要求")).ToHaveTextAsync("科技型中小企业");
        await Expect(Fact(page, "经营年限")).ToHaveTextAsync("满 2 年");
        await Expect(Fact(page, "纳税信用等级")).ToHaveTextAsync("B 级及以上");
        await Expect(Fact(page, "首贷 / 续贷")).ToHaveTextAsync("欢迎首贷户");
        await Expect(Fact(page, "政策支持")).ToHaveTextAsync("贴息");
        await Expect(Fact(page, "审批时限")).ToHaveTextAsync("受理后 3 个工作日内反馈结果");
        await Expect(page.GetByText("面向科技型中小企业的信用贷款。")).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "product");

        await page.GetByRole(AriaRole.Link, new() { Name = "测试农商银行" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("测试农商银行");
        await Expect(Fact(page, "机构类型")).ToHaveTextAsync("银行");
        await Expect(Fact(page, "服务地区").Locator("li")).ToHaveTextAsync(["嘉兴市 3304", "昆山市 320583"]);
        await Expect(page.Locator(".cards > li").GetByRole(AriaRole.Heading)).ToHaveTextAsync(["嘉善科创贷"]);
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "institution");
    }

    [Test]
    public async Task A_visitor_filters_the_shelves_by_kind_and_amount_with_the_keyboard_and_pages_through_the_matches()
    {
        var institution = await RegisterInstitutionAsync("33");
        for (var i = 1; i <= ShelvesPage.PageSize + 1; i++)
        {
            var name = $"信用贷{i:D2}";
            await ListProductAsync(institution, body => body["name"] = name);
        }
        await ListProductAsync(institution, body => (body["name"], body["kind"]) = ("科技贷", "tech_loan"));
        await ListProductAsync(institution, body => (body["name"], body["minAmount"], body["maxAmount"]) = ("大额信用贷", 10_000_000m, 50_000_000m));
        var page = await NewPageAsync();
        await page.GotoAsync($"/products?institution={institution}");
        await Expect(page.GetByTestId("total")).ToHaveTextAsync($"共 {ShelvesPage.PageSize + 3} 款产品");

        await page.GetByLabel("产品类型").SelectOptionAsync(new SelectOptionValue { Label = "信用贷" });
        var amount = page.GetByLabel("融资金额（万元）");
        await amount.FillAsync("100");
        await amount.PressAsync("Enter");

        await Expect(page).ToHaveURLAsync(new Regex("kind=credit_loan.*amount=100"));
        await Expect(page.GetByTestId("total")).ToHaveTextAsync($"共 {ShelvesPage.PageSize + 1} 款产品");
        var names = page.Locator(".cards > li").GetByRole(AriaRole.Heading);
        await Expect(names).ToHaveCountAsync(ShelvesPage.PageSize);
        (await names.AllTextContentsAsync()).ShouldAllBe(name => Regex.IsMatch(name, @"^信用贷\d\d$"));
        await Expect(page.GetByLabel("产品类型")).ToHaveValueAsync("credit_loan");
        await Expect(amount).ToHaveValueAsync("100");

        await page.GetByRole(AriaRole.Link, new() { Name = "下一页" }).ClickAsync();
        await Expect(page.GetByText("第 2 页，共 2 页")).ToBeVisibleAsync();
        await Expect(names).ToHaveCountAsync(1);
        await page.GoBackAsync();
        await Expect(page.GetByText("第 1 页，共 2 页")).ToBeVisibleAsync();
        await Expect(names).ToHaveCountAsync(ShelvesPage.PageSize);
    }

    [Test]
    public async Task A_visitor_chooses_a_region_by_name_a_province_first_then_a_county_within_it()
    {
        var institution = await RegisterInstitutionAsync("33", "32");
        await ListProductAsync(institution, body => (body["name"], body["regionCodes"]) = ("嘉兴贷", new[] { "3304" }));
        await ListProductAsync(institution, body => (body["name"], body["regionCodes"]) = ("苏州贷", new[] { "3205" }));
        var page = await NewPageAsync();
        var names = page.Locator(".cards > li").GetByRole(AriaRole.Heading);

        // A shared address naming a county shows it chosen, within its province.
        await page.GotoAsync($"/products?institution={institution}&region=330421");
        await Expect(page.GetByLabel("省份")).ToHaveValueAsync("33");
        await Expect(page.GetByLabel("市、区县")).ToHaveValueAsync("330421");
        await Expect(names).ToHaveTextAsync(["嘉兴贷"]);

        // Another province: the county chosen in the first one no longer counts, and the second one's cities are offered.
        await page.GetByLabel("省份").SelectOptionAsync(new SelectOptionValue { Label = "江苏省" });
        await page.GetByRole(AriaRole.Button, new() { Name = "筛选" }).ClickAsync();
        await Expect(names).ToHaveTextAsync(["苏州贷"]);
        await page.GetByLabel("市、区县").SelectOptionAsync(new SelectOptionValue { Label = "昆山市" });
        await page.GetByRole(AriaRole.Button, new() { Name = "筛选" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("province=32&region=320583"));
        await Expect(names).ToHaveTextAsync(["苏州贷"]);
    }

    [Test]
    public async Task A_wrong_filter_is_named_beside_its_field_and_keeps_what_was_typed()
    {
        var page = await NewPageAsync(Phone);

        await page.GotoAsync("/products?amount=0&term=12.5&kind=tech_loan");

        await Expect(page.Locator("#amount-error")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("融资金额（万元）")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("融资金额（万元）")).ToHaveValueAsync("0");
        await Expect(page.Locator("#term-error")).ToHaveTextAsync("请输入数字。");
        await Expect(page.GetByLabel("期限（月）")).ToHaveValueAsync("12.5");
        await Expect(page.GetByLabel("产品类型")).ToHaveValueAsync("tech_loan");
        await Expect(page.GetByTestId("total")).ToHaveCountAsync(0);
    }

    [Test]
    public async Task A_delisted_or_unknown_product_or_institution_is_the_page_not_found()
    {
        var institution = await RegisterInstitutionAsync("33");
        var delisted = await ListProductAsync(institution);
        await InstitutionClient(institution).PostJsonAsync($"/api/v1/products/{delisted}/delist", new { }).ShouldBe(HttpStatusCode.OK);
        var page = await NewPageAsync(Phone);

        foreach (var address in new[] { $"/products/{delisted}", $"/products/{Guid.NewGuid()}", $"/institutions/{Guid.NewGuid()}" })
        {
            var response = await page.GotoAsync(address);
            response!.Status.ShouldBe(404, address);
            await Expect(page.Locator("h1")).ToHaveTextAsync("页面不存在");
        }
    }

    [Test]
    public async Task Apply_takes_a_visitor_through_sign_in_to_the_request_form_and_an_enterprise_straight_there()
    {
        var institution = await RegisterInstitutionAsync("33");
        var product = await ListProductAsync(institution);
        var form = $"/enterprise/requests/new?productId={product}";
        var login = People.NewLogin("applicant");
        await Host.SignUpAsync(login);
        var person = await Host.SignInAsync(login);
        await person.Client.PostJsonAsync("/api/v1/enterprises", EnterpriseBody()).ShouldBe(HttpStatusCode.Created);
        var page = await NewPageAsync();

        await page.GotoAsync($"/products/{product}");
        await page.GetByRole(AriaRole.Link, new() { Name = "申请", Exact = true }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("登录");
        var signIn = new Uri(page.Url);
        signIn.AbsolutePath.ShouldBe("/sign-in");
        QueryHelpers.ParseQuery(signIn.Query)["returnUrl"].ToString().ShouldBe(form);
        await page.GetByLabel("账号").FillAsync(login);
        await page.GetByLabel("密码").FillAsync(People.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(BaseAddress, form).ToString());

        await page.GotoAsync($"/products/{product}");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "申请", Exact = true })).ToHaveAttributeAsync("href", form);
    }

    /// <summary>What a list of facts (dl) says beside a term (dt).</summary>
    private static ILocator Fact(ILocator within, string term) => within.Locator($"xpath=.//dt[normalize-space()='{term}']/following-sibling::dd[1]");

    private static ILocator Fact(IPage page, string term) => Fact(page.Locator("main"), term);
}
