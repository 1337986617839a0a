using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Validation;

/// <summary>What a bad body is posted to.</summary>
public enum Target { FinancingRequest, NewProduct, ProductChange, NewEnterprise, EnterpriseUpdate, NewInstitution }

/// <summary>
/// Safe writes (issue 2, point 5): every malformed, mistyped, out-of-range or overlong input is a 400 problem naming
/// the field, never a 500, and leaves the database exactly as it was.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class BadInputTests(string provider) : ApiTestBase(provider)
{
    private const string Absent = "<absent>";
    private const string Body = "body";

    private string _institution = "";
    private string _enterprise = "";
    private Dictionary<string, object?> _enterpriseBody = null!;
    private string _product = "";

    [OneTimeSetUp]
    public async Task CreateResourcesAsync()
    {
        _institution = await RegisterInstitutionAsync("33");
        _enterprise = Guid.NewGuid().ToString();
        _enterpriseBody = EnterpriseBody();
        await EnterpriseClient(_enterprise).PostJsonAsync("/api/v1/enterprises", _enterpriseBody).ShouldBe(HttpStatusCode.Created);
        _product = await ListProductAsync(_institution);
        await SubmitRequestAsync(_enterprise);
    }

    private static string WrongCheckCharacter()
    {
        var good = CreditCode.WithCheckCharacter("91330421MA0000001");
        return good[..17] + (good[17] == '0' ? '1' : '0');
    }

    private static string Text(int length) => JsonSerializer.Serialize(new string('贷', length));

    /// <summary>Whole bodies that are not the JSON object the endpoint takes.</summary>
    private static readonly (string Label, string Raw)[] BrokenBodies =
    [
        ("malformed JSON", """{"amount": 10"""),
        ("malformed JSON inside a list", """{"guaranteeModes": ["credit", }"""),
        ("a JSON array", "[]"),
        ("an array of objects", """[{"name": "x"}]"""),
        ("an empty body", ""),
        ("JSON null", "null"),
        ("a bare number", "42"),
        ("a bare string", "\"hello\""),
    ];

    // (field, raw JSON value or Absent, the key the errors must name)
    private static readonly (string Field, string Value, string Key)[] RequestFields =
    [
        ("amount", "\"lots\"", "amount"),
        ("amount", "-1000", "amount"),
        ("amount", "0", "amount"),
        ("amount", "1e15", "amount"),
        ("amount", "10000000000.01", "amount"),
        ("amount", "1000.123", "amount"),
        ("amount", "1e400", "amount"),
        ("amount", "null", "amount"),
        ("amount", Absent, "amount"),
        ("amount", "true", "amount"),
        ("termMonths", "1.5", "termMonths"),
        ("termMonths", "0", "termMonths"),
        ("termMonths", "361", "termMonths"),
        ("termMonths", "\"12\"", "termMonths"),
        ("termMonths", "1e400", "termMonths"),
        ("termMonths", "99999999999", "termMonths"),
        ("purpose", "\"gambling\"", "purpose"),
        ("purpose", "1", "purpose"),
        ("purpose", "\"Working_Capital\"", "purpose"),
        ("purpose", Absent, "purpose"),
        ("guaranteeModes", "\"credit\"", "guaranteeModes"),
        ("guaranteeModes", "[]", "guaranteeModes"),
        ("guaranteeModes", "null", "guaranteeModes"),
        ("guaranteeModes", "[\"credit\",\"credit\"]", "guaranteeModes"),
        ("guaranteeModes", "[\"cash\"]", "guaranteeModes"),
        ("guaranteeModes", "[0]", "guaranteeModes"),
        ("guaranteeModes", "[null]", "guaranteeModes"),
        ("maxRate", "0", "maxRate"),
        ("maxRate", "36.5", "maxRate"),
        ("maxRate", "3.8555", "maxRate"),
        ("maxRate", "\"low\"", "maxRate"),
        ("neededBy", "\"2026-02-01\"", "neededBy"),
        ("neededBy", "\"next week\"", "neededBy"),
        ("description", Text(2001), "description"),
        ("description", "12", "description"),
    ];

    private static readonly (string Field, string Value, string Key)[] ProductFields =
    [
        ("name", Text(201), "name"),
        ("name", "\"\"", "name"),
        ("name", Absent, "name"),
        ("kind", "\"crypto\"", "kind"),
        ("kind", "3", "kind"),
        ("kind", Absent, "kind"),
        ("minAmount", "-1", "minAmount"),
        ("minAmount", "0", "minAmount"),
        ("minAmount", "0.001", "minAmount"),
        ("minAmount", "\"lots\"", "minAmount"),
        ("minAmount", "1e400", "minAmount"),
        ("minAmount", "6000000", "maxAmount"),
        ("maxAmount", "1e15", "maxAmount"),
        ("minTermMonths", "1.5", "minTermMonths"),
        ("minTermMonths", "0", "minTermMonths"),
        ("maxTermMonths", "3", "maxTermMonths"),
        ("minRate", "0", "minRate"),
        ("minRate", "37", "minRate"),
        ("minRate", "3.8555", "minRate"),
        ("maxRate", "3.5", "maxRate"),
        ("guaranteeModes", "[]", "guaranteeModes"),
        ("guaranteeModes", "\"credit\"", "guaranteeModes"),
        ("guaranteeModes", "[\"credit\",\"credit\"]", "guaranteeModes"),
        ("guaranteeModes", "[\"cash\"]", "guaranteeModes"),
        ("regionCodes", "[\"33042\"]", "regionCodes"),
        ("regionCodes", "[\"abcdef\"]", "regionCodes"),
        ("regionCodes", "[\"33\",\"33\"]", "regionCodes"),
        ("regionCodes", "[\"3304\",\"32\"]", "regionCodes"),
        ("regionCodes", "\"33\"", "regionCodes"),
        ("industryCodes", "[\"c39\"]", "industryCodes"),
        ("industryCodes", "[\"Z99\"]", "industryCodes"),
        ("industryCodes", "[\"C3\"]", "industryCodes"),
        ("enterpriseSizes", "[\"huge\"]", "enterpriseSizes"),
        ("enterpriseSizes", "[\"small\",\"small\"]", "enterpriseSizes"),
        ("requiredTags", "[\"crypto\"]", "requiredTags"),
        ("requiredTags", "[\"green\",\"green\"]", "requiredTags"),
        ("minTaxCreditLevel", "\"E\"", "minTaxCreditLevel"),
        ("minTaxCreditLevel", "4", "minTaxCreditLevel"),
        ("firstLoanFriendly", "\"yes\"", "firstLoanFriendly"),
        ("firstLoanFriendly", "null", "firstLoanFriendly"),
        ("policySupport", "[\"free_money\"]", "policySupport"),
        ("approvalDays", "0", "approvalDays"),
        ("approvalDays", "91", "approvalDays"),
        ("minYearsInBusiness", "-1", "minYearsInBusiness"),
        ("description", Text(2001), "description"),
    ];

    private static readonly (string Field, string Value, string Key)[] EnterpriseFields =
    [
        ("creditCode", JsonSerializer.Serialize(WrongCheckCharacter()), "creditCode"),
        ("creditCode", "\"91330421MA0000001\"", "creditCode"),
        ("creditCode", "\"91330421ma00000010\"", "creditCode"),
        ("creditCode", "\"\"", "creditCode"),
        ("creditCode", Absent, "creditCode"),
        ("name", Text(201), "name"),
        ("name", "\"\"", "name"),
        ("regionCode", "\"33042\"", "regionCode"),
        ("regionCode", "\"abcdef\"", "regionCode"),
        ("regionCode", "\"033042\"", "regionCode"),
        ("regionCode", "330421", "regionCode"),
        ("industryCode", "\"c39\"", "industryCode"),
        ("industryCode", "\"Z1\"", "industryCode"),
        ("industryCode", "\"C3\"", "industryCode"),
        ("size", "\"huge\"", "size"),
        ("size", "1", "size"),
        ("size", Absent, "size"),
        ("employees", "1.5", "employees"),
        ("employees", "-1", "employees"),
        ("annualRevenue", "-1", "annualRevenue"),
        ("annualRevenue", "1.001", "annualRevenue"),
        ("annualRevenue", "1e400", "annualRevenue"),
        ("annualRevenue", "\"lots\"", "annualRevenue"),
        ("establishedOn", "\"2030-01-01\"", "establishedOn"),
        ("establishedOn", "\"01/06/2015\"", "establishedOn"),
        ("establishedOn", "\"1900-01-01\"", "establishedOn"),
        ("establishedOn", Absent, "establishedOn"),
        ("tags", "[\"green\",\"green\"]", "tags"),
        ("tags", "[\"crypto\"]", "tags"),
        ("tags", "\"green\"", "tags"),
        ("taxCreditLevel", "\"E\"", "taxCreditLevel"),
        ("taxCreditLevel", "\"a\"", "taxCreditLevel"),
        ("taxCreditLevel", "0", "taxCreditLevel"),
        ("hasLoanHistory", "\"no\"", "hasLoanHistory"),
        ("hasLoanHistory", "null", "hasLoanHistory"),
    ];

    private static readonly (string Field, string Value, string Key)[] InstitutionFields =
    [
        ("name", Text(201), "name"),
        ("name", "\"\"", "name"),
        ("kind", "\"crypto\"", "kind"),
        ("kind", "0", "kind"),
        ("regionCodes", "[]", "regionCodes"),
        ("regionCodes", "[\"33042\"]", "regionCodes"),
        ("regionCodes", "[\"abcdef\"]", "regionCodes"),
        ("regionCodes", "[\"33\",\"33\"]", "regionCodes"),
        ("regionCodes", "\"33\"", "regionCodes"),
        ("webhookUrl", "\"ftp://bank.example.com/hook\"", "webhookUrl"),
        ("webhookUrl", "\"not a url\"", "webhookUrl"),
        ("webhookUrl", "\"https://bank.example.com/hook\"", "webhookSecret"),
    ];

    public static IEnumerable<TestCaseData> Cases()
    {
        var fieldsByTarget = new (Target Target, (string Field, string Value, string Key)[] Fields)[]
        {
            (Target.FinancingRequest, RequestFields), (Target.NewProduct, ProductFields), (Target.ProductChange, ProductFields),
            (Target.NewEnterprise, EnterpriseFields), (Target.EnterpriseUpdate, EnterpriseFields), (Target.NewInstitution, InstitutionFields),
        };
        foreach (var (target, fields) in fieldsByTarget)
        {
            foreach (var (label, raw) in BrokenBodies)
                yield return new TestCaseData(target, null, raw, Body).SetArgDisplayNames(target.ToString(), label);
            foreach (var (field, value, key) in fields)
            {
                var shown = value == Absent ? "absent" : value.Length > 30 ? $"{value.Length - 2} characters" : value;
                yield return new TestCaseData(target, field, value, key).SetArgDisplayNames(target.ToString(), $"{field}: {shown}");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Bad_input_is_a_400_problem_naming_the_field_and_leaves_the_database_as_it_was(Target target, string? field, string value, string key)
    {
        var (client, method, path, valid) = Endpoint(target);
        var body = field is null ? value : WithField(valid, field, value);
        var before = await SnapshotAsync();

        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var response = await client.SendAsync(request).ShouldBe(HttpStatusCode.BadRequest);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.ReadJsonAsync();
        ((int)problem["status"]!).ShouldBe(400);
        var keys = problem["errors"].ShouldBeOfType<JsonObject>().Select(pair => pair.Key).ToArray();
        keys.ShouldContain(k => k == key || k.StartsWith(key + "[", StringComparison.Ordinal), problem.ToJsonString());
        (await SnapshotAsync()).ShouldBe(before);
    }

    [Test]
    public async Task The_valid_bodies_the_cases_start_from_are_accepted()
    {
        // The control: each bad case differs from these in one field only.
        foreach (var target in Enum.GetValues<Target>())
        {
            var (client, method, path, valid) = Endpoint(target);
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent(valid.ToJsonString(), Encoding.UTF8, "application/json") };
            var response = await client.SendAsync(request);
            ((int)response.StatusCode).ShouldBeInRange(200, 201, $"{target}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Test]
    public async Task An_overlong_idempotency_key_is_refused_naming_the_header()
    {
        var client = EnterpriseClient(_enterprise);
        client.DefaultRequestHeaders.Add("Idempotency-Key", new string('k', 101));
        var before = await SnapshotAsync();

        var response = await client.PostJsonAsync("/api/v1/financing-requests", RequestBody()).ShouldBe(HttpStatusCode.BadRequest);

        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldBe(["Idempotency-Key"]);
        (await SnapshotAsync()).ShouldBe(before);
    }

    private (HttpClient Client, HttpMethod Method, string Path, JsonObject Valid) Endpoint(Target target) => target switch
    {
        Target.FinancingRequest => (EnterpriseClient(_enterprise), HttpMethod.Post, "/api/v1/financing-requests", ToJson(RequestBody())),
        Target.NewProduct => (InstitutionClient(_institution), HttpMethod.Post, "/api/v1/products", ToJson(ProductBody())),
        Target.ProductChange => (InstitutionClient(_institution), HttpMethod.Put, $"/api/v1/products/{_product}", ToJson(ProductBody())),
        Target.NewEnterprise => (EnterpriseClient(Guid.NewGuid().ToString()), HttpMethod.Post, "/api/v1/enterprises", ToJson(EnterpriseBody())),
        Target.EnterpriseUpdate => (EnterpriseClient(_enterprise), HttpMethod.Post, "/api/v1/enterprises", ToJson(_enterpriseBody)),
        Target.NewInstitution => (Admin, HttpMethod.Post, "/api/v1/institutions", ToJson(InstitutionBody("33"))),
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    private static JsonObject ToJson(Dictionary<string, object?> body) => JsonSerializer.SerializeToNode(body, Json.Options)!.AsObject();

    private static string WithField(JsonObject valid, string field, string value)
    {
        valid.Remove(field);
        if (value != Absent) valid[field] = JsonNode.Parse(value);
        // JsonNode keeps a number's text as written, so 1e400 goes over the wire as 1e400.
        return valid.ToJsonString();
    }

    /// <summary>Every table's row count, the catalog version, and the rows that update attempts aim at, as stored.</summary>
    private async Task<string> SnapshotAsync()
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        var parts = new List<string>();
        foreach (var table in new[] { "enterprises", "institutions", "products", "product_regions", "financing_requests", "request_events" })
            parts.Add($"{table}={await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}")}");
        parts.Add($"catalog={await connection.ExecuteScalarAsync<long>("SELECT version FROM catalog_version")}");
        parts.Add(JsonSerializer.Serialize(await connection.QuerySingleAsync("SELECT * FROM enterprises WHERE id = @Id", new { Id = _enterprise })));
        parts.Add(JsonSerializer.Serialize(await connection.QuerySingleAsync("SELECT * FROM products WHERE id = @Id", new { Id = _product })));
        parts.Add(string.Join(";", await connection.QueryAsync<string>("SELECT region_prefix FROM product_regions WHERE product_id = @Id ORDER BY region_prefix", new { Id = _product })));
        return string.Join(Environment.NewLine, parts);
    }
}
