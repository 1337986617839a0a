using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using static System.Net.HttpStatusCode;

namespace FinanceSupermarket.IntegrationTests.Security;

/// <summary>Who is acting, relative to the resources of <see cref="RoleMatrixTests"/>: "own" resources belong to the caller.</summary>
public enum Caller
{
    Anonymous,
    OwnEnterprise,
    OtherEnterprise,
    OwnInstitution,
    OtherInstitution,
    RegulatorInRegion,
    RegulatorOfOtherRegion,
    Admin,
}

/// <summary>Where the callers' tokens come from: the development endpoint's (a role and a tenant), or real sign-ins of people.</summary>
public enum TokenSource { DevTokens, SignIns }

/// <summary>
/// Every endpoint of the contract against every kind of caller: 401 without a token, 403 for a role the endpoint is
/// not for, 404 for another tenant's resource (DESIGN.md, HTTP contract). A denied call must also change nothing. The
/// matrix runs with development tokens and with tokens of people who signed in: the enterprises' owners, the
/// institutions' managers, regulator offices' analysts and an admin (the last three with their second factor).
/// </summary>
[TestFixtureSource(nameof(Sources))]
public sealed class RoleMatrixTests(string provider, TokenSource tokens) : ApiTestBase(provider)
{
    public static IEnumerable<TestFixtureData> Sources() =>
        from provider in Providers.All
        from tokens in Enum.GetValues<TokenSource>()
        select new TestFixtureData(provider, tokens);

    /// <param name="IfMatch">The If-Match a change names: the version of the record it addresses, as an admin reads it now.</param>
    private sealed record Endpoint(HttpMethod Method, Func<RoleMatrixTests, Task<string>> Path, Func<RoleMatrixTests, object?>? Body = null,
        Func<RoleMatrixTests, Task<string>>? IfMatch = null);

    // The resources: an enterprise with a request and an institution with products, all in Jiashan (330421); a second
    // request published and so dispatched to the own institution (the other one lists nothing before it is published).
    private string _ownEnterprise = "";
    private Dictionary<string, object?> _ownEnterpriseBody = null!;
    private string _otherEnterprise = "";
    private string _ownInstitution = "";
    private string _otherInstitution = "";
    private string _product = "";
    private string _delistedProduct = "";
    private string _request = "";
    private string _dispatchedRequest = "";
    private string _ownDispatch = "";
    private long _ownNotification;
    private SignedIn _ownManager = null!;
    private readonly Dictionary<Caller, HttpClient> _signedIn = [];

    [OneTimeSetUp]
    public async Task CreateResourcesAsync()
    {
        _ownEnterprise = Guid.NewGuid().ToString();
        _ownEnterpriseBody = EnterpriseBody("330421");
        await EnterpriseClient(_ownEnterprise).PostJsonAsync("/api/v1/enterprises", _ownEnterpriseBody).ShouldBe(Created);
        _otherEnterprise = await RegisterEnterpriseAsync("330421");
        _ownInstitution = await RegisterInstitutionAsync("33");
        _otherInstitution = await RegisterInstitutionAsync("33");
        _product = await ListProductAsync(_ownInstitution);
        _delistedProduct = await ListProductAsync(_ownInstitution);
        await InstitutionClient(_ownInstitution).PostJsonAsync($"/api/v1/products/{_delistedProduct}/delist", new { }).ShouldBe(OK);
        _request = await SubmitRequestAsync(_ownEnterprise);
        _dispatchedRequest = await SubmitRequestAsync(_ownEnterprise);
        _ownDispatch = await PublishAsync(_dispatchedRequest);
        var notifications = await (await EnterpriseClient(_ownEnterprise).GetAsync("/api/v1/notifications").ShouldBe(OK)).ReadJsonAsync();
        _ownNotification = (long)notifications["items"]!.AsArray().Single(n => (string?)n!["requestId"] == _dispatchedRequest)!["id"]!;

        // People in the organisations above, invited by the (development) admin; the own manager also looks after API clients in both runs.
        _ownManager = await MemberAsync("institution", _ownInstitution, "manager");
        if (tokens == TokenSource.DevTokens) return;
        _signedIn[Caller.OwnEnterprise] = (await MemberAsync("enterprise", _ownEnterprise, "owner")).Client;
        _signedIn[Caller.OtherEnterprise] = (await MemberAsync("enterprise", _otherEnterprise, "owner")).Client;
        _signedIn[Caller.OwnInstitution] = _ownManager.Client;
        _signedIn[Caller.OtherInstitution] = (await MemberAsync("institution", _otherInstitution, "manager")).Client;
        _signedIn[Caller.RegulatorInRegion] = (await MemberAsync("regulator", await OfficeAsync("33"), "analyst")).Client;
        _signedIn[Caller.RegulatorOfOtherRegion] = (await MemberAsync("regulator", await OfficeAsync("32"), "analyst")).Client;
        _signedIn[Caller.Admin] = (await MemberAsync("platform", "platform", "admin")).Client;
    }

    /// <summary>A new person invited into the organisation with the role, signed in (with a second factor where the role needs one).</summary>
    private async Task<SignedIn> MemberAsync(string kind, string organisationId, string role)
    {
        var (login, _) = await Host.InviteNewPersonAsync(Admin, kind, organisationId, role);
        var signedIn = await Host.SignInAsync(login);
        if (!signedIn.Session["mfaSetupRequired"]!.GetValue<bool>()) return signedIn;
        await Host.TurnOnMfaAsync(signedIn);
        return await Host.RefreshAsync(signedIn);
    }

    private async Task<string> OfficeAsync(string region) =>
        (string)(await (await Admin.PostJsonAsync("/api/v1/admin/regulator-offices", new { name = "监管机构（测试）", region }).ShouldBe(Created)).ReadJsonAsync())["id"]!;

