using System.Net;
using System.Text.Json.Nodes;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Reference;

/// <summary>
/// Codes are checked against the shipped GB/T 2260 and GB/T 4754-2017 lists and named wherever they are shown; the
/// enterprise size is derived by 工信部联企业〔2011〕300号; the credit code's province agrees with the region or the
/// profile says why not.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class ReferenceCodeTests(string provider) : ApiTestBase(provider)
{
    [TestCase("regionCode", "339999")]      // 浙江 33, but no city 3399
    [TestCase("regionCode", "330499")]      // 嘉兴 3304 has no county 99
    [TestCase("industryCode", "A99")]       // section A has divisions 01–05
    [TestCase("industryCode", "C3910")]     // group C391 has no class 0
    public async Task A_code_that_does_not_exist_is_refused_naming_the_field_and_nothing_is_stored(string field, string code)
    {
        var id = Guid.NewGuid().ToString();
        var body = EnterpriseBody();
        body[field] = code;
        var before = await CountAsync("enterprises");

        var response = await EnterpriseClient(id).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.BadRequest);

        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject();
        errors.Select(pair => pair.Key).ShouldBe([field]);
        ((string)errors[field]![0]!).ShouldContain($"{code} is not one");
        (await CountAsync("enterprises")).ShouldBe(before);
    }

    [Test]
    public async Task A_real_county_is_accepted_and_the_profile_names_its_codes()
    {
        var id = await RegisterEnterpriseAsync("330421", e => e["industryCode"] = "C39");

        var read = await ReadAsync(EnterpriseClient(id), id);
        ((string)read["regionCode"]!).ShouldBe("330421");
        ((string)read["regionName"]!).ShouldBe("嘉善县");
        ((string)read["industryCode"]!).ShouldBe("C39");
        ((string)read["industryName"]!).ShouldBe("计算机、通信和其他电子设备制造业");
        ((string)read["size"]!).ShouldBe("small");
        ((string)read["sizeReason"]!).ShouldStartWith("Confirmed: 中小企业划型标准规定 (工信部联企业〔2011〕300号) 第四条（二）工业");
    }

    [Test]
    public async Task A_city_without_counties_is_a_region_in_its_own_six_digits()
    {
        var id = await RegisterEnterpriseAsync("441900");   // 东莞市 has towns, no counties
        ((string)(await ReadAsync(Admin, id))["regionName"]!).ShouldBe("东莞市");
    }

    [Test]
    public async Task A_5000_person_small_firm_is_re_classified_with_the_reason_shown()
    {
        var id = Guid.NewGuid().ToString();
        var body = EnterpriseBody();
        body["size"] = "small";
        body["employees"] = 5000;
        body["annualRevenue"] = 500_000_000m;

        var response = await EnterpriseClient(id).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.Created);

        var answer = await response.ReadJsonAsync();
        ((string)answer["size"]!).ShouldBe("large");
        const string reason = "Stated size small re-classified as large: 中小企业划型标准规定 (工信部联企业〔2011〕300号) 第四条（二）工业: " +
                              "从业人员 5000人, 营业收入 50000万元 → large (大型), not below 1000人 or 40000万元 (中小微型 below).";
        ((string)answer["sizeReason"]!).ShouldBe(reason);
        var read = await ReadAsync(EnterpriseClient(id), id);
        ((string)read["size"]!).ShouldBe("large");
        ((string)read["sizeReason"]!).ShouldBe(reason);

        // The same staff on a small turnover is medium (工业: 中小微型 below 40000万元), not small.
        body["annualRevenue"] = 30_000_000m;
        var changed = await (await EnterpriseClient(id).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)changed["size"]!).ShouldBe("medium");
        ((string)(await ReadAsync(EnterpriseClient(id), id))["size"]!).ShouldBe("medium");
    }

    [Test]
    public async Task Where_the_rules_need_a_figure_not_given_the_stated_size_stands_and_says_so()
    {
        var builder = await RegisterEnterpriseAsync("330421", e => { e["industryCode"] = "E47"; e["size"] = "medium"; });

        var read = await ReadAsync(Admin, builder);
        ((string)read["size"]!).ShouldBe("medium");
        ((string)read["sizeReason"]!).ShouldContain("not checked");
        ((string)read["sizeReason"]!).ShouldContain("资产总额 not given");
    }

    [Test]
    public async Task A_credit_code_issued_in_another_province_is_refused_unless_the_profile_says_why()
    {
        var id = Guid.NewGuid().ToString();
        var body = EnterpriseBody("330421");
        body["creditCode"] = NewCreditCode("320583");   // issued in 江苏, region in 浙江
        var before = await CountAsync("enterprises");

        var refused = await EnterpriseClient(id).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.BadRequest);

        var errors = (await refused.ReadJsonAsync())["errors"]!.AsObject();
        errors.Select(pair => pair.Key).Order().ShouldBe(["creditCode", "regionCode"]);
        var message = string.Join(" ", errors["regionCode"]!.AsArray().Select(text => (string)text!));
        message.ShouldContain("province 32 (江苏省,");
        message.ShouldContain("province 33 (浙江省)");
        message.ShouldContain("registeredElsewhereReason");
        (await CountAsync("enterprises")).ShouldBe(before);

        body["registeredElsewhereReason"] = "2024 年由昆山迁至嘉善，统一社会信用代码不变";
        await EnterpriseClient(id).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.Created);
        ((string)(await ReadAsync(EnterpriseClient(id), id))["registeredElsewhereReason"]!).ShouldBe("2024 年由昆山迁至嘉善，统一社会信用代码不变");
    }

    [Test]
    public async Task Products_institutions_shelves_statistics_and_targets_take_only_real_prefixes()
    {
        var institution = await RegisterInstitutionAsync("33");
        await InstitutionClient(institution).PostJsonAsync("/api/v1/products", With(p => p["regionCodes"] = new[] { "3399" })).ShouldBe(HttpStatusCode.BadRequest);
        await InstitutionClient(institution).PostJsonAsync("/api/v1/products", With(p => p["industryCodes"] = new[] { "A99" })).ShouldBe(HttpStatusCode.BadRequest);
        await Admin.PostJsonAsync("/api/v1/institutions", InstitutionBody("39")).ShouldBe(HttpStatusCode.BadRequest);
        await Admin.PutJsonAsync("/api/v1/statistics/targets", new { regionCode = "3399", year = 2026, approvedAmount = 1_000_000m, approvedCount = 10 })
            .ShouldBe(HttpStatusCode.BadRequest);

        foreach (var (client, path, field) in new[]
                 {
                     (Anonymous, "/api/v1/products?region=339999", "region"),
                     (RegulatorClient("33"), "/api/v1/statistics/summary?region=3399", "region"),
                     (RegulatorClient("33"), "/api/v1/statistics/breakdown?by=industry&industry=A99", "industry"),
                     (RegulatorClient("33"), "/api/v1/statistics/export?format=csv&industry=C3910", "industry"),
                 })
        {
            var response = await client.GetAsync(path).ShouldBe(HttpStatusCode.BadRequest);
            (await response.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldBe([field], path);
        }

        // The same prefixes at every real level are accepted.
        var product = await ListProductAsync(institution, p => { p["regionCodes"] = new[] { "33", "3304", "330421" }; p["industryCodes"] = new[] { "C", "C39", "C391", "C3911" }; });
        await RegulatorClient("33").GetAsync("/api/v1/statistics/summary?region=330421&industry=C3911").ShouldBe(HttpStatusCode.OK);

        // Product and shelves name every code.
        var read = await (await Anonymous.GetAsync($"/api/v1/products/{product}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        Named(read["regions"]!).ShouldBe(["33 浙江省", "3304 嘉兴市", "330421 嘉善县"]);
        Named(read["industries"]!).ShouldBe(["C 制造业", "C39 计算机、通信和其他电子设备制造业", "C391 计算机制造", "C3911 计算机整机制造"]);
        var shelves = await (await Anonymous.GetAsync($"/api/v1/products?institutionId={institution}&region=330421").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        Named(shelves["items"]![0]!["regions"]!).ShouldContain("330421 嘉善县");
        var profile = await (await Anonymous.GetAsync($"/api/v1/institutions/{institution}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        Named(profile["regions"]!).ShouldBe(["33 浙江省"]);
    }

    private static Dictionary<string, object?> With(Action<Dictionary<string, object?>> change)
    {
        var body = ProductBody();
        change(body);
        return body;
    }

    private static string[] Named(JsonNode list) => list.AsArray().Select(item => $"{item!["code"]} {item["name"]}").ToArray();

    private static async Task<JsonNode> ReadAsync(HttpClient client, string id) =>
        await (await client.GetAsync($"/api/v1/enterprises/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
}
