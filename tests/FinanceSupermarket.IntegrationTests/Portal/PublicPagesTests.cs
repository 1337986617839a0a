using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>What a visitor sees before signing in: the home page, the promise, the shelves, a product, an institution.</summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class PublicPagesTests(string provider) : PortalTestBase(provider)
{
    [Test]
    public async Task The_home_page_shows_the_platforms_headline_in_chinese()
    {
        var width = JourneyWidth;
        var page = await NewPageAsync(width);
        var response = await page.GotoAsync("/");
        response!.Status.ShouldBe(200);
        await Expect(page.Locator("h1")).ToHaveTextAsync("一次发布融资需求，多家金融机构限时应答");
        await Expect(page.GetByTestId("institutions")).ToContainTextAsync("家");
        (await page.GetAttributeAsync("html", "lang")).ShouldBe("zh-CN");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "home");
    }

    [Test]
    public async Task Every_asset_a_page_uses_comes_from_the_host_itself()
    {
        var page = await NewPageAsync();
        var requests = new List<(string Url, int Status)>();
        page.Response += (_, response) => requests.Add((response.Url, response.Status));
        page.RequestFailed += (_, request) => requests.Add((request.Url, -1));
        await page.GotoAsync("/");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        requests.ShouldNotBeEmpty();
        requests.ShouldAllBe(request => request.Url.StartsWith(BaseAddress.ToString()) && request.Status >= 200 && request.Status < 400,
            string.Join("\n", requests.Select(request => $"{request.Status} {request.Url}")));
        requests.ShouldContain(request => request.Url.EndsWith(".css"));
        (await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('.site-header')).backgroundColor")).ShouldBe("rgb(180, 35, 42)");
    }

    [Test]
    public async Task The_language_switch_shows_the_page_in_english_and_remembers_it()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/promise");
        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("The “three firsts” promise");
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "中文" })).ToBeVisibleAsync();
        (await page.GetAttributeAsync("html", "lang")).ShouldBe("en");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "promise-en");
    }

    [Test]
    public async Task An_unknown_page_is_a_friendly_404()
    {
        var page = await NewPageAsync();
        var response = await page.GotoAsync("/no-such-page");
        response!.Status.ShouldBe(404);
        await Expect(page.Locator("h1")).ToHaveTextAsync("页面不存在");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "返回首页" })).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "not-found");
    }
}