    private async Task<string> InvitationAsync() =>
        (string)(await (await Admin.PostJsonAsync("/api/v1/invitations", new { organisationKind = "enterprise", organisationId = _ownEnterprise, role = "member" })
            .ShouldBe(Created)).ReadJsonAsync())["id"]!;

    private async Task<string> MembershipAsync() => (await Host.InviteNewPersonAsync(Admin, "enterprise", _ownEnterprise, "member")).MembershipId;

    private async Task<string> ApiClientAsync() =>
        (string)(await (await _ownManager.Client.PostJsonAsync($"/api/v1/institutions/{_ownInstitution}/api-clients", new { name = "信贷系统" })
            .ShouldBe(Created)).ReadJsonAsync())["clientId"]!;

    private static string Unused() => People.NewLogin("matrix");

    /// <summary>The own institution's webhook path (and suffix), its webhook set by an admin first.</summary>
    private async Task<string> WebhookPathAsync(string suffix)
    {
        var path = $"/api/v1/institutions/{_ownInstitution}/webhook";
        await Admin.PutJsonAsync(path, new { webhookUrl = "https://bank.example.com/hooks" }).ShouldBe(OK);
        return path + suffix;
    }

    /// <summary>A test delivery to the own institution's webhook, sent by an admin.</summary>
    private async Task<string> DeliveryPathAsync()
    {
        var sent = await (await Admin.PostJsonAsync(await WebhookPathAsync("/test"), new { }).ShouldBe(Accepted)).ReadJsonAsync();
        return $"/api/v1/institutions/{_ownInstitution}/webhook/deliveries/{(string)sent["deliveryId"]!}";
    }

