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

/// <summary>
/// Every endpoint of the contract against every kind of caller: 401 without a token, 403 for a role the endpoint is
/// not for, 404 for another tenant's resource (DESIGN.md, HTTP contract). A denied call must also change nothing.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class RoleMatrixTests(string provider) : ApiTestBase(provider)
{
    private sealed record Endpoint(HttpMethod Method, Func<RoleMatrixTests, Task<string>> Path, Func<RoleMatrixTests, object?>? Body = null);

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
        var dispatch = await AcceptedDispatchAsync();
        var answer = await (await InstitutionClient(_ownInstitution).PostJsonAsync($"/api/v1/dispatches/{dispatch}/feedback", Approval).ShouldBe(OK)).ReadJsonAsync();
        return (string)answer["requestId"]!;
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
        ["GET /enterprises/{unknown}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/enterprises/{Guid.NewGuid()}")),
        ["POST /institutions"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/institutions"), t => InstitutionBody("33")),
        ["GET /institutions/{id}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/institutions/{t._ownInstitution}")),
        ["POST /products"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/products"), t => ProductBody()),
        ["PUT /products/{id}"] = new(HttpMethod.Put, t => Task.FromResult($"/api/v1/products/{t._product}"), t => ProductBody()),
        ["POST /products/{id}/delist"] = new(HttpMethod.Post, async t => $"/api/v1/products/{await t.ListProductAsync(t._ownInstitution)}/delist", t => new { }),
        ["GET /products (shelves)"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/products?region=330421&page=1&pageSize=5")),
        ["GET /products/{id} (listed)"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/products/{t._product}")),
        ["GET /products/{id} (delisted)"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/products/{t._delistedProduct}")),
        ["GET /products/{unknown}"] = new(HttpMethod.Get, t => Task.FromResult($"/api/v1/products/{Guid.NewGuid()}")),
        ["POST /financing-requests"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/financing-requests"), t => RequestBody()),
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
            t => new { reason = "授信额度已满" }),
        ["POST /dispatches/{id}/feedback"] = new(HttpMethod.Post, async t => $"/api/v1/dispatches/{await t.AcceptedDispatchAsync()}/feedback", t => Approval),
        ["GET /notifications"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/notifications")),
        ["POST /notifications/{id}/read (the own enterprise's)"] = new(HttpMethod.Post, t => Task.FromResult($"/api/v1/notifications/{t._ownNotification}/read"), t => new { }),
        ["POST /notifications/{unknown}/read"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/notifications/987654321/read"), t => new { }),
        ["GET /statistics/summary (the caller's own region)"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/summary")),
        ["GET /statistics/summary?region=330421"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/summary?region=330421")),
        ["GET /statistics/breakdown?by=region&region=33"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/breakdown?by=region&region=33")),
        ["GET /statistics/overdue"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/overdue")),
        ["GET /statistics/export?format=csv&region=3304"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/statistics/export?format=csv&region=3304")),
        ["PUT /statistics/targets"] = new(HttpMethod.Put, t => Task.FromResult("/api/v1/statistics/targets"),
            t => new { regionCode = "330421", year = 2026, approvedAmount = 11_000_000_000m, approvedCount = 1050 }),
        ["GET /admin/blacklist"] = new(HttpMethod.Get, t => Task.FromResult("/api/v1/admin/blacklist")),
        ["POST /admin/blacklist"] = new(HttpMethod.Post, t => Task.FromResult("/api/v1/admin/blacklist"),
            t => new { creditCode = NewCreditCode("330421"), reason = "失信被执行人" }),
        ["DELETE /admin/blacklist/{creditCode}"] = new(HttpMethod.Delete, async t => $"/api/v1/admin/blacklist/{await t.BlacklistedCodeAsync()}"),
        ["DELETE /admin/blacklist/{unknown}"] = new(HttpMethod.Delete, t => Task.FromResult($"/api/v1/admin/blacklist/{NewCreditCode("330421")}")),
    };

    // Columns: anonymous, own enterprise, other enterprise, own institution, other institution, regulator in region, regulator of another region, admin.
    private static readonly (string Endpoint, HttpStatusCode[] Expected)[] Matrix =
    [
        // Enterprises write their own profile; another enterprise cannot take over its credit code.
        ("POST /enterprises (the own profile's body)", [Unauthorized, OK, Conflict, Forbidden, Forbidden, Forbidden, Forbidden, OK]),
        ("GET /enterprises/{id}", [Unauthorized, OK, NotFound, NotFound, NotFound, OK, NotFound, OK]),
        ("GET /enterprises/{unknown}", [Unauthorized, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound]),
        ("POST /institutions", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Created]),
        ("GET /institutions/{id}", [OK, OK, OK, OK, OK, OK, OK, OK]),
        // "Other institution" lists a product of its own: the token decides whose product it is.
        ("POST /products", [Unauthorized, Forbidden, Forbidden, Created, Created, Forbidden, Forbidden, Forbidden]),
        ("PUT /products/{id}", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden]),
        ("POST /products/{id}/delist", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden]),
        ("GET /products (shelves)", [OK, OK, OK, OK, OK, OK, OK, OK]),
        ("GET /products/{id} (listed)", [OK, OK, OK, OK, OK, OK, OK, OK]),
        ("GET /products/{id} (delisted)", [NotFound, NotFound, NotFound, OK, NotFound, NotFound, NotFound, OK]),
        ("GET /products/{unknown}", [NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound]),
        ("POST /financing-requests", [Unauthorized, Created, Created, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        // Institutions see requests only once dispatched to them; nothing is dispatched yet.
        ("GET /financing-requests/{id}", [Unauthorized, OK, NotFound, NotFound, NotFound, OK, NotFound, OK]),
        ("GET /financing-requests/{unknown}", [Unauthorized, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound]),
        ("POST /financing-requests/{id}/cancel", [Unauthorized, OK, NotFound, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        ("POST /dev/tokens", [OK, OK, OK, OK, OK, OK, OK, OK]),
        // Once dispatched, the request is readable by the institution it went to, and still by no other.
        ("GET /financing-requests/{id} (dispatched)", [Unauthorized, OK, NotFound, OK, NotFound, OK, NotFound, OK]),
        ("GET /financing-requests/{id}/matches", [Unauthorized, OK, NotFound, NotFound, NotFound, OK, NotFound, OK]),
        ("GET /financing-requests/{unknown}/matches", [Unauthorized, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound]),
        ("POST /financing-requests/{id}/rating", [Unauthorized, OK, NotFound, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden]),
        // Each institution has an inbox of its own; another institution's dispatch does not exist for it.
        ("GET /dispatches (inbox)", [Unauthorized, Forbidden, Forbidden, OK, OK, Forbidden, Forbidden, Forbidden]),
        ("GET /dispatches/{id}", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden]),
        ("GET /dispatches/{unknown}", [Unauthorized, Forbidden, Forbidden, NotFound, NotFound, Forbidden, Forbidden, Forbidden]),
        ("POST /dispatches/{id}/accept", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden]),
        ("POST /dispatches/{id}/decline", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden]),
        ("POST /dispatches/{id}/feedback", [Unauthorized, Forbidden, Forbidden, OK, NotFound, Forbidden, Forbidden, Forbidden]),
        // Everyone signed in has a notification list (its own); someone else's notification is not found.
        ("GET /notifications", [Unauthorized, OK, OK, OK, OK, OK, OK, OK]),
        ("POST /notifications/{id}/read (the own enterprise's)", [Unauthorized, NoContent, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound]),
        ("POST /notifications/{unknown}/read", [Unauthorized, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound]),
        // Statistics are the regulators'; a region outside the regulator's own prefix is refused, never narrowed or widened.
        ("GET /statistics/summary (the caller's own region)", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, OK, Forbidden]),
        ("GET /statistics/summary?region=330421", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, Forbidden, Forbidden]),
        ("GET /statistics/breakdown?by=region&region=33", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, Forbidden, Forbidden]),
        ("GET /statistics/overdue", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, OK, Forbidden]),
        ("GET /statistics/export?format=csv&region=3304", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, OK, Forbidden, Forbidden]),
        ("PUT /statistics/targets", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK]),
        ("GET /admin/blacklist", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, OK]),
        ("POST /admin/blacklist", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Created]),
        ("DELETE /admin/blacklist/{creditCode}", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, NoContent]),
        ("DELETE /admin/blacklist/{unknown}", [Unauthorized, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, NotFound]),
    ];

    public static IEnumerable<TestCaseData> Cases() =>
        from row in Matrix
        from caller in Enum.GetValues<Caller>()
        select new TestCaseData(row.Endpoint, caller, row.Expected[(int)caller]);

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
        Matrix.ShouldAllBe(row => row.Expected.Length == Enum.GetValues<Caller>().Length);
    }

    /// <summary>"GET /products/{id}" whatever the parameter is called in the route ({id:long}) or in the row ({unknown}).</summary>
    private static string Route(string method, string path) => $"{method} {Regex.Replace(path, "{[^}]*}", "{}").TrimEnd('/')}";

    [TestCaseSource(nameof(Cases))]
    public async Task Each_caller_gets_the_status_its_role_and_tenancy_allow_and_a_denied_call_changes_nothing(string endpoint, Caller caller, HttpStatusCode expected)
    {
        var call = Endpoints[endpoint];
        var path = await call.Path(this);
        using var request = new HttpRequestMessage(call.Method, path);
        if (call.Body is { } body) request.Content = JsonContent.Create(body(this), options: Json.Options);
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

    private sealed record NotificationItem(long Id, string Event, string? RequestId);

    /// <summary>Every page of the caller's notification list.</summary>
    private async Task<List<NotificationItem>> NotificationsAsync(Caller caller)
    {
        var items = new List<NotificationItem>();
        for (var page = 1; ; page++)
        {
            var body = await (await ClientFor(caller).GetAsync($"/api/v1/notifications?page={page}&pageSize=100").ShouldBe(OK)).ReadJsonAsync();
            var onPage = body["items"]!.AsArray().Select(item => new NotificationItem((long)item!["id"]!, (string)item["event"]!, (string?)item["requestId"])).ToArray();
            items.AddRange(onPage);
            if (onPage.Length == 0 || items.Count >= (long)body["total"]!) return items;
        }
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

    private HttpClient ClientFor(Caller caller) => caller switch
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
                     "request_matches", "dispatches", "notifications", "webhook_deliveries", "blacklist", "region_targets" })
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
        return string.Join(", ", parts);
    }
}
