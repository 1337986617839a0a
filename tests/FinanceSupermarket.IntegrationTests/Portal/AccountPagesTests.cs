using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>
/// Signing in and out in the browser (the landing page, refusals, the second factor, return addresses, the cookie, a session
/// that ends with its person) and resetting a forgotten password with the code sent through the outbox.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class AccountPagesTests(string provider) : PortalTestBase(provider)
{
    [Test]
    public async Task An_owner_signs_in_to_their_requests_in_a_protected_cookie_and_signing_out_ends_the_session()
    {
        var (login, personId, _) = await Host.NewEnterpriseOwnerAsync(EnterpriseBody());
        var page = await NewPageAsync();
        await SignInAsync(page, login);
        await Expect(page).ToHaveURLAsync(Ends("/enterprise/requests"));
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "fs_session");
        (cookie.HttpOnly, cookie.Secure, cookie.SameSite).ShouldBe((true, true, SameSiteAttribute.Lax));

        await page.GetByRole(AriaRole.Button, new() { Name = "退出" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "登录", Exact = true })).ToBeVisibleAsync();
        // The accounts' session is revoked, not only the cookie dropped: its refresh token no longer works anywhere.
        (await RevocationsAsync(personId)).Count(reason => reason == "signed out").ShouldBe(1);
        await page.GotoAsync("/enterprise/requests");
        await Expect(page).ToHaveURLAsync(Ends("/sign-in?returnUrl=%2Fenterprise%2Frequests"));
    }

    [Test]
    public async Task A_return_address_is_followed_on_this_site_only()
    {
        var login = People.NewLogin("newcomer");
        await Host.SignUpAsync(login);

        // Elsewhere: the person lands where they would have without it, on the company profile they have yet to fill in.
        var page = await NewPageAsync(Phone);
        await page.GotoAsync("/sign-in?returnUrl=" + Uri.EscapeDataString("https://elsewhere.example/"));
        await SubmitSignInAsync(page, login);
        await Expect(page).ToHaveURLAsync(Ends("/enterprise"));

        var again = await NewPageAsync(Phone);
        await again.GotoAsync("/notifications");
        await Expect(again).ToHaveURLAsync(Ends("/sign-in?returnUrl=%2Fnotifications"));
        await SubmitSignInAsync(again, login);
        await Expect(again).ToHaveURLAsync(Ends("/notifications"));
    }

    [Test]
    public async Task A_wrong_password_is_refused_and_the_login_stays_typed_but_not_the_password()
    {
        var login = People.NewLogin("typo");
        await Host.SignUpAsync(login);
        var page = await NewPageAsync(Phone);
        await SignInAsync(page, login, "Not-The-Password-2026");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("账号或密码不正确；连续失败 5 次后账号将锁定 15 分钟。");
        await Expect(page.GetByLabel("账号")).ToHaveValueAsync(login);
        await Expect(page.GetByLabel("密码")).ToHaveValueAsync("");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "sign-in-refused");
    }

    [Test]
    public async Task A_person_with_a_second_factor_is_asked_for_the_code_beside_its_field_and_gets_in_with_it()
    {
        var login = People.NewLogin("careful");
        await Host.SignUpAsync(login);
        var secret = await Host.TurnOnMfaAsync(await Host.SignInAsync(login));

        var page = await NewPageAsync();
        await SignInAsync(page, login);
        await Expect(page.Locator("#totp-error")).ToHaveTextAsync("请输入验证器中的 6 位动态码。");
        await Expect(page.GetByLabel("账号")).ToHaveValueAsync(login);
        await ScreenshotAsync(page, "sign-in-code-owed");
        await SubmitSignInAsync(page, login, totp: Host.Totp(secret));
        await Expect(page).ToHaveURLAsync(Ends("/enterprise"));
    }

    [Test]
    public async Task A_manager_whose_role_needs_a_second_factor_sets_it_up_on_signing_in_and_signs_in_with_its_code_after()
    {
        var institution = await RegisterInstitutionAsync();
        var (login, _) = await Host.InviteNewPersonAsync(Admin, "institution", institution, "manager");
        var page = await NewPageAsync(Phone);
        await SignInAsync(page, login);
        await Expect(page).ToHaveURLAsync(Ends("/account/security?returnUrl=%2F"));
        await Expect(page.GetByText("您所在机构的角色要求两步验证")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("mfa-state")).ToHaveTextAsync("未开启");
        await page.GetByRole(AriaRole.Button, new() { Name = "开启两步验证" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "两步验证二维码" })).ToBeVisibleAsync();
        var secret = (await page.GetByTestId("mfa-secret").TextContentAsync())!.Replace(" ", "");
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "account-security-setup");

        // A wrong code is refused beside its field, and the key stays on the page to try again.
        var right = Host.Totp(secret);
        await page.GetByLabel("验证码").FillAsync(right == "000000" ? "111111" : "000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "确认开启" }).ClickAsync();
        await Expect(page.Locator("#code-error")).ToHaveTextAsync("验证码不正确：请检查手机时间，并输入当前显示的验证码。");
        await Expect(page.GetByTestId("mfa-secret")).ToHaveTextAsync(new Regex(secret[..4]));
        await page.GetByLabel("验证码").FillAsync(right);
        await page.GetByRole(AriaRole.Button, new() { Name = "确认开启" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("两步验证已开启。");
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "恢复码" }).Locator("li")).ToHaveCountAsync(10);
        await ScreenshotAsync(page, "account-security-recovery-codes");

        // The browser session gave its second factor: it now acts as the institution's manager.
        await page.GetByRole(AriaRole.Link, new() { Name = "继续" }).ClickAsync();
        await page.GotoAsync("/notifications");
        await Expect(page.Locator("h1")).ToHaveTextAsync("通知");

        await page.GetByRole(AriaRole.Button, new() { Name = "退出" }).ClickAsync();
        Host.Clock.Advance(TimeSpan.FromSeconds(30));   // a code is good once: the next one is of the next 30-second step
        await SignInAsync(page, login);
        await Expect(page.Locator("#totp-error")).ToHaveTextAsync("请输入验证器中的 6 位动态码。");
        await SubmitSignInAsync(page, login, totp: Host.Totp(secret));
        await Expect(page).ToHaveURLAsync(Ends("/"));
        await page.GotoAsync("/account/security");
        await Expect(page.GetByTestId("mfa-state")).ToHaveTextAsync("已开启");
    }

    [Test]
    public async Task A_deactivated_persons_browser_session_ends_when_it_is_next_renewed()
    {
        var login = People.NewLogin("leaver");
        var personId = await Host.SignUpAsync(login);
        var page = await NewPageAsync();
        await SignInAsync(page, login);
        await Expect(page).ToHaveURLAsync(Ends("/enterprise"));

        await Admin.PostAsync($"/api/v1/admin/people/{personId}/deactivate", null).ShouldBe(HttpStatusCode.NoContent);
        // The cookie is renewed through the accounts' refresh once its access token would have lapsed (15 minutes).
        Host.Clock.Advance(TimeSpan.FromMinutes(16));
        await page.GotoAsync("/notifications");
        await Expect(page).ToHaveURLAsync(Ends("/sign-in?returnUrl=%2Fnotifications"));
    }

    [Test]
    public async Task A_forgotten_password_is_reset_with_the_code_sent_and_the_new_one_signs_in()
    {
        var login = People.NewLogin("forgetful");
        await Host.SignUpAsync(login);
        var page = await NewPageAsync(Phone);
        await page.GotoAsync("/sign-in");
        await page.GetByRole(AriaRole.Link, new() { Name = "忘记密码？" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("重设密码");
        await page.GetByLabel("账号").FillAsync(login);
        await page.GetByRole(AriaRole.Button, new() { Name = "发送验证码" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"如果 {login} 是已注册的账号，6 位验证码已通过短信或电子邮件发出。");
        var code = await Host.ResetCodeSentToAsync(login);

        // A wrong code, then a weak password: each refused with its message beside its field.
        await page.GetByLabel("验证码").FillAsync(code == "000000" ? "111111" : "000000");
        await page.GetByLabel("新密码").FillAsync("Another-Secret-2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "重设密码" }).ClickAsync();
        await Expect(page.Locator("#code-error")).ToHaveTextAsync("验证码不正确或已失效，请重新获取。");
        await page.GetByLabel("验证码").FillAsync(code);
        await page.GetByLabel("新密码").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "重设密码" }).ClickAsync();
        await Expect(page.Locator("#new-password-error")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#code-error")).ToHaveCountAsync(0);
        await CheckAccessibilityAsync(page);
        await ScreenshotAsync(page, "password-reset-refused");

        await page.GetByLabel("新密码").FillAsync("Another-Secret-2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "重设密码" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("密码已重设");
        await page.GetByRole(AriaRole.Link, new() { Name = "用新密码登录" }).ClickAsync();
        await SubmitSignInAsync(page, login, "Another-Secret-2026");
        await Expect(page).ToHaveURLAsync(Ends("/enterprise"));
    }

    private static Regex Ends(string pathAndQuery) => new(Regex.Escape(pathAndQuery) + "$");

    private async Task<List<string?>> RevocationsAsync(string personId)
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        return (await connection.QueryAsync<string?>("SELECT revoked_reason FROM sessions WHERE person_id = @PersonId", new { PersonId = personId })).ToList();
    }
}
