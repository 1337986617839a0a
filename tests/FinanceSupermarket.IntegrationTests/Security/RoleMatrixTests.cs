using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;
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

    // The resources: an enterprise with a request and an institution with products, all in Jiashan (330421).
    private string _ownEnterprise = "";
    private Dictionary<string, object?> _ownEnterpriseBody = null!;
    private string _otherEnterprise = "";
    private string _ownInstitution = "";
    private string _otherInstitution = "";
    private string _product = "";
    private string _delistedProduct = "";
    private string _request = "";

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
    ];

    public static IEnumerable<TestCaseData> Cases() =>
        from row in Matrix
        from caller in Enum.GetValues<Caller>()
        select new TestCaseData(row.Endpoint, caller, row.Expected[(int)caller]);

    [Test]
    public void The_matrix_covers_every_endpoint_for_every_caller()
    {
        Matrix.Select(row => row.Endpoint).ShouldBe(Endpoints.Keys, ignoreOrder: true);
        Matrix.ShouldAllBe(row => row.Expected.Length == Enum.GetValues<Caller>().Length);
    }

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
        foreach (var table in new[] { "enterprises", "institutions", "products", "product_regions", "financing_requests", "request_events" })
            parts.Add($"{table}={await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}")}");
        parts.Add($"catalog={await connection.ExecuteScalarAsync<long>("SELECT version FROM catalog_version")}");
        parts.Add(await connection.ExecuteScalarAsync<string>("SELECT name || '|' || status || '|' || CAST(max_amount AS VARCHAR(40)) FROM products WHERE id = @Id", new { Id = _product }) ?? "");
        parts.Add(await connection.ExecuteScalarAsync<string>("SELECT credit_code || '|' || name FROM enterprises WHERE id = @Id", new { Id = _ownEnterprise }) ?? "");
        parts.Add(await connection.ExecuteScalarAsync<string>("SELECT status FROM financing_requests WHERE id = @Id", new { Id = _request }) ?? "");
        return string.Join(", ", parts);
    }
}