    /// <summary>Publishes a request through the host's mediator and dispatches it, as its two jobs would (no background jobs run here); returns the own institution's dispatch.</summary>
    private async Task<string> PublishAsync(string requestId)
    {
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            (await mediator.Send(new PublishRequest(requestId))).ShouldBeTrue();
            (await mediator.Send(new DispatchRequest(requestId))).ShouldBeGreaterThan(0);
        }
        var request = await (await InstitutionClient(_ownInstitution).GetAsync($"/api/v1/financing-requests/{requestId}").ShouldBe(OK)).ReadJsonAsync();
        return (string)request["dispatches"]!.AsArray().Single()!["id"]!;
    }

    /// <summary>A fresh request of the own enterprise, dispatched to the own institution and still pending there.</summary>
    private async Task<string> PendingDispatchAsync() => await PublishAsync(await SubmitRequestAsync(_ownEnterprise));

    private async Task<string> AcceptedDispatchAsync()
    {
        var dispatch = await PendingDispatchAsync();
        await InstitutionClient(_ownInstitution).PostJsonAsync($"/api/v1/dispatches/{dispatch}/accept", new { }).ShouldBe(OK);
        return dispatch;
    }

    /// <summary>A fresh request of the own enterprise that the own institution approved: resolved, so it may be rated.</summary>
    private async Task<string> ResolvedRequestAsync()
    {
        var dispatch = await ApprovedDispatchAsync();
        var answer = await (await InstitutionClient(_ownInstitution).GetAsync($"/api/v1/dispatches/{dispatch}").ShouldBe(OK)).ReadJsonAsync();
        return (string)answer["requestId"]!;
    }

    /// <summary>A fresh dispatch of the own institution whose approval resolved its request.</summary>
    private async Task<string> ApprovedDispatchAsync()
    {
        var dispatch = await AcceptedDispatchAsync();
        await InstitutionClient(_ownInstitution).PostJsonAsync($"/api/v1/dispatches/{dispatch}/feedback", Approval).ShouldBe(OK);
        return dispatch;
    }

    private static readonly object Approval = new { outcome = "approved", amount = 1_000_000m, rate = 4.35m, termMonths = 12 };

    private async Task<string> BlacklistedCodeAsync()
    {
        var code = NewCreditCode("330421");
        await Admin.PostJsonAsync("/api/v1/admin/blacklist", new { creditCode = code, reason = "失信被执行人" }).ShouldBe(Created);
        return code;
    }

    private static readonly Dictionary<string, Endpoint> Endpoints = new()
    {
        ["POST /enterprises (the own profile's body)"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/enterprises"), t => t._ownEnterpriseBody),
        ["GET /enterprises/{id}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/enterprises/{t._ownEnterprise}")),
        ["PUT /enterprises/{id}"] = new(HttpMethod.Put, t => Task.FromResult($"/api/v1/enterprises/{t._ownEnterprise}"), t => t._ownEnterpriseBody,
            t => t.Admin.ETagAsync($"/api/v1/enterprises/{t._ownEnterprise}")),
        ["GET /enterprises/{unknown}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/enterprises/{Guid.NewGuid()}")),
        ["POST /institutions"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/institutions"), t => InstitutionBody("33")),
        ["GET /institutions/{id}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/institutions/{t._ownInstitution}")),
        ["POST /products"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/products"), t => ProductBody()),
        ["PUT /products/{id}"] = new(HttpMethod.Put, t => Task.FromResult($"/api/v1/products/{t._product}"), t => ProductBody(),
            t => t.Admin.ETagAsync($"/api/v1/products/{t._product}")),
        ["POST /products/{id}/delist"] = new(HttpMethod.Post, async t => $"/api/v1/products/{await t.ListProductAsync(t._ownInstitution)}/delist", t => new { }),
        ["GET /products (shelves)"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/products?region=330421&page=1&pageSize=5")),
        ["GET /products/{id} (listed)"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/products/{t._product}")),
        ["GET /products/{id} (delisted)"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/products/{t._delistedProduct}")),
        ["GET /products/{unknown}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/products/{Guid.NewGuid()}")),
        ["POST /financing-requests"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/financing-requests"), t => RequestBody()),
        ["POST /financing-requests/preview"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/financing-requests/preview"), t => RequestBody()),
        ["GET /financing-requests (own list)"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/financing-requests?page=1&pageSize=5")),
        ["GET /financing-requests/{id}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/financing-requests/{t._request}")),
        ["GET /financing-requests/{unknown}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/financing-requests/{Guid.NewGuid()}")),
        ["POST /financing-requests/{id}/cancel"] = new(HttpMethod.Post, async t => $"/api/v1/financing-requests/{await t.SubmitRequestAsync(t._ownEnterprise)}/cancel", t => new { reason = "不再需要" }),
        ["POST /dev/tokens"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/dev/tokens"), t => new { role = "admin" }),
        ["GET /financing-requests/{id} (dispatched)"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/financing-requests/{t._dispatchedRequest}")),
        ["GET /financing-requests/{id}/matches"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/financing-requests/{t._request}/matches?limit=5")),
        ["GET /financing-requests/{unknown}/matches"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/financing-requests/{Guid.NewGuid()}/matches")),
        ["POST /financing-requests/{id}/rating"] = new(HttpMethod.Post, async t => $"/api/v1/financing-requests/{await t.ResolvedRequestAsync()}/rating",
            t => new { score = 5, comment = "响应很快" }),
        ["GET /dispatches (inbox)"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/dispatches?status=pending")),
        ["GET /dispatches/{id}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/dispatches/{t._ownDispatch}")),
        ["GET /dispatches/{unknown}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/dispatches/{Guid.NewGuid()}")),
        ["POST /dispatches/{id}/accept"] = new(HttpMethod.Post, async t => $"/api/v1/dispatches/{await t.PendingDispatchAsync()}/accept", t => new { }),
        ["POST /dispatches/{id}/decline"] = new(HttpMethod.Post, async t => $"/api/v1/dispatches/{await t.PendingDispatchAsync()}/decline",
            t => new { reasonCode = "capacity", reason = "授信额度已满" }),
        ["POST /dispatches/{id}/feedback"] = new(HttpMethod.Post, async t => $"/api/v1/dispatches/{await t.AcceptedDispatchAsync()}/feedback", t => Approval),
        ["GET /notifications"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/notifications")),
        ["GET /notifications/unread-count"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/notifications/unread-count")),
        ["POST /notifications/{id}/read (the own enterprise's)"] = new(HttpMethod.Post, t => Task.FromResult($"/api/v1/notifications/{t._ownNotification}/read"), t => new { }),
        ["POST /notifications/{unknown}/read"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/notifications/987654321/read"), t => new { }),
        ["GET /statistics/summary (the caller's own region)"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/summary")),
        ["GET /statistics/summary?region=330421"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/summary?region=330421")),
        ["GET /statistics/breakdown?by=region&region=33"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/breakdown?by=region&region=33")),
        ["GET /statistics/overdue"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/overdue")),
        ["GET /statistics/overdue/export"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/overdue/export?format=csv")),
        ["GET /statistics/export?format=csv&region=3304"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/export?format=csv&region=3304")),
        ["PUT /statistics/targets"] = new(HttpMethod.Put, t => Task.FromResult("/api/v1/statistics/targets"),
            t => new { regionCode = "330421", year = 2026, approvedAmount = 11_000_000_000m, approvedCount = 1050 }),
        ["GET /admin/blacklist"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/admin/blacklist")),
        ["POST /admin/blacklist"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/admin/blacklist"),
            t => new { creditCode = NewCreditCode("330421"), reason = "失信被执行人" }),
        ["DELETE /admin/blacklist/{creditCode}"] = new(HttpMethod.Delete, async t => $"/api/v1/admin/blacklist/{await t.BlacklistedCodeAsync()}"),
        ["DELETE /admin/blacklist/{unknown}"] = new(HttpMethod.Delete, t => Task.FromResult($"/api/v1/admin/blacklist/{NewCreditCode("330421")}")),
        ["POST /financing-requests/{id}/confirm"] = new(HttpMethod.Post, async t => $"/api/v1/financing-requests/{await t.ResolvedRequestAsync()}/confirm", t => new { }),
        ["POST /financing-requests/{id}/dispute"] = new(HttpMethod.Post, async t => $"/api/v1/financing-requests/{await t.ResolvedRequestAsync()}/dispute",
            t => new { reason = "批复金额不符" }),
        ["POST /financing-requests/{id}/new-need (not held)"] = new(HttpMethod.Post, t => Task.FromResult($"/api/v1/financing-requests/{t._request}/new-need"), t => new { }),
        ["POST /dispatches/{id}/correction"] = new(HttpMethod.Post, async t => $"/api/v1/dispatches/{await t.ApprovedDispatchAsync()}/correction",
            t => new { amount = 900_000m, rate = 4.35m, termMonths = 12, reason = "录入错误" }),
        ["GET /statistics/disputes"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/disputes")),
        ["GET /institutions"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/institutions")),
        ["PUT /institutions/{id}"] = new(HttpMethod.Put, async t => $"/api/v1/institutions/{await t.RegisterInstitutionAsync("33")}", t => InstitutionBody("3304")),
        ["GET /institutions/{id}/webhook"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/institutions/{t._ownInstitution}/webhook")),
        ["PUT /institutions/{id}/webhook"] = new(HttpMethod.Put, t => Task.FromResult($"/api/v1/institutions/{t._ownInstitution}/webhook"),
            t => new { webhookUrl = "https://bank.example.com/hooks" }),
        ["POST /institutions/{id}/webhook/secret"] = new(HttpMethod.Post, t => t.WebhookPathAsync("/secret"), t => new { }),
        ["POST /institutions/{id}/webhook/test"] = new(HttpMethod.Post, t => t.WebhookPathAsync("/test"), t => new { }),
        ["DELETE /institutions/{id}/webhook"] = new(HttpMethod.Delete, t => t.WebhookPathAsync("")),
        ["GET /institutions/{id}/webhook/deliveries/{deliveryId}"] = new(HttpMethod.Get, t => t.DeliveryPathAsync()),
        ["GET /institutions/{id}/webhook/deliveries"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/institutions/{t._ownInstitution}/webhook/deliveries")),
        ["GET /institutions/{id}/figures"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/institutions/{t._ownInstitution}/figures")),
        ["GET /institutions/{id}/products"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/institutions/{t._ownInstitution}/products")),
        ["POST /products/preview"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/products/preview"), t => ProductBody()),
        ["POST /institutions/{id}/deactivate"] = new(HttpMethod.Post, async t => $"/api/v1/institutions/{await t.RegisterInstitutionAsync("33")}/deactivate",
            t => new { reason = "退出平台" }),
        ["POST /auth/sign-up"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/auth/sign-up"), t => new { login = Unused(), password = People.Password, displayName = "新用户" }),
        ["POST /auth/sign-in (an unknown login)"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/auth/sign-in"), t => new { login = Unused(), password = People.Password }),
        ["POST /auth/refresh (an unknown token)"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/auth/refresh"), t => new { refreshToken = "not-a-refresh-token" }),
        ["POST /auth/sign-out"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/auth/sign-out"), t => new { }),
        ["GET /auth/me"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/auth/me")),
        ["POST /auth/mfa/setup"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/auth/mfa/setup"), t => new { }),
        ["POST /auth/mfa/confirm (not a code)"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/auth/mfa/confirm"), t => new { code = "abc" }),
        ["POST /auth/password-reset"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/auth/password-reset"), t => new { login = Unused() }),
        ["POST /auth/password-reset/confirm (an unknown login)"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/auth/password-reset/confirm"),
            t => new { login = Unused(), code = "123456", newPassword = "Another-Secret-2026" }),
        ["POST /auth/token (JSON, not a form)"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/auth/token"), t => new { grant_type = "client_credentials" }),
        ["POST /invitations (to the own enterprise)"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/invitations"),
            t => new { organisationKind = "enterprise", organisationId = t._ownEnterprise, role = "member" }),
        ["DELETE /invitations/{id}"] = new(HttpMethod.Delete, async t => $"/api/v1/invitations/{await t.InvitationAsync()}"),
        ["POST /invitations/accept (an unknown code)"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/invitations/accept"), t => new { code = "no-such-code" }),
        ["GET /memberships (the own enterprise's)"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/memberships?organisationKind=enterprise&organisationId={t._ownEnterprise}")),
        ["DELETE /memberships/{id}"] = new(HttpMethod.Delete, async t => $"/api/v1/memberships/{await t.MembershipAsync()}"),
        ["DELETE /memberships/{unknown}"] = new(HttpMethod.Delete, t => Task.FromResult($"/api/v1/memberships/{Guid.NewGuid()}")),
        ["POST /institutions/{id}/api-clients"] = new(HttpMethod.Post, t => Task.FromResult($"/api/v1/institutions/{t._ownInstitution}/api-clients"), t => new { name = "信贷系统" }),
        ["GET /institutions/{id}/api-clients"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/institutions/{t._ownInstitution}/api-clients")),
        ["DELETE /institutions/{id}/api-clients/{clientId}"] = new(HttpMethod.Delete, async t => $"/api/v1/institutions/{t._ownInstitution}/api-clients/{await t.ApiClientAsync()}"),
        ["POST /admin/regulator-offices"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/admin/regulator-offices"), t => new { name = "嘉兴监管（测试）", region = "3304" }),
        ["GET /admin/people"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/admin/people")),
        ["POST /admin/people/{id}/mfa/reset"] = new(HttpMethod.Post, async t => $"/api/v1/admin/people/{await t.Host.SignUpAsync(Unused())}/mfa/reset", t => new { }),
        ["GET /admin/regulator-offices"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/admin/regulator-offices")),
        ["GET /statistics/targets?year=2026"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/targets?year=2026")),
        ["POST /admin/people/{id}/deactivate"] = new(HttpMethod.Post, async t => $"/api/v1/admin/people/{await t.Host.SignUpAsync(Unused())}/deactivate", t => new { }),
        ["GET /admin/messages"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/admin/messages")),
        ["GET /admin/security-events"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/admin/security-events")),
        ["GET /admin/audit/verify"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/admin/audit/verify")),
        ["GET /admin/audit/checkpoints"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/admin/audit/checkpoints")),
        ["GET /admin/calendar"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/admin/calendar")),
        ["POST /admin/calendar/{year}"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/admin/calendar/2030"),
            t => new { year = 2030, holidays = Array.Empty<object>(), workingWeekends = Array.Empty<string>() }),
    };

    // Columns: anonymous, own enterprise, other enterprise, own institution, other institution, regulator in region, regulator of another region, admin.
    // A row with a third array expects that instead with development tokens, which name a role and a tenant but no person.
    private static readonly (string Endpoint, HttpStatusCode[] Expected, HttpStatusCode[]? WithDevTokens)[] Matrix =
    [
        // Enterprises write their own profile; another enterprise cannot take over its credit code.
        ("POST /enterprises (the own profile's body)", [Unauthorized, OK, Conflict, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("GET /enterprises/{id}", [Unauthorized, OK, NotFound, NotFound, NotFound, OK, NotFound, OK], null),
        ("PUT /enterprises/{id}", [Unauthorized, OK, NotFound, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("GET /enterprises/{unknown}", [Unauthorized, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound], null),
        ("POST /institutions", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Created], null),
        ("GET /institutions/{id}", [OK, OK, OK, OK, OK, OK, OK, OK], null),
        // "Other institution" lists a product of its own: the token decides whose product it is.
        ("POST /products", [Unauthorized, Forbidden, Forbidden, Created, Created, Forbidden, Forbidden, Forbidden], null),
        ("PUT /products/{id}", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden], null),
        ("POST /products/{id}/delist", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden], null),
        ("GET /products (shelves)", [OK, OK, OK, OK, OK, OK, OK, OK], null),
        ("GET /products/{id} (listed)", [OK, OK, OK, OK, OK, OK, OK, OK], null),
        ("GET /products/{id} (delisted)", [NotFound, NotFound, NotFound, OK, NotFound, NotFound, NotFound, OK], null),
        ("GET /products/{unknown}", [NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound], null),
        ("POST /financing-requests", [Unauthorized, Created, Created, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden], null),
        // Institutions see requests only once dispatched to them; nothing is dispatched yet.
        // What the caller's own enterprise would match, and its own list: enterprises only.
        ("POST /financing-requests/preview", [Unauthorized, OK, OK, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden], null),
        ("GET /financing-requests (own list)", [Unauthorized, OK, OK, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden], null),
        ("GET /financing-requests/{id}", [Unauthorized, OK, NotFound, NotFound, NotFound, OK, NotFound, OK], null),
        ("GET /financing-requests/{unknown}", [Unauthorized, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound], null),
        ("POST /financing-requests/{id}/cancel", [Unauthorized, OK, NotFound, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden], null),
        ("POST /dev/tokens", [OK, OK, OK, OK, OK, OK, OK, OK], null),
        // Once dispatched, the request is readable by the institution it went to, and still by no other.
        ("GET /financing-requests/{id} (dispatched)", [Unauthorized, OK, NotFound, OK, NotFound, OK, NotFound, OK], null),
        ("GET /financing-requests/{id}/matches", [Unauthorized, OK, NotFound, NotFound, NotFound, OK, NotFound, OK], null),
        ("GET /financing-requests/{unknown}/matches", [Unauthorized, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound], null),
        ("POST /financing-requests/{id}/rating", [Unauthorized, OK, NotFound, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden], null),
        // Each institution has an inbox of its own; another institution's dispatch does not exist for it.
        ("GET /dispatches (inbox)", [Unauthorized, Forbidden, Forbidden, OK, OK, Forbidden, Forbidden, Forbidden], null),
        ("GET /dispatches/{id}", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden], null),
        ("GET /dispatches/{unknown}", [Unauthorized, Forbidden, Forbidden, NotFound, NotFound, Forbidden, Forbidden, Forbidden], null),
        ("POST /dispatches/{id}/accept", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden], null),
        ("POST /dispatches/{id}/decline", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden], null),
        ("POST /dispatches/{id}/feedback", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden], null),
        // Everyone signed in has a notification list (its own); someone else's notification is not found.
        ("GET /notifications", [Unauthorized, OK, OK, OK, OK, OK, OK, OK], null),
        ("GET /notifications/unread-count", [Unauthorized, OK, OK, OK, OK, OK, OK, OK], null),
        ("POST /notifications/{id}/read (the own enterprise's)", [Unauthorized, NoContent, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound], null),
        ("POST /notifications/{unknown}/read", [Unauthorized, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound], null),
        // Statistics are the regulators'; a region outside the regulator's own prefix is refused, never narrowed or widened.
        ("GET /statistics/summary (the caller's own region)", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, OK, Forbidden], null),
        ("GET /statistics/summary?region=330421", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, Forbidden, Forbidden], null),
        ("GET /statistics/breakdown?by=region&region=33", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, Forbidden, Forbidden], null),
        ("GET /statistics/overdue", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, OK, Forbidden], null),
        ("GET /statistics/overdue/export", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, OK, Forbidden], null),
        ("GET /statistics/export?format=csv&region=3304", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, Forbidden, Forbidden], null),
        ("PUT /statistics/targets", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("GET /admin/blacklist", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("POST /admin/blacklist", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Created], null),
        ("DELETE /admin/blacklist/{creditCode}", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, NoContent], null),
        ("DELETE /admin/blacklist/{unknown}", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, NotFound], null),
        // The enterprise's word on the posted result, and a held need confirmed as new, are the owner's; a correction the approving institution's.
        ("POST /financing-requests/{id}/confirm", [Unauthorized, OK, NotFound, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden], null),
        ("POST /financing-requests/{id}/dispute", [Unauthorized, OK, NotFound, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden], null),
        ("POST /financing-requests/{id}/new-need (not held)", [Unauthorized, Conflict, NotFound, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden], null),
        ("POST /dispatches/{id}/correction", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden], null),
        ("GET /statistics/disputes", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, OK, Forbidden], null),
        ("GET /institutions", [OK, OK, OK, OK, OK, OK, OK, OK], null),
        ("PUT /institutions/{id}", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        // An institution's webhook is its own (its people and API clients) and the admins'.
        ("GET /institutions/{id}/webhook", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, OK], null),
        ("PUT /institutions/{id}/webhook", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, OK], null),
        ("POST /institutions/{id}/webhook/secret", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, OK], null),
        ("POST /institutions/{id}/webhook/test", [Unauthorized, Forbidden, Forbidden, Accepted, NotFound, Forbidden, Forbidden, Accepted], null),
        ("DELETE /institutions/{id}/webhook", [Unauthorized, Forbidden, Forbidden, NoContent, NotFound, Forbidden, Forbidden, NoContent], null),
        ("GET /institutions/{id}/webhook/deliveries/{deliveryId}", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, OK], null),
        // The workbench's reads are the institution's own (its people and API clients) and the admins'; a preview tries terms for the caller's own.
        ("GET /institutions/{id}/webhook/deliveries", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, OK], null),
        ("GET /institutions/{id}/figures", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, OK], null),
        ("GET /institutions/{id}/products", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, OK], null),
        ("POST /products/preview", [Unauthorized, Forbidden, Forbidden, OK, OK, Forbidden, Forbidden, Forbidden], null),
        ("POST /institutions/{id}/deactivate", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, NoContent], null),
        // Accounts: signing up, in and out, and resetting a password are open to anyone; a session's own endpoints are a person's.
        ("POST /auth/sign-up", [Created, Created, Created, Created, Created, Created, Created, Created], null),
        ("POST /auth/sign-in (an unknown login)", [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Unauthorized, Unauthorized, Unauthorized, Unauthorized], null),
        ("POST /auth/refresh (an unknown token)", [Unauthorized, Unauthorized, Unauthorized, Unauthorized, Unauthorized, Unauthorized, Unauthorized, Unauthorized], null),
        ("POST /auth/sign-out", [Unauthorized, NoContent, NoContent, NoContent, NoContent, NoContent, NoContent, NoContent],
            [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("GET /auth/me", [Unauthorized, OK, OK, OK, OK, OK, OK, OK], [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        // The owners have no second factor yet and may start one; the others have theirs on already.
        ("POST /auth/mfa/setup", [Unauthorized, OK, OK, Conflict, Conflict, Conflict, Conflict, Conflict],
            [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("POST /auth/mfa/confirm (not a code)", [Unauthorized, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest], null),
        ("POST /auth/password-reset", [Accepted, Accepted, Accepted, Accepted, Accepted, Accepted, Accepted, Accepted], null),
        ("POST /auth/password-reset/confirm (an unknown login)", [BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest], null),
        ("POST /auth/token (JSON, not a form)", [BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest], null),
        // An organisation's people are looked after by its owner or manager and by admins; a development token names no owner.
        ("POST /invitations (to the own enterprise)", [Unauthorized, Created, NotFound, NotFound, NotFound, NotFound, NotFound, Created],
            [Unauthorized, Forbidden, NotFound, NotFound, NotFound, NotFound, NotFound, Created]),
        ("DELETE /invitations/{id}", [Unauthorized, NoContent, NotFound, NotFound, NotFound, NotFound, NotFound, NoContent],
            [Unauthorized, Forbidden, NotFound, NotFound, NotFound, NotFound, NotFound, NoContent]),
        ("POST /invitations/accept (an unknown code)", [Unauthorized, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest, BadRequest],
            [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("GET /memberships (the own enterprise's)", [Unauthorized, OK, NotFound, NotFound, NotFound, NotFound, NotFound, OK],
            [Unauthorized, Forbidden, NotFound, NotFound, NotFound, NotFound, NotFound, OK]),
        ("DELETE /memberships/{id}", [Unauthorized, NoContent, NotFound, NotFound, NotFound, NotFound, NotFound, NoContent],
            [Unauthorized, Forbidden, NotFound, NotFound, NotFound, NotFound, NotFound, NoContent]),
        ("DELETE /memberships/{unknown}", [Unauthorized, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound], null),
        // API clients are the institution's manager's.
        ("POST /institutions/{id}/api-clients", [Unauthorized, Forbidden, Forbidden, Created, NotFound, Forbidden, Forbidden, Forbidden],
            [Unauthorized, Forbidden, Forbidden, Forbidden, NotFound, Forbidden, Forbidden, Forbidden]),
        ("GET /institutions/{id}/api-clients", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden],
            [Unauthorized, Forbidden, Forbidden, Forbidden, NotFound, Forbidden, Forbidden, Forbidden]),
        ("DELETE /institutions/{id}/api-clients/{clientId}", [Unauthorized, Forbidden, Forbidden, NoContent, NotFound, Forbidden, Forbidden, Forbidden],
            [Unauthorized, Forbidden, Forbidden, Forbidden, NotFound, Forbidden, Forbidden, Forbidden]),
        ("POST /admin/regulator-offices", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Created], null),
        ("GET /admin/people", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        // A person who signed up has no second factor to reset: the admin is told so.
        ("POST /admin/people/{id}/mfa/reset", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Conflict], null),
        ("GET /admin/regulator-offices", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("GET /statistics/targets?year=2026", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("POST /admin/people/{id}/deactivate", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, NoContent], null),
        ("GET /admin/messages", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("GET /admin/security-events", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("GET /admin/audit/verify", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("GET /admin/audit/checkpoints", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("GET /admin/calendar", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
        ("POST /admin/calendar/{year}", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK], null),
    ];

    public static IEnumerable<TestCaseData> Cases() =>
        from row in Matrix
        from caller in Enum.GetValues<Caller>()
        select new TestCaseData(row.Endpoint, caller, row.Expected[(int)caller], (row.WithDevTokens ?? row.Expected)[(int)caller]);

    [Test]
    public void The_matrix_covers_every_endpoint_for_every_caller()
    {
        // The host's own route table, not a list kept here: an endpoint added to the API without a row fails this.
        var served = Host.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true)
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(method => Route(method, endpoint.RoutePattern.RawText!["/api/v1".Length..])))
            .Distinct();
        var rows = Matrix.Select(row => row.Endpoint.Split(' ', 2)).Select(parts => Route(parts[0], parts[1].Split(' ', '?')[0])).Distinct();

        rows.ShouldBe(served, ignoreOrder: true);
        Matrix.Select(row => row.Endpoint).ShouldBe(Endpoints.Keys, ignoreOrder: true);
        Matrix.ShouldAllBe(row => row.Expected.Length == Enum.GetValues<Caller>().Length && (row.WithDevTokens ?? row.Expected).Length == row.Expected.Length);
    }

    /// <summary>"GET /products/{id}" whatever the parameter is called in the route ({id:long}) or in the row ({unknown}).</summary>
    private static string Route(string method, string path) => $"{method} {Regex.Replace(path, "{[^}]*}", "{}").TrimEnd('/')}";

    [TestCaseSource(nameof(Cases))]
    public async Task Each_caller_gets_the_status_its_role_and_tenancy_allow_and_a_denied_call_changes_nothing(
        string endpoint, Caller caller, HttpStatusCode signedIn, HttpStatusCode withDevTokens)
    {
        var expected = tokens == TokenSource.SignIns ? signedIn : withDevTokens;
        var call = Endpoints[endpoint];
        var path = await call.Path(this);
        using var request = new HttpRequestMessage(call.Method, path);
        if (call.Body is { } body) request.Content = JsonContent.Create(body(this), options: Json.Options);
        if (call.IfMatch is { } ifMatch) request.Headers.TryAddWithoutValidation("If-Match", await ifMatch(this)).ShouldBeTrue();
        var before = await SnapshotAsync();

        await ClientFor(caller).SendAsync(request).ShouldBe(expected);

        if ((int)expected >= 400) (await SnapshotAsync()).ShouldBe(before);
    }

    [Test]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var token = Mint("another-signing-key-that-the-platform-never-issued", DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddHours(1));

        await WithToken(token).GetAsync($"/api/v1/enterprises/{_ownEnterprise}").ShouldBe(Unauthorized);
    }

    [Test]
    public async Task An_expired_token_is_refused()
    {
        var token = Mint(ApiHost.TestSigningKey, DateTime.UtcNow.AddHours(-3), DateTime.UtcNow.AddHours(-2));

        await WithToken(token).GetAsync($"/api/v1/enterprises/{_ownEnterprise}").ShouldBe(Unauthorized);
    }

    [Test]
    public async Task A_token_minted_the_same_way_but_valid_is_accepted()
    {
        // The control for the two refusals above: only the key or the expiry differs.
        var token = Mint(ApiHost.TestSigningKey, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddHours(1));

        await WithToken(token).GetAsync($"/api/v1/enterprises/{_ownEnterprise}").ShouldBe(OK);
    }

    [Test]
    public async Task An_unsigned_token_a_foreign_issuer_and_a_garbled_token_are_refused()
    {
        var options = Host.Service<AuthOptions>();
        var unsigned = new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(options.Issuer, options.Audience,
            [new Claim(PlatformClaims.Role, "admin")], DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddHours(1)));
        var foreignIssuer = Mint(ApiHost.TestSigningKey, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddHours(1), issuer: "someone-else");

        await WithToken(unsigned).GetAsync($"/api/v1/enterprises/{_ownEnterprise}").ShouldBe(Unauthorized);
        await WithToken(foreignIssuer).GetAsync($"/api/v1/enterprises/{_ownEnterprise}").ShouldBe(Unauthorized);
        await WithToken("not-a-jwt").GetAsync($"/api/v1/enterprises/{_ownEnterprise}").ShouldBe(Unauthorized);
    }

    [Test]
    public async Task An_enterprise_token_without_an_enterprise_id_cannot_submit_or_write_a_profile()
    {
        var client = WithToken(Host.Service<TokenIssuer>().Issue(Role.Enterprise));
        var before = await SnapshotAsync();

        await client.PostJsonAsync("/api/v1/financing-requests", RequestBody()).ShouldBe(Forbidden);
        await client.PostJsonAsync("/api/v1/enterprises", EnterpriseBody()).ShouldBe(Forbidden);

        (await SnapshotAsync()).ShouldBe(before);
    }

    [Test]
    public async Task Each_signed_in_user_lists_only_its_own_notifications()
    {
        var resolved = await ResolvedRequestAsync();   // tells the enterprise, and the regulators of 330421

        var ownEnterprise = await NotificationsAsync(Caller.OwnEnterprise);
        ownEnterprise.ShouldContain(item => item.RequestId == _dispatchedRequest && item.Event == "published");
        ownEnterprise.ShouldContain(item => item.RequestId == resolved && item.Event == "approved");
        ownEnterprise.Select(item => item.RequestId).ShouldBeSubsetOf(await RequestsOfAsync("enterprise_id", _ownEnterprise));
        (await NotificationsAsync(Caller.OtherEnterprise)).Select(item => item.RequestId).ShouldBeSubsetOf(await RequestsOfAsync("enterprise_id", _otherEnterprise));

        var ownInstitution = await NotificationsAsync(Caller.OwnInstitution);
        ownInstitution.ShouldContain(item => item.RequestId == _dispatchedRequest && item.Event == "dispatched");
        ownInstitution.Select(item => item.RequestId).ShouldBeSubsetOf(await DispatchedToAsync(_ownInstitution));
        (await NotificationsAsync(Caller.OtherInstitution)).Select(item => item.RequestId).ShouldBeSubsetOf(await DispatchedToAsync(_otherInstitution));

        var regulator = await NotificationsAsync(Caller.RegulatorInRegion);
        regulator.ShouldContain(item => item.RequestId == resolved && item.Event == "approved");
        regulator.Select(item => item.RequestId).ShouldBeSubsetOf(await RequestsOfAsync("region_code", "330421"));
        (await NotificationsAsync(Caller.RegulatorOfOtherRegion)).ShouldBeEmpty();
        (await NotificationsAsync(Caller.Admin)).ShouldBeEmpty();
    }

    private sealed record NotificationItem(long Id, string Event, string? RequestId, bool Unread);

    /// <summary>Every page of the caller's notification list; the unread count the portal's header shows agrees with it.</summary>
    private async Task<List<NotificationItem>> NotificationsAsync(Caller caller)
    {
        var items = new List<NotificationItem>();
        for (var page = 1; ; page++)
        {
            var body = await (await ClientFor(caller).GetAsync($"/api/v1/notifications?page={page}&pageSize=100").ShouldBe(OK)).ReadJsonAsync();
            var onPage = body["items"]!.AsArray()
                .Select(item => new NotificationItem((long)item!["id"]!, (string)item["event"]!, (string?)item["requestId"], item["readAt"] is null)).ToArray();
            items.AddRange(onPage);
            if (onPage.Length == 0 || items.Count >= (long)body["total"]!) break;
        }
        var unread = await (await ClientFor(caller).GetAsync("/api/v1/notifications/unread-count").ShouldBe(OK)).ReadJsonAsync();
        ((long)unread["unread"]!).ShouldBe(items.Count(item => item.Unread));
        return items;
    }

    private async Task<string?[]> RequestsOfAsync(string column, string value)
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        return (await connection.QueryAsync<string?>($"SELECT id FROM financing_requests WHERE {column} = @Value", new { Value = value })).ToArray();
    }

    private async Task<string?[]> DispatchedToAsync(string institutionId)
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        return (await connection.QueryAsync<string?>("SELECT request_id FROM dispatches WHERE institution_id = @Id", new { Id = institutionId })).ToArray();
    }

    private HttpClient ClientFor(Caller caller) => _signedIn.TryGetValue(caller, out var person) ? person : caller switch
    {
        Caller.Anonymous => Anonymous,
        Caller.OwnEnterprise => EnterpriseClient(_ownEnterprise),
        Caller.OtherEnterprise => EnterpriseClient(_otherEnterprise),
        Caller.OwnInstitution => InstitutionClient(_ownInstitution),
        Caller.OtherInstitution => InstitutionClient(_otherInstitution),
        Caller.RegulatorInRegion => RegulatorClient("33"),
        Caller.RegulatorOfOtherRegion => RegulatorClient("32"),
        Caller.Admin => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };

    private HttpClient WithToken(string token)
    {
        var client = Host.ClientAs(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private string Mint(string key, DateTime notBefore, DateTime expires, string? issuer = null)
    {
        var options = Host.Service<AuthOptions>();
        var token = new JwtSecurityToken(issuer ?? options.Issuer, options.Audience, [new Claim(PlatformClaims.Role, "admin")], notBefore, expires,
            new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    /// <summary>Row counts, the catalog version and the shared resources as stored: what a denied call must leave alone.</summary>
    private async Task<string> SnapshotAsync()
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        var parts = new List<string>();
        foreach (var table in new[] { "enterprises", "institutions", "products", "product_regions", "financing_requests", "request_events",
                     "request_matches", "dispatches", "notifications", "webhook_deliveries", "blacklist", "region_targets",
                     "people", "memberships", "invitations", "api_clients", "regulator_offices", "message_outbox" })
            parts.Add($"{table}={await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}")}");
        parts.Add($"catalog={await connection.ExecuteScalarAsync<long>("SELECT version FROM catalog_version")}");
        parts.Add(await connection.ExecuteScalarAsync<string>("SELECT name || '|' || status || '|' || CAST(max_amount AS VARCHAR(40)) FROM products WHERE id = @Id", new { Id = _product }) ?? "");
        parts.Add(await connection.ExecuteScalarAsync<string>("SELECT credit_code || '|' || name FROM enterprises WHERE id = @Id", new { Id = _ownEnterprise }) ?? "");
        parts.Add(await connection.ExecuteScalarAsync<string>("SELECT status FROM financing_requests WHERE id = @Id", new { Id = _request }) ?? "");
        // The workflow's state: request statuses and ratings, dispatch statuses and answers, notifications read, targets.
        parts.Add(string.Join(";", await connection.QueryAsync<string>(
            "SELECT status || '/' || COALESCE(CAST(rating AS VARCHAR(10)), '-') FROM financing_requests ORDER BY id")));
        parts.Add(string.Join(";", await connection.QueryAsync<string>(
            "SELECT status || '/' || COALESCE(outcome, '-') || '/' || COALESCE(decline_reason, '-') FROM dispatches ORDER BY id")));
        parts.Add($"read={await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM notifications WHERE read_at IS NOT NULL")}");
        parts.Add(string.Join(";", await connection.QueryAsync<string>(
            "SELECT region_code || '/' || CAST(year AS VARCHAR(10)) || '/' || CAST(approved_amount AS VARCHAR(40)) || '/' || CAST(approved_count AS VARCHAR(20)) FROM region_targets ORDER BY region_code, year")));
        parts.Add(string.Join(";", await connection.QueryAsync<string>("SELECT credit_code FROM blacklist ORDER BY credit_code")));
        // Accounts: who is active, which memberships and invitations stand, which API clients are revoked.
        parts.Add($"inactive={await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM people WHERE active = @False", new { False = false })}");
        parts.Add($"removed={await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM memberships WHERE removed_at IS NOT NULL")}");
        parts.Add($"closed={await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM invitations WHERE withdrawn_at IS NOT NULL OR accepted_at IS NOT NULL")}");
        parts.Add($"revoked={await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_clients WHERE revoked_at IS NOT NULL")}");
        return string.Join(", ", parts);
    }
}
