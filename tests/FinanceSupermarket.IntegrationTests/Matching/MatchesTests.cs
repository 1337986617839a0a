using System.Net;
using System.Text.Json.Nodes;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Matching;

[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class MatchesTests(string provider) : ApiTestBase(provider)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Matching:RefreshSeconds"] = "0.2" };

    private async Task<JsonNode> MatchesAsync(HttpClient client, string requestId, string query = "") =>
        await (await client.GetAsync($"/api/v1/financing-requests/{requestId}/matches{query}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

    private static string[] ProductIds(JsonNode matches) => [.. matches["items"]!.AsArray().Select(item => (string)item!["product"]!["id"]!)];

    [Test]
    public async Task Matches_are_ranked_with_scores_and_reasons_in_english_and_chinese()
    {
        var bank = await RegisterInstitutionAsync("330481");
        var cheap = await ListProductAsync(bank, p => { p["name"] = "低息信用贷"; p["minRate"] = 3.2m; });
        var dear = await ListProductAsync(bank, p => { p["name"] = "高息信用贷"; p["minRate"] = 5.9m; });
        var owner = await RegisterEnterpriseAsync("330481");
        var request = await SubmitRequestAsync(owner, 2_000_000m);

        var matches = await MatchesAsync(EnterpriseClient(owner), request);

        // Other tests of this fixture list products for all of Zhejiang too: compare this test's two.
        var ours = matches["items"]!.AsArray().Where(item => (string)item!["product"]!["id"]! is var id && (id == cheap || id == dear)).ToArray();
        ours.Select(item => (string)item!["product"]!["id"]!).ShouldBe([cheap, dear]);
        var first = ours[0]!;
        ((double)first["score"]!).ShouldBeInRange(0, 100);
        ((double)first["score"]!).ShouldBeGreaterThan((double)ours[1]!["score"]!);
        var amountReason = first["reasons"]!.AsArray().Single(reason => (string)reason!["code"]! == "amount_in_range")!;
        ((string)amountReason["en"]!).ShouldContain("2,000,000");
        ((string)amountReason["zh"]!).ShouldContain("金额");
    }

    [Test]
    public async Task A_regulator_of_the_region_reads_the_matches_and_another_enterprise_gets_404()
    {
        var owner = await RegisterEnterpriseAsync("330421");
        var other = await RegisterEnterpriseAsync("330421");
        var request = await SubmitRequestAsync(owner);

        await RegulatorClient("3304").GetAsync($"/api/v1/financing-requests/{request}/matches").ShouldBe(HttpStatusCode.OK);
        await RegulatorClient("44").GetAsync($"/api/v1/financing-requests/{request}/matches").ShouldBe(HttpStatusCode.NotFound);
        await EnterpriseClient(other).GetAsync($"/api/v1/financing-requests/{request}/matches").ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Listing_changing_and_delisting_a_product_shows_in_the_matches_at_once()
    {
        var bank = await RegisterInstitutionAsync("33");
        var owner = await RegisterEnterpriseAsync("330421");
        var request = await SubmitRequestAsync(owner, 1_500_000m);
        var product = await ListProductAsync(bank, p => p["name"] = "即时上架贷");
        ProductIds(await MatchesAsync(EnterpriseClient(owner), request)).ShouldContain(product);

        var changed = ProductBody();
        changed["maxAmount"] = 1_000_000m;
        await InstitutionClient(bank).PutJsonFromCurrentAsync($"/api/v1/products/{product}", changed).ShouldBe(HttpStatusCode.OK);
        ProductIds(await MatchesAsync(EnterpriseClient(owner), request)).ShouldNotContain(product);

        await InstitutionClient(bank).PutJsonFromCurrentAsync($"/api/v1/products/{product}", ProductBody()).ShouldBe(HttpStatusCode.OK);
        await InstitutionClient(bank).PostJsonAsync($"/api/v1/products/{product}/delist", new { }).ShouldBe(HttpStatusCode.OK);
        ProductIds(await MatchesAsync(EnterpriseClient(owner), request)).ShouldNotContain(product);
    }

    [Test]
    public async Task Near_misses_name_the_one_rule_that_failed()
    {
        var bank = await RegisterInstitutionAsync("33");
        var mortgageOnly = await ListProductAsync(bank, p => { p["name"] = "抵押经营贷"; p["kind"] = "mortgage_loan"; p["guaranteeModes"] = new[] { "mortgage" }; });
        var owner = await RegisterEnterpriseAsync("330421");
        var request = await SubmitRequestAsync(owner);

        var withoutNearMisses = await MatchesAsync(EnterpriseClient(owner), request);
        ProductIds(withoutNearMisses).ShouldNotContain(mortgageOnly);
        withoutNearMisses["nearMisses"]!.AsArray().ShouldBeEmpty();

        var matches = await MatchesAsync(EnterpriseClient(owner), request, "?includeNearMisses=true");
        var nearMiss = matches["nearMisses"]!.AsArray().Single(miss => (string)miss!["product"]!["id"]! == mortgageOnly)!;
        ((string)nearMiss["failedRule"]!["code"]!).ShouldBe("guarantee_mode");
        ((string)nearMiss["failedRule"]!["en"]!).ShouldContain("mortgage");
        ((string)nearMiss["failedRule"]!["zh"]!).ShouldContain("抵押");
    }

    [Test]
    public async Task Matches_and_near_misses_name_the_institution_and_every_region_and_industry_beside_its_code()
    {
        var body = InstitutionBody("330421");
        body["name"] = "嘉善名称银行";
        var bank = (string)(await (await Admin.PostJsonAsync("/api/v1/institutions", body).ShouldBe(HttpStatusCode.Created)).ReadJsonAsync())["id"]!;
        var electronics = await ListProductAsync(bank, p => { p["name"] = "电子信息贷"; p["regionCodes"] = new[] { "330421" }; p["industryCodes"] = new[] { "C39" }; });
        var farming = await ListProductAsync(bank, p => { p["name"] = "农业贷"; p["industryCodes"] = new[] { "A01" }; });
        var owner = await RegisterEnterpriseAsync("330421");
        var request = await SubmitRequestAsync(owner);

        var matches = await MatchesAsync(EnterpriseClient(owner), request, "?limit=100&includeNearMisses=true");

        var match = matches["items"]!.AsArray().Single(item => (string)item!["product"]!["id"]! == electronics)!["product"]!;
        ((string)match["name"]!).ShouldBe("电子信息贷");
        ((string)match["institutionId"]!).ShouldBe(bank);
        ((string)match["institutionName"]!).ShouldBe("嘉善名称银行");
        match["regions"]!.AsArray().Select(r => ((string)r!["code"]!, (string)r["name"]!)).ShouldBe([("330421", "嘉善县")]);
        match["industries"]!.AsArray().Select(i => ((string)i!["code"]!, (string)i["name"]!)).ShouldBe([("C39", "计算机、通信和其他电子设备制造业")]);
        var nearMiss = matches["nearMisses"]!.AsArray().Single(miss => (string)miss!["product"]!["id"]! == farming)!;
        ((string)nearMiss["failedRule"]!["code"]!).ShouldBe("industry");
        ((string)nearMiss["product"]!["institutionName"]!).ShouldBe("嘉善名称银行");
        nearMiss["product"]!["industries"]!.AsArray().Select(i => ((string)i!["code"]!, (string)i["name"]!)).ShouldBe([("A01", "农业")]);
    }

    [Test]
    public async Task A_blacklisted_enterprise_gets_no_matches_and_a_clear_reason_until_it_is_lifted()
    {
        var bank = await RegisterInstitutionAsync("33");
        await ListProductAsync(bank);
        var body = EnterpriseBody("330421");
        var owner = Guid.NewGuid().ToString();
        await EnterpriseClient(owner).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.Created);
        var request = await SubmitRequestAsync(owner);

        await Admin.PostJsonAsync("/api/v1/admin/blacklist", new { creditCode = body["creditCode"], reason = "失信被执行人" }).ShouldBe(HttpStatusCode.Created);
        var refused = await MatchesAsync(EnterpriseClient(owner), request, "?includeNearMisses=true");
        refused["items"]!.AsArray().ShouldBeEmpty();
        refused["nearMisses"]!.AsArray().ShouldBeEmpty();
        ((string)refused["refusal"]!["code"]!).ShouldBe("blacklisted");

        await Admin.DeleteAsync($"/api/v1/admin/blacklist/{body["creditCode"]}").ShouldBe(HttpStatusCode.NoContent);
        (await MatchesAsync(EnterpriseClient(owner), request))["items"]!.AsArray().ShouldNotBeEmpty();
    }

    [Test]
    public async Task Only_an_admin_manages_the_blacklist()
    {
        var entry = new { creditCode = NewCreditCode(), reason = "测试" };
        await RegulatorClient("33").PostJsonAsync("/api/v1/admin/blacklist", entry).ShouldBe(HttpStatusCode.Forbidden);
        await EnterpriseClient(Guid.NewGuid().ToString()).GetAsync("/api/v1/admin/blacklist").ShouldBe(HttpStatusCode.Forbidden);
        await Admin.PostJsonAsync("/api/v1/admin/blacklist", new { creditCode = "913304210000000000", reason = "x" }).ShouldBe(HttpStatusCode.BadRequest);
        await Admin.PostJsonAsync("/api/v1/admin/blacklist", entry).ShouldBe(HttpStatusCode.Created);
        await Admin.PostJsonAsync("/api/v1/admin/blacklist", entry).ShouldBe(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task A_second_api_node_on_the_same_database_sees_a_new_product_within_seconds()
    {
        if (Provider == Providers.Sqlite) Assert.Ignore("Several nodes share a server database; the embedded SQLite default runs one node.");
        var owner = await RegisterEnterpriseAsync("330421");
        var request = await SubmitRequestAsync(owner);
        await using var secondNode = new ApiHost(Provider, Host.Service<FinanceSupermarket.Api.Infrastructure.Database.Db>().ConnectionString,
            new FakeTimeProvider(Start), Settings);
        var bank = await RegisterInstitutionAsync("33");

        var product = await ListProductAsync(bank, p => p["name"] = "跨节点贷");

        // What is tested is the refresher's own timer on the second node, which runs on real time: a bounded wait (10 s).
        var seen = false;
        for (var attempt = 0; attempt < 50 && !seen; attempt++)
        {
            seen = ProductIds(await MatchesAsync(secondNode.ClientAs(Role.Enterprise, enterpriseId: owner), request)).Contains(product);
            if (!seen) await Task.Delay(200);
        }
        seen.ShouldBeTrue("the second node's index should pick up the product from the catalog version");
    }
}
