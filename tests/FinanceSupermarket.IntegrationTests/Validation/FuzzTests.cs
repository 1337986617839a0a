using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FinanceSupermarket.IntegrationTests.Validation;

/// <summary>
/// Clean input everywhere (issue 10, point 5): every write endpoint of the API, found in the host's own route table, gets
/// the shipped corpus of hostile values (hostile-values.txt) in each of its fields — body, route and header — and as
/// whole bodies, from a caller allowed to call it. Never a 5xx; a refusal (4xx) leaves the database as it was; and text
/// that must never be stored (control characters, lone surrogates, blank text, a field given twice) is always refused.
/// Each field gets one value of each class, drawn with a fixed seed, so that a run is repeatable and short.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class FuzzTests(string provider) : ApiTestBase(provider)
{
    private const string Placeholder = "\"__hostile__\"";

    /// <summary>Classes of values that no field may take.</summary>
    private static readonly HashSet<string> AlwaysRefused = ["control", "lone-surrogate", "blank", "duplicate"];

    private static readonly Lazy<IReadOnlyList<(string Class, string Raw)>> Corpus = new(LoadCorpus);

    private string _enterprise = "";
    private Dictionary<string, object?> _enterpriseBody = null!;
    private string _institution = "";
    private string _product = "";
    private string _changedInstitution = "";
    private SignedIn _manager = null!;
    private string _personLogin = "";
    private string _signInLogin = "";
    private string _resetLogin = "";

    /// <summary>A call of an endpoint that succeeds as it is: the fields the fuzz changes are its body's, its route values and its headers.</summary>
    private sealed record Call(HttpClient Client, string Path, JsonObject? Body = null, Dictionary<string, string>? Form = null, Dictionary<string, string>? Headers = null)
    {
        public Dictionary<string, string> RouteValues { get; init; } = [];
    }

    private sealed record Endpoint(HttpMethod Method, string Route, Func<FuzzTests, Task<Call>> Prepare);

    /// <summary>The fuzz is about input, not the cost of hashing: hundreds of sign-ins and sign-ups run here.</summary>
    protected override void ConfigureServices(IServiceCollection services) =>
        services.Configure<PasswordHasherOptions>(options => options.IterationCount = 1);

    /// <summary>A request held as like another open one of the enterprise, as submitting it with the platform's tolerance would leave it.</summary>
    private async Task<string> HeldRequestAsync()
    {
        var first = await SubmitRequestAsync(_enterprise);
        var held = await SubmitRequestAsync(_enterprise);
        await using var connection = await Host.Service<Db>().OpenAsync();
        await connection.ExecuteAsync("UPDATE financing_requests SET duplicate_of = @First WHERE id = @Held", new { First = first, Held = held });
        return held;
    }

    /// <summary>The institution, its webhook set (as its own system would have it); returns its id.</summary>
    private async Task<string> WithWebhookAsync()
    {
        await InstitutionClient(_institution).PutJsonAsync($"/api/v1/institutions/{_institution}/webhook", new { webhookUrl = "https://bank.example.com/hooks" })
            .ShouldBe(HttpStatusCode.OK);
        return _institution;
    }

    /// <summary>A dispatch of the institution whose approval resolved its request.</summary>
    private async Task<string> ApprovedDispatchAsync()
    {
        var dispatch = await AcceptedDispatchAsync(_enterprise, _institution);
        await InstitutionClient(_institution).PostJsonAsync($"/api/v1/dispatches/{dispatch}/feedback",
            new { outcome = "approved", amount = 1_000_000m, rate = 4.35m, termMonths = 12 }).ShouldBe(HttpStatusCode.OK);
        return dispatch;
    }

    [OneTimeSetUp]
    public async Task CreateResourcesAsync()
    {
        _enterprise = Guid.NewGuid().ToString();
        _enterpriseBody = EnterpriseBody();
        await EnterpriseClient(_enterprise).PostJsonAsync("/api/v1/enterprises", _enterpriseBody).ShouldBe(HttpStatusCode.Created);
        _institution = await RegisterInstitutionAsync("33");
        _product = await ListProductAsync(_institution);
        _changedInstitution = await RegisterInstitutionAsync("33");
        _manager = await MemberAsync("institution", _institution, "manager");
        // One person each for the endpoints that count failures (sign-in locks out) or spend codes, and one that only signs in.
        (_personLogin, _signInLogin, _resetLogin) = (People.NewLogin("fuzz"), People.NewLogin("fuzz-sign-in"), People.NewLogin("fuzz-reset"));
        foreach (var login in new[] { _personLogin, _signInLogin, _resetLogin }) await Host.SignUpAsync(login);
    }

    // Route → a fresh call that succeeds. {name} in a route is a route value the fuzz also fills.
    private static readonly Endpoint[] Endpoints =
    [
        new(HttpMethod.Post, "/enterprises", t => Task.FromResult(new Call(t.EnterpriseClient(t._enterprise), "/api/v1/enterprises", ToJson(t._enterpriseBody)))),
        new(HttpMethod.Post, "/institutions", t => Task.FromResult(new Call(t.Admin, "/api/v1/institutions", ToJson(new(InstitutionBody("33"))
        {
            ["webhookUrl"] = "https://bank.example.com/hook", ["webhookSecret"] = "whsec_aW5zdGl0dXRpb24td2ViaG9vay1zZWNyZXQtMjAyNiE=",
        })))),
        new(HttpMethod.Post, "/products", t => Task.FromResult(new Call(t.InstitutionClient(t._institution), "/api/v1/products", ToJson(FullProductBody())))),
        new(HttpMethod.Put, "/products/{id}", async t => new Call(t.InstitutionClient(t._institution), "/api/v1/products/{id}", ToJson(FullProductBody()),
            Headers: new() { ["If-Match"] = await t.Admin.ETagAsync($"/api/v1/products/{t._product}") })
        {
            RouteValues = { ["id"] = t._product },
        }),
        new(HttpMethod.Put, "/enterprises/{id}", async t => new Call(t.EnterpriseClient(t._enterprise), "/api/v1/enterprises/{id}", ToJson(t._enterpriseBody),
            Headers: new() { ["If-Match"] = await t.Admin.ETagAsync($"/api/v1/enterprises/{t._enterprise}") })
        {
            RouteValues = { ["id"] = t._enterprise },
        }),
        new(HttpMethod.Post, "/products/{id}/delist", async t => new Call(t.InstitutionClient(t._institution), "/api/v1/products/{id}/delist", new JsonObject())
        {
            RouteValues = { ["id"] = await t.ListProductAsync(t._institution) },
        }),
        // A query with a body, as the request preview below: nothing may be stored.
        new(HttpMethod.Post, "/products/preview", t => Task.FromResult(new Call(t.InstitutionClient(t._institution), "/api/v1/products/preview", ToJson(FullProductBody())))),
        new(HttpMethod.Post, "/financing-requests", t => Task.FromResult(new Call(t.EnterpriseClient(t._enterprise), "/api/v1/financing-requests",
            ToJson(new(RequestBody()) { ["neededBy"] = "2026-06-30" }), Headers: new() { ["Idempotency-Key"] = Guid.NewGuid().ToString() }))),
        // A query with a body: nothing may be stored, which the fuzz's "database unchanged" checks too.
        new(HttpMethod.Post, "/financing-requests/preview", t => Task.FromResult(new Call(t.EnterpriseClient(t._enterprise), "/api/v1/financing-requests/preview",
            ToJson(new(RequestBody()) { ["neededBy"] = "2026-06-30" })))),
        new(HttpMethod.Post, "/financing-requests/{id}/cancel", async t => new Call(t.EnterpriseClient(t._enterprise), "/api/v1/financing-requests/{id}/cancel",
            ToJson(new() { ["reason"] = "不再需要" }))
        {
            RouteValues = { ["id"] = await t.SubmitRequestAsync(t._enterprise) },
        }),
        new(HttpMethod.Post, "/financing-requests/{id}/rating", async t => new Call(t.EnterpriseClient(t._enterprise), "/api/v1/financing-requests/{id}/rating",
            ToJson(new() { ["score"] = 5, ["comment"] = "响应很快" }))
        {
            RouteValues = { ["id"] = await t.ResolvedRequestAsync(t._enterprise, t._institution) },
        }),
        new(HttpMethod.Post, "/financing-requests/{id}/confirm", async t => new Call(t.EnterpriseClient(t._enterprise), "/api/v1/financing-requests/{id}/confirm",
            new JsonObject())
        {
            RouteValues = { ["id"] = await t.ResolvedRequestAsync(t._enterprise, t._institution) },
        }),
        new(HttpMethod.Post, "/financing-requests/{id}/dispute", async t => new Call(t.EnterpriseClient(t._enterprise), "/api/v1/financing-requests/{id}/dispute",
            ToJson(new() { ["reason"] = "批复金额不符" }))
        {
            RouteValues = { ["id"] = await t.ResolvedRequestAsync(t._enterprise, t._institution) },
        }),
        new(HttpMethod.Post, "/financing-requests/{id}/new-need", async t => new Call(t.EnterpriseClient(t._enterprise), "/api/v1/financing-requests/{id}/new-need",
            new JsonObject())
        {
            RouteValues = { ["id"] = await t.HeldRequestAsync() },
        }),
        new(HttpMethod.Post, "/dispatches/{id}/correction", async t => new Call(t.InstitutionClient(t._institution), "/api/v1/dispatches/{id}/correction",
            ToJson(new() { ["amount"] = 900_000m, ["rate"] = 4.35m, ["termMonths"] = 12, ["reason"] = "录入错误" }))
        {
            RouteValues = { ["id"] = await t.ApprovedDispatchAsync() },
        }),
        new(HttpMethod.Put, "/institutions/{id}", t => Task.FromResult(new Call(t.Admin, "/api/v1/institutions/{id}", ToJson(new(InstitutionBody("33"))
        {
            ["webhookUrl"] = "https://bank.example.com/hook", ["webhookSecret"] = "whsec_aW5zdGl0dXRpb24td2ViaG9vay1zZWNyZXQtMjAyNiE=",
        }))
        {
            RouteValues = { ["id"] = t._changedInstitution },
        })),
        new(HttpMethod.Put, "/institutions/{id}/webhook", t => Task.FromResult(new Call(t.InstitutionClient(t._institution), "/api/v1/institutions/{id}/webhook",
            ToJson(new() { ["webhookUrl"] = "https://bank.example.com/hooks" }))
        {
            RouteValues = { ["id"] = t._institution },
        })),
        new(HttpMethod.Post, "/institutions/{id}/webhook/secret", async t => new Call(t.InstitutionClient(t._institution), "/api/v1/institutions/{id}/webhook/secret")
        {
            RouteValues = { ["id"] = await t.WithWebhookAsync() },
        }),
        new(HttpMethod.Post, "/institutions/{id}/webhook/test", async t => new Call(t.InstitutionClient(t._institution), "/api/v1/institutions/{id}/webhook/test")
        {
            RouteValues = { ["id"] = await t.WithWebhookAsync() },
        }),
        new(HttpMethod.Delete, "/institutions/{id}/webhook", async t => new Call(t.InstitutionClient(t._institution), "/api/v1/institutions/{id}/webhook")
        {
            RouteValues = { ["id"] = await t.WithWebhookAsync() },
        }),
        new(HttpMethod.Post, "/institutions/{id}/deactivate", async t => new Call(t.Admin, "/api/v1/institutions/{id}/deactivate", ToJson(new() { ["reason"] = "退出平台" }))
        {
            RouteValues = { ["id"] = await t.RegisterInstitutionAsync("33") },
        }),
        // A year's calendar as an admin loads it (the holiday notice's days are the test's own: a valid file, not the real one).
        new(HttpMethod.Post, "/admin/calendar/{year}", t => Task.FromResult(new Call(t.Admin, "/api/v1/admin/calendar/{year}",
            JsonNode.Parse("""{"year": 2029, "source": "测试通知", "holidays": [{"name": "元旦 New Year's Day", "from": "2029-01-01", "to": "2029-01-01"}], "workingWeekends": []}""")!.AsObject())
        {
            RouteValues = { ["year"] = "2029" },
        })),
        new(HttpMethod.Post, "/dispatches/{id}/accept", async t => new Call(t.InstitutionClient(t._institution), "/api/v1/dispatches/{id}/accept", new JsonObject())
        {
            RouteValues = { ["id"] = await t.PendingDispatchAsync(t._enterprise, t._institution) },
        }),
        new(HttpMethod.Post, "/dispatches/{id}/decline", async t => new Call(t.InstitutionClient(t._institution), "/api/v1/dispatches/{id}/decline",
            ToJson(new() { ["reasonCode"] = "capacity", ["reason"] = "授信额度已满" }))
        {
            RouteValues = { ["id"] = await t.PendingDispatchAsync(t._enterprise, t._institution) },
        }),
        new(HttpMethod.Post, "/dispatches/{id}/feedback", async t => new Call(t.InstitutionClient(t._institution), "/api/v1/dispatches/{id}/feedback",
            ToJson(new() { ["outcome"] = "approved", ["amount"] = 1_000_000m, ["rate"] = 4.35m, ["termMonths"] = 12, ["reason"] = null }))
        {
            RouteValues = { ["id"] = await t.AcceptedDispatchAsync(t._enterprise, t._institution) },
        }),
        new(HttpMethod.Post, "/notifications/{id}/read", async t => new Call(t.EnterpriseClient(t._enterprise), "/api/v1/notifications/{id}/read", new JsonObject())
        {
            RouteValues = { ["id"] = await t.UnreadNotificationAsync() },
        }),
        new(HttpMethod.Put, "/statistics/targets", t => Task.FromResult(new Call(t.Admin, "/api/v1/statistics/targets",
            ToJson(new() { ["regionCode"] = "330421", ["year"] = 2026, ["approvedAmount"] = 11_000_000_000m, ["approvedCount"] = 1050 })))),
        new(HttpMethod.Post, "/admin/blacklist", t => Task.FromResult(new Call(t.Admin, "/api/v1/admin/blacklist",
            ToJson(new() { ["creditCode"] = NewCreditCode(), ["reason"] = "失信被执行人" })))),
        new(HttpMethod.Delete, "/admin/blacklist/{creditCode}", async t => new Call(t.Admin, "/api/v1/admin/blacklist/{creditCode}")
        {
            RouteValues = { ["creditCode"] = await t.BlacklistedCodeAsync() },
        }),
        new(HttpMethod.Post, "/auth/sign-up", t => Task.FromResult(new Call(t.Anonymous, "/api/v1/auth/sign-up",
            ToJson(new() { ["login"] = People.NewLogin("fuzz"), ["password"] = People.Password, ["displayName"] = "新用户" })))),
        new(HttpMethod.Post, "/auth/sign-in", t => Task.FromResult(new Call(t.Anonymous, "/api/v1/auth/sign-in",
            ToJson(new() { ["login"] = t._signInLogin, ["password"] = People.Password, ["membershipId"] = null, ["totp"] = null })))),
        new(HttpMethod.Post, "/auth/refresh", async t => new Call(t.Anonymous, "/api/v1/auth/refresh",
            ToJson(new() { ["refreshToken"] = (await t.Host.SignInAsync(t._personLogin)).RefreshToken, ["membershipId"] = null }))),
        new(HttpMethod.Post, "/auth/sign-out", async t => new Call((await t.Host.SignInAsync(t._personLogin)).Client, "/api/v1/auth/sign-out")),
        new(HttpMethod.Post, "/auth/mfa/setup", async t => new Call((await t.NewPersonAsync()).Client, "/api/v1/auth/mfa/setup")),
        new(HttpMethod.Post, "/auth/mfa/confirm", async t =>
        {
            var person = await t.NewPersonAsync();
            var setup = await (await person.Client.PostJsonAsync("/api/v1/auth/mfa/setup", new { }).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
            return new Call(person.Client, "/api/v1/auth/mfa/confirm", ToJson(new() { ["code"] = t.Host.Totp((string)setup["secret"]!) }));
        }),
        new(HttpMethod.Post, "/auth/password-reset", t => Task.FromResult(new Call(t.Anonymous, "/api/v1/auth/password-reset", ToJson(new() { ["login"] = t._resetLogin })))),
        new(HttpMethod.Post, "/auth/password-reset/confirm", async t => new Call(t.Anonymous, "/api/v1/auth/password-reset/confirm",
            ToJson(new() { ["login"] = t._resetLogin, ["code"] = await t.ResetCodeAsync(), ["newPassword"] = People.Password }))),
        new(HttpMethod.Post, "/auth/token", async t =>
        {
            var client = await (await t._manager.Client.PostJsonAsync($"/api/v1/institutions/{t._institution}/api-clients", new { name = "信贷系统" })
                .ShouldBe(HttpStatusCode.Created)).ReadJsonAsync();
            return new Call(t.Anonymous, "/api/v1/auth/token", Form: new()
            {
                ["grant_type"] = "client_credentials", ["client_id"] = (string)client["clientId"]!, ["client_secret"] = (string)client["clientSecret"]!,
            });
        }),
        new(HttpMethod.Post, "/invitations", t => Task.FromResult(new Call(t.Admin, "/api/v1/invitations",
            ToJson(new() { ["organisationKind"] = "enterprise", ["organisationId"] = t._enterprise, ["role"] = "member", ["login"] = People.NewLogin("invited") })))),
        new(HttpMethod.Delete, "/invitations/{id}", async t => new Call(t.Admin, "/api/v1/invitations/{id}")
        {
            RouteValues = { ["id"] = (string)(await t.InvitationAsync())["id"]! },
        }),
        new(HttpMethod.Post, "/invitations/accept", async t =>
        {
            var code = (string)(await t.InvitationAsync())["code"]!;
            return new Call((await t.NewPersonAsync()).Client, "/api/v1/invitations/accept", ToJson(new() { ["code"] = code }));
        }),
        new(HttpMethod.Delete, "/memberships/{id}", async t => new Call(t.Admin, "/api/v1/memberships/{id}")
        {
            RouteValues = { ["id"] = (await t.Host.InviteNewPersonAsync(t.Admin, "enterprise", t._enterprise, "member")).MembershipId },
        }),
        new(HttpMethod.Post, "/institutions/{id}/api-clients", t => Task.FromResult(new Call(t._manager.Client, "/api/v1/institutions/{id}/api-clients",
            ToJson(new() { ["name"] = "信贷系统" }))
        {
            RouteValues = { ["id"] = t._institution },
        })),
        new(HttpMethod.Delete, "/institutions/{id}/api-clients/{clientId}", async t => new Call(t._manager.Client, "/api/v1/institutions/{id}/api-clients/{clientId}")
        {
            RouteValues =
            {
                ["id"] = t._institution,
                ["clientId"] = (string)(await (await t._manager.Client.PostJsonAsync($"/api/v1/institutions/{t._institution}/api-clients", new { name = "信贷系统" })
                    .ShouldBe(HttpStatusCode.Created)).ReadJsonAsync())["clientId"]!,
            },
        }),
        new(HttpMethod.Post, "/admin/regulator-offices", t => Task.FromResult(new Call(t.Admin, "/api/v1/admin/regulator-offices",
            ToJson(new() { ["name"] = "嘉兴监管（测试）", ["region"] = "3304" })))),
        new(HttpMethod.Post, "/admin/people/{id}/deactivate", async t => new Call(t.Admin, "/api/v1/admin/people/{id}/deactivate", new JsonObject())
        {
            RouteValues = { ["id"] = await t.Host.SignUpAsync(People.NewLogin("leaving")) },
        }),
        new(HttpMethod.Post, "/admin/people/{id}/mfa/reset", async t =>
        {
            // A person whose phone is lost: their second factor is on, so the reset succeeds as it is.
            var login = People.NewLogin("phoneless");
            var personId = await t.Host.SignUpAsync(login);
            await t.Host.TurnOnMfaAsync(await t.Host.SignInAsync(login));
            return new Call(t.Admin, "/api/v1/admin/people/{id}/mfa/reset", new JsonObject()) { RouteValues = { ["id"] = personId } };
        }),
        new(HttpMethod.Post, "/dev/tokens", t => Task.FromResult(new Call(t.Anonymous, "/api/v1/dev/tokens",
            ToJson(new() { ["role"] = "enterprise", ["enterpriseId"] = t._enterprise, ["institutionId"] = null, ["region"] = null })))),
    ];

    [Test]
    public void The_fuzz_covers_every_write_endpoint()
    {
        // The host's own route table: a write endpoint added without a row here fails this.
        var served = Host.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true)
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Where(method => method is not ("GET" or "HEAD"))
                .Select(method => Route(method, endpoint.RoutePattern.RawText!["/api/v1".Length..])))
            .Distinct();

        Endpoints.Select(endpoint => Route(endpoint.Method.Method, endpoint.Route)).ShouldBe(served, ignoreOrder: true);
    }

    [Test]
    public void Every_class_of_the_corpus_has_values()
    {
        var classes = Corpus.Value.Select(value => value.Class).ToHashSet();
        AlwaysRefused.Where(@class => @class != "duplicate").ShouldAllBe(@class => classes.Contains(@class));
        classes.Count.ShouldBeGreaterThan(15);
    }

    public static IEnumerable<TestCaseData> EndpointCases() =>
        Endpoints.Select(endpoint => new TestCaseData($"{endpoint.Method} {endpoint.Route}").SetArgDisplayNames($"{endpoint.Method} {endpoint.Route}"));

    [TestCaseSource(nameof(EndpointCases))]
    public async Task Hostile_values_never_get_a_5xx_and_a_refusal_changes_nothing(string name)
    {
        var endpoint = Endpoints.Single(e => $"{e.Method} {e.Route}" == name);
        var findings = new List<string>();
        var call = await endpoint.Prepare(this);
        // The control: the call as prepared succeeds, so that each hostile case differs from a good call in one place.
        var control = await SendAsync(endpoint.Method, call, call.Body?.ToJsonString(), call.RouteValues, call.Headers, call.Form);
        ((int)control!.StatusCode).ShouldBeInRange(200, 299, $"{name}: {await control.Content.ReadAsStringAsync()}");

        var spent = true;   // the control's success spent what the call was aimed at (a pending dispatch, a code)
        string? before = null;
        foreach (var (field, @class, raw) in Cases(name, call))
        {
            if (spent) (call, before, spent) = (await endpoint.Prepare(this), null, false);
            before ??= await SnapshotAsync();
            using var response = await SendHostileAsync(endpoint.Method, call, field, @class, raw);
            if (response is null) continue;   // a value the transport itself cannot carry (a line break in a header)
            var status = (int)response.StatusCode;
            var shown = $"{name} {field ?? "(whole body)"} = {Shown(raw)} [{@class}] → {status}";
            if (status >= 500) findings.Add($"{shown}: {await response.Content.ReadAsStringAsync()}");
            if (status < 400 && field is not null && AlwaysRefused.Contains(@class)) findings.Add($"{shown}: accepted");
            // A refused sign-in, refresh or client token (401) is recorded on purpose: security events, failure counts.
            if (status < 400 || status == 401)
            {
                spent = true;
                continue;
            }
            var after = await SnapshotAsync();
            if (after != before) findings.Add($"{shown}, and the database changed");
            before = after;
        }

        findings.ShouldBeEmpty(string.Join(Environment.NewLine, findings));
    }

    /// <summary>
    /// (field or null for the whole body, class, raw value): one value of each class for each field and for the whole
    /// body, and each body field given twice. The draw is seeded by the endpoint's name, so every run sends the same.
    /// </summary>
    private static IEnumerable<(string? Field, string Class, string Raw)> Cases(string endpoint, Call call)
    {
        var random = new Random(StableSeed(endpoint));
        var byClass = Corpus.Value.GroupBy(value => value.Class).ToArray();
        var fields = (call.Body?.Select(pair => pair.Key) ?? []).Concat(call.RouteValues.Keys.Select(key => "{" + key + "}"))
            .Concat(call.Headers?.Keys.Select(key => "header " + key) ?? []).Concat(call.Form?.Keys.Select(key => "form " + key) ?? []).ToArray();
        foreach (var field in fields.Prepend(null))
            foreach (var group in byClass)
            {
                var values = group.ToArray();
                yield return (field, group.Key, values[random.Next(values.Length)].Raw);
            }
        foreach (var (field, value) in call.Body ?? [])
            yield return (field, "duplicate", value?.ToJsonString() ?? "null");
    }

    private Task<HttpResponseMessage?> SendHostileAsync(HttpMethod method, Call call, string? field, string @class, string raw)
    {
        var body = call.Body?.ToJsonString();
        var routeValues = new Dictionary<string, string>(call.RouteValues);
        var headers = call.Headers is null ? null : new Dictionary<string, string>(call.Headers);
        var form = call.Form is null ? null : new Dictionary<string, string>(call.Form);
        switch (field)
        {
            case null when form is not null:
                return SendAsync(method, call, null, routeValues, headers, form, rawForm: raw);
            case null:
                body = raw;
                break;
            case ['{', .., '}']:
                routeValues[field[1..^1]] = AsText(raw);
                break;
            case not null when field.StartsWith("header ", StringComparison.Ordinal):
                headers![field["header ".Length..]] = AsText(raw);
                break;
            case not null when field.StartsWith("form ", StringComparison.Ordinal):
                form![field["form ".Length..]] = AsText(raw);
                break;
            case not null when @class == "duplicate":
                body = $"{{{JsonSerializer.Serialize(field)}:{raw},{body![1..]}";
                break;
            default:
                var withPlaceholder = (JsonObject)call.Body!.DeepClone();
                withPlaceholder[field] = JsonNode.Parse(Placeholder);
                body = withPlaceholder.ToJsonString().Replace(Placeholder, raw, StringComparison.Ordinal);
                break;
        }
        return SendAsync(method, call, body, routeValues, headers, form);
    }

    private static async Task<HttpResponseMessage?> SendAsync(HttpMethod method, Call call, string? body, Dictionary<string, string> routeValues,
        Dictionary<string, string>? headers, Dictionary<string, string>? form, string? rawForm = null)
    {
        var path = Regex.Replace(call.Path, "{(?<name>[^}]+)}", match => PathSegment(routeValues[match.Groups["name"].Value]));
        using var request = new HttpRequestMessage(method, path);
        if (rawForm is not null) request.Content = new StringContent(rawForm, Encoding.UTF8, "application/x-www-form-urlencoded");
        else if (form is not null) request.Content = new StringContent(FormText(form), Encoding.UTF8, "application/x-www-form-urlencoded");
        else if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        foreach (var (name, value) in headers ?? [])
        {
            // HttpClient sends printable ASCII in a header and nothing else: a control character or Chinese cannot go there.
            if (value.Any(c => c is < ' ' or > '~')) return null;
            request.Headers.TryAddWithoutValidation(name, value).ShouldBeTrue();
        }
        return await call.Client.SendAsync(request);
    }

    /// <summary>
    /// The text of a JSON string value (the raw text itself otherwise), as a client would put it in a path, header or form.
    /// Decoded here, since System.Text.Json refuses to hand out a lone surrogate, which is just what is to be sent.
    /// </summary>
    private static string AsText(string raw)
    {
        if (raw.Length < 2 || raw[0] != '"' || raw[^1] != '"') return raw;
        var text = new StringBuilder();
        for (var i = 1; i < raw.Length - 1; i++)
        {
            if (raw[i] != '\\')
            {
                text.Append(raw[i]);
                continue;
            }
            var escape = raw[++i];
            text.Append(escape switch
            {
                'u' => (char)Convert.ToInt32(raw.Substring(i + 1, 4), 16), 'n' => '\n', 'r' => '\r', 't' => '\t', 'b' => '\b', 'f' => '\f', _ => escape,
            });
            if (escape == 'u') i += 4;
        }
        return text.ToString();
    }

    /// <summary>Percent-encodes UTF-8, and a lone surrogate as the three bytes a careless encoder would send (not valid UTF-8).</summary>
    private static string PathSegment(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            var length = char.IsSurrogatePair(text, i) ? 2 : 1;
            var unit = text.Substring(i, length);
            bytes.AddRange(char.IsSurrogate(unit[0]) && length == 1
                ? [(byte)(0xE0 | (unit[0] >> 12)), (byte)(0x80 | ((unit[0] >> 6) & 0x3F)), (byte)(0x80 | (unit[0] & 0x3F))]
                : Encoding.UTF8.GetBytes(unit));
            i += length - 1;
        }
        return string.Concat(bytes.Select(b => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~'
            ? ((char)b).ToString() : $"%{b:X2}"));
    }

    private static string FormText(Dictionary<string, string> form) =>
        string.Join('&', form.Select(pair => $"{PathSegment(pair.Key)}={PathSegment(pair.Value)}"));

    private static string Shown(string raw) => raw.Length > 60 ? $"{raw[..40]}… ({raw.Length} characters)" : raw;

    /// <summary>FNV-1a of the name: string.GetHashCode differs from run to run.</summary>
    private static int StableSeed(string text) =>
        (int)text.Aggregate(2166136261u, (hash, c) => (hash ^ c) * 16777619u);

    /// <summary>"class TAB raw-JSON", with "STRING * N" for a long string; # starts a comment.</summary>
    private static IReadOnlyList<(string Class, string Raw)> LoadCorpus()
    {
        var lines = File.ReadAllLines(Path.Combine(TestContext.CurrentContext.TestDirectory, "Validation", "hostile-values.txt"), Encoding.UTF8);
        return lines.Where(line => line.Length > 0 && !line.StartsWith('#')).Select(line =>
        {
            var (@class, raw) = (line[..line.IndexOf('\t')], line[(line.IndexOf('\t') + 1)..]);
            var repeat = Regex.Match(raw, "^(?<text>\".*\") \\* (?<count>[0-9]+)$");
            if (repeat.Success)
                raw = JsonSerializer.Serialize(string.Concat(Enumerable.Repeat(JsonSerializer.Deserialize<string>(repeat.Groups["text"].Value)!,
                    int.Parse(repeat.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture))), Json.Options);
            return (@class, raw);
        }).ToArray();
    }

    private static string Route(string method, string path) => $"{method} {Regex.Replace(path, "{[^}]*}", "{}").TrimEnd('/')}";

    private static Dictionary<string, object?> FullProductBody() => new(ProductBody())
    {
        ["regionCodes"] = new[] { "3304" }, ["industryCodes"] = new[] { "C39" }, ["minTaxCreditLevel"] = "B", ["description"] = "面向科技型中小企业",
    };

    private static JsonObject ToJson(Dictionary<string, object?> body) => JsonSerializer.SerializeToNode(body, Json.Options)!.AsObject();

    private async Task<SignedIn> NewPersonAsync()
    {
        var login = People.NewLogin("fuzz");
        await Host.SignUpAsync(login);
        return await Host.SignInAsync(login);
    }

    private async Task<SignedIn> MemberAsync(string kind, string organisationId, string role)
    {
        var (login, _) = await Host.InviteNewPersonAsync(Admin, kind, organisationId, role);
        var signedIn = await Host.SignInAsync(login);
        await Host.TurnOnMfaAsync(signedIn);
        return await Host.RefreshAsync(signedIn);
    }

    private async Task<JsonNode> InvitationAsync() =>
        await (await Admin.PostJsonAsync("/api/v1/invitations", new { organisationKind = "enterprise", organisationId = _enterprise, role = "member" })
            .ShouldBe(HttpStatusCode.Created)).ReadJsonAsync();

    private async Task<string> BlacklistedCodeAsync()
    {
        var code = NewCreditCode();
        await Admin.PostJsonAsync("/api/v1/admin/blacklist", new { creditCode = code, reason = "失信被执行人" }).ShouldBe(HttpStatusCode.Created);
        return code;
    }

    private async Task<string> ResetCodeAsync()
    {
        await Anonymous.PostJsonAsync("/api/v1/auth/password-reset", new { login = _resetLogin }).ShouldBe(HttpStatusCode.Accepted);
        var outbox = await (await Admin.GetAsync($"/api/v1/admin/messages?recipient={Uri.EscapeDataString(_resetLogin)}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        return Regex.Match((string)outbox["items"]![0]!["body"]!, @"\b\d{6}\b").Value;
    }

    private async Task<string> UnreadNotificationAsync()
    {
        await PendingDispatchAsync(_enterprise, _institution);
        var notifications = await (await EnterpriseClient(_enterprise).GetAsync("/api/v1/notifications?unreadOnly=true").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        return ((long)notifications["items"]![0]!["id"]!).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Every table's row count (the tables as the database lists them, so a new one cannot be missed), and the rows that
    /// updates aim at: the enterprise's profile, the product, the targets, the institution an admin changes.
    /// </summary>
    private async Task<string> SnapshotAsync()
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        var tables = (await connection.QueryAsync<string>(Provider == Providers.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")).ToArray();
        var counts = await connection.QuerySingleAsync(
            $"SELECT {string.Join(", ", tables.Select(table => $"(SELECT COUNT(*) FROM {table}) AS {table}"))}");
        var rows = await connection.QueryAsync("""
            SELECT e.name, e.region_code, e.industry_code, e.updated_at, p.name AS product, p.description, p.region_codes, p.updated_at AS product_updated
            FROM enterprises e CROSS JOIN products p WHERE e.id = @Enterprise AND p.id = @Product
            """, new { Enterprise = _enterprise, Product = _product });
        var targets = await connection.QueryAsync("SELECT * FROM region_targets ORDER BY region_code, year");
        var institution = await connection.QuerySingleAsync("SELECT * FROM institutions WHERE id = @Id", new { Id = _changedInstitution });
        return JsonSerializer.Serialize(new object[] { counts, rows, targets, institution });
    }
}
