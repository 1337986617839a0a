using System.Net;
using System.Text.Json.Nodes;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Products;

[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class ProductTests(string provider) : ApiTestBase(provider)
{
    [Test]
    public async Task An_institution_lists_a_product_of_its_own_and_anyone_reads_it()
    {
        var institution = await RegisterInstitutionAsync("33");
        var before = await CountAsync("products");

        var response = await InstitutionClient(institution).PostJsonAsync("/api/v1/products", ProductBody()).ShouldBe(HttpStatusCode.Created);
        var id = (string)(await response.ReadJsonAsync())["id"]!;

        response.Headers.Location!.ToString().ShouldEndWith($"/api/v1/products/{id}");
        (await CountAsync("products")).ShouldBe(before + 1);
        var read = await (await Anonymous.GetAsync($"/api/v1/products/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)read["institutionId"]!).ShouldBe(institution);
        ((string)read["name"]!).ShouldBe("科技信用贷");
        ((string)read["kind"]!).ShouldBe("credit_loan");
        ((decimal)read["minAmount"]!).ShouldBe(100_000m);
        ((decimal)read["maxAmount"]!).ShouldBe(5_000_000m);
        ((decimal)read["minRate"]!).ShouldBe(3.85m);
        ((string)read["status"]!).ShouldBe("listed");
        read["guaranteeModes"]!.AsArray().Select(mode => (string)mode!).ShouldBe(["credit"]);
    }

    [Test]
    public async Task The_shelves_filter_by_kind()
    {
        var institution = await RegisterInstitutionAsync("33");
        var tech = await ListProductAsync(institution, body => body["kind"] = "tech_loan");
        await ListProductAsync(institution, body => body["kind"] = "credit_loan");

        var page = await ShelvesAsync($"institutionId={institution}&kind=tech_loan");

        Ids(page).ShouldBe([tech]);
        ((long)page["total"]!).ShouldBe(1);
    }

    [TestCase("amount=100000", new[] { "small" })]
    [TestCase("amount=5000000", new[] { "small", "large" })]
    [TestCase("amount=5000000.01", new[] { "large" })]
    [TestCase("amount=20000000", new[] { "large" })]
    [TestCase("amount=20000000.5", new string[0])]
    [TestCase("termMonths=6", new[] { "small" })]
    [TestCase("termMonths=12", new[] { "small", "large" })]
    [TestCase("termMonths=60", new[] { "large" })]
    [TestCase("termMonths=61", new string[0])]
    [TestCase("amount=3000000&termMonths=6", new[] { "small" })]
    [TestCase("amount=3000000&termMonths=48", new[] { "large" })]
    [TestCase("amount=500000&termMonths=48", new string[0])]
    public async Task The_shelves_filter_by_an_amount_and_a_term_within_the_products_ranges(string query, string[] expected)
    {
        var institution = await RegisterInstitutionAsync("33");
        var products = new Dictionary<string, string>
        {
            ["small"] = await ListProductAsync(institution, body => (body["maxAmount"], body["maxTermMonths"]) = (5_000_000m, 36)),
            ["large"] = await ListProductAsync(institution, body =>
                (body["minAmount"], body["maxAmount"], body["minTermMonths"], body["maxTermMonths"]) = (1_000_000m, 20_000_000m, 12, 60)),
        };

        var page = await ShelvesAsync($"institutionId={institution}&{query}");

        Ids(page).Order().ShouldBe(expected.Select(name => products[name]).Order());
        ((long)page["total"]!).ShouldBe(expected.Length);
    }

    [TestCase("guaranteeMode=credit", new[] { "credit", "pledge_credit_guarantee" })]
    [TestCase("guaranteeMode=mortgage", new[] { "mortgage_guarantee" })]
    [TestCase("guaranteeMode=pledge", new[] { "pledge_credit_guarantee" })]
    [TestCase("guaranteeMode=guarantee", new[] { "mortgage_guarantee", "pledge_credit_guarantee" })]
    [TestCase("policySupport=interest_subsidy", new[] { "mortgage_guarantee", "pledge_credit_guarantee" })]
    [TestCase("policySupport=risk_compensation", new[] { "pledge_credit_guarantee" })]
    [TestCase("policySupport=gov_guarantee", new[] { "pledge_credit_guarantee" })]
    [TestCase("guaranteeMode=credit&policySupport=interest_subsidy", new[] { "pledge_credit_guarantee" })]
    public async Task The_shelves_filter_by_a_guarantee_mode_accepted_and_a_policy_support_carried(string query, string[] expected)
    {
        var institution = await RegisterInstitutionAsync("33");
        var products = new Dictionary<string, string>
        {
            ["credit"] = await ListProductAsync(institution),
            ["mortgage_guarantee"] = await ListProductAsync(institution, body =>
                (body["guaranteeModes"], body["policySupport"]) = (new[] { "mortgage", "guarantee" }, new[] { "interest_subsidy" })),
            ["pledge_credit_guarantee"] = await ListProductAsync(institution, body =>
                (body["guaranteeModes"], body["policySupport"]) = (new[] { "pledge", "credit", "guarantee" },
                    new[] { "risk_compensation", "interest_subsidy", "gov_guarantee" })),
        };

        var page = await ShelvesAsync($"institutionId={institution}&{query}");

        Ids(page).Order().ShouldBe(expected.Select(name => products[name]).Order());
        ((long)page["total"]!).ShouldBe(expected.Length);
    }

    [TestCase("330421", new[] { "province", "county" })]
    [TestCase("3304", new[] { "province", "county" })]
    [TestCase("33", new[] { "province", "county" })]
    [TestCase("330424", new[] { "province" })]
    [TestCase("3204", new[] { "changzhou_city" })]
    [TestCase("320412", new[] { "changzhou_city" })]
    [TestCase("32", new[] { "changzhou_city" })]
    [TestCase("320583", new string[0])]
    [TestCase("44", new string[0])]
    public async Task The_shelves_filter_by_region_served_in_both_directions_of_the_prefix(string region, string[] expected)
    {
        var institution = await RegisterInstitutionAsync("33", "3204");
        var products = new Dictionary<string, string>
        {
            ["province"] = await ListProductAsync(institution, body => body["regionCodes"] = new[] { "33" }),
            ["changzhou_city"] = await ListProductAsync(institution, body => body["regionCodes"] = new[] { "3204" }),
            ["county"] = await ListProductAsync(institution, body => body["regionCodes"] = new[] { "330421" }),
        };

        var page = await ShelvesAsync($"institutionId={institution}&region={region}");

        Ids(page).Order().ShouldBe(expected.Select(name => products[name]).Order());
        ((long)page["total"]!).ShouldBe(expected.Length);
    }

    [Test]
    public async Task A_product_naming_no_regions_is_offered_in_all_regions_of_its_institution()
    {
        var institution = await RegisterInstitutionAsync("3304", "4407");
        var id = await ListProductAsync(institution);

        Ids(await ShelvesAsync($"institutionId={institution}&region=330421")).ShouldBe([id]);
        Ids(await ShelvesAsync($"institutionId={institution}&region=440704")).ShouldBe([id]);
        Ids(await ShelvesAsync($"institutionId={institution}&region=320583")).ShouldBeEmpty();
    }

    [Test]
    public async Task The_shelves_search_names_case_insensitively_and_take_percent_and_underscore_literally()
    {
        var institution = await RegisterInstitutionAsync("33");
        var green = await ListProductAsync(institution, body => body["name"] = "Green Growth 绿色贷");
        var percent = await ListProductAsync(institution, body => body["name"] = "100% 信用贷");
        var underscore = await ListProductAsync(institution, body => body["name"] = "e_loan 快贷");
        var plain = await ListProductAsync(institution, body => body["name"] = "eXloan 100 快贷");

        Ids(await ShelvesAsync($"institutionId={institution}&q=GROWTH")).ShouldBe([green]);
        Ids(await ShelvesAsync($"institutionId={institution}&q=绿色")).ShouldBe([green]);
        Ids(await ShelvesAsync($"institutionId={institution}&q=%20绿色%E3%80%80")).ShouldBe([green]);   // a search box's stray spaces are ignored
        Ids(await ShelvesAsync($"institutionId={institution}&q=%25")).ShouldBe([percent]);
        Ids(await ShelvesAsync($"institutionId={institution}&q=0%25")).ShouldBe([percent]);
        Ids(await ShelvesAsync($"institutionId={institution}&q=_")).ShouldBe([underscore]);
        Ids(await ShelvesAsync($"institutionId={institution}&q=e_l")).ShouldBe([underscore]);
        Ids(await ShelvesAsync($"institutionId={institution}&q=快贷")).Order().ShouldBe(new[] { underscore, plain }.Order());
        Ids(await ShelvesAsync($"institutionId={institution}&q=nothing-like-this")).ShouldBeEmpty();
    }

    [Test]
    public async Task The_shelves_page_through_every_product_once_and_report_the_total()
    {
        var institution = await RegisterInstitutionAsync("33");
        var listed = new List<string>();
        for (var i = 0; i < 5; i++) listed.Add(await ListProductAsync(institution, body => body["minRate"] = 3.0m + i * 0.1m));

        var pages = new List<JsonNode>();
        for (var page = 1; page <= 3; page++) pages.Add(await ShelvesAsync($"institutionId={institution}&page={page}&pageSize=2"));

        pages.Select(page => Ids(page).Count).ShouldBe([2, 2, 1]);
        pages.ShouldAllBe(page => (long)page["total"]! == 5);
        // Cheapest first: the shelves order by the lowest rate.
        pages.SelectMany(Ids).ShouldBe(listed);
        Ids(await ShelvesAsync($"institutionId={institution}&page=4&pageSize=2")).ShouldBeEmpty();
    }

    [Test]
    public async Task The_shelves_are_open_to_anonymous_callers_and_default_to_the_first_page_of_twenty()
    {
        var page = await (await Anonymous.GetAsync("/api/v1/products").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

        ((int)page["page"]!).ShouldBe(1);
        ((int)page["pageSize"]!).ShouldBe(20);
        page["items"].ShouldBeOfType<JsonArray>();
    }

    [TestCase("kind=crypto", "kind")]
    [TestCase("region=33042", "region")]
    [TestCase("region=abcdef", "region")]
    [TestCase("pageSize=101", "pageSize")]
    [TestCase("page=0", "page")]
    [TestCase("page=abc", "page")]
    [TestCase("pageSize=1e400", "pageSize")]
    [TestCase("amount=0", "amount")]
    [TestCase("amount=-5", "amount")]
    [TestCase("amount=10.001", "amount")]
    [TestCase("amount=ten", "amount")]
    [TestCase("termMonths=0", "termMonths")]
    [TestCase("termMonths=361", "termMonths")]
    [TestCase("termMonths=1.5", "termMonths")]
    [TestCase("guaranteeMode=cash", "guaranteeMode")]
    [TestCase("guaranteeMode=Credit", "guaranteeMode")]
    [TestCase("guaranteeMode=cred%25", "guaranteeMode")]
    [TestCase("policySupport=free_money", "policySupport")]
    public async Task Bad_shelf_filters_are_refused_naming_the_parameter(string query, string field)
    {
        var response = await Anonymous.GetAsync($"/api/v1/products?{query}").ShouldBe(HttpStatusCode.BadRequest);

        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldContain(field);
    }

    [Test]
    public async Task Product_regions_outside_those_the_institution_serves_are_refused_naming_regionCodes()
    {
        var institution = await RegisterInstitutionAsync("3304");
        var products = await CountAsync("products");
        var regions = await CountAsync("product_regions");

        var response = await InstitutionClient(institution).PostJsonAsync("/api/v1/products", WithRegions("330421", "33", "3205"))
            .ShouldBe(HttpStatusCode.BadRequest);

        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject();
        errors.Select(pair => pair.Key).ShouldBe(["regionCodes"]);
        errors["regionCodes"]!.ToJsonString().ShouldContain("33, 3205");
        (await CountAsync("products")).ShouldBe(products);
        (await CountAsync("product_regions")).ShouldBe(regions);
    }

    [Test]
    public async Task The_owner_changes_a_product_and_the_shelves_show_the_new_terms_and_regions()
    {
        var institution = await RegisterInstitutionAsync("33", "32");
        var id = await ListProductAsync(institution, body => body["regionCodes"] = new[] { "3304" });
        var body = ProductBody();
        body["name"] = "科技信用贷（升级版）";
        body["maxAmount"] = 8_000_000.50m;
        body["regionCodes"] = new[] { "3205" };
        body["policySupport"] = new[] { "interest_subsidy" };

        var changed = await (await InstitutionClient(institution).PutJsonFromCurrentAsync($"/api/v1/products/{id}", body).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

        ((string)changed["name"]!).ShouldBe("科技信用贷（升级版）");
        var read = await (await Anonymous.GetAsync($"/api/v1/products/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((decimal)read["maxAmount"]!).ShouldBe(8_000_000.50m);
        ((string)read["status"]!).ShouldBe("listed");
        read["policySupport"]!.AsArray().Select(support => (string)support!).ShouldBe(["interest_subsidy"]);
        Ids(await ShelvesAsync($"institutionId={institution}&region=330421")).ShouldBeEmpty();
        Ids(await ShelvesAsync($"institutionId={institution}&region=320583")).ShouldBe([id]);
    }

    [Test]
    public async Task A_change_names_the_version_it_is_made_from_and_one_made_from_a_stale_version_changes_nothing()
    {
        var institution = await RegisterInstitutionAsync("33");
        var id = await ListProductAsync(institution);
        var path = $"/api/v1/products/{id}";
        var client = InstitutionClient(institution);
        var read = await Anonymous.ETagAsync(path);
        var mine = ProductBody();
        mine["name"] = "先到的修改";
        var theirs = ProductBody();
        theirs["name"] = "后到的修改";

        var changed = await client.PutJsonAsync(path, mine, read).ShouldBe(HttpStatusCode.OK);
        var stale = await client.PutJsonAsync(path, theirs, read).ShouldBe(HttpStatusCode.PreconditionFailed);

        var now = changed.Headers.ETag!.ToString();
        now.ShouldNotBe(read);
        (await Anonymous.ETagAsync(path)).ShouldBe(now);
        stale.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        ((int)(await stale.ReadJsonAsync())["status"]!).ShouldBe(412);
        // The stale change changed nothing: the product reads as the first change left it.
        ((string)(await (await Anonymous.GetAsync(path)).ReadJsonAsync())["name"]!).ShouldBe("先到的修改");
        // Made again from the version read now, it goes through.
        await client.PutJsonAsync(path, theirs, now).ShouldBe(HttpStatusCode.OK);
        ((string)(await (await Anonymous.GetAsync(path)).ReadJsonAsync())["name"]!).ShouldBe("后到的修改");
    }

    [Test]
    public async Task A_change_without_If_Match_is_refused_with_428_and_weak_or_unknown_tags_never_match()
    {
        var institution = await RegisterInstitutionAsync("33");
        var id = await ListProductAsync(institution);
        var path = $"/api/v1/products/{id}";
        var client = InstitutionClient(institution);
        var current = await client.ETagAsync(path);
        var body = ProductBody();
        body["name"] = "不该保存的修改";

        var unconditional = await client.PutJsonAsync(path, body, ifMatch: null).ShouldBe(HttpStatusCode.PreconditionRequired);
        await client.PutJsonAsync(path, body, "W/" + current).ShouldBe(HttpStatusCode.PreconditionFailed);
        await client.PutJsonAsync(path, body, "\"999999\", \"not-a-version\"").ShouldBe(HttpStatusCode.PreconditionFailed);

        unconditional.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await client.ETagAsync(path)).ShouldBe(current);
        ((string)(await (await Anonymous.GetAsync(path)).ReadJsonAsync())["name"]!).ShouldBe("科技信用贷");
        // A list naming the current version among others matches; so does "*" (any version: an explicit overwrite).
        await client.PutJsonAsync(path, body, $"\"999999\", {current}").ShouldBe(HttpStatusCode.OK);
        await client.PutJsonAsync(path, ProductBody(), "*").ShouldBe(HttpStatusCode.OK);
    }

    [Test]
    public async Task Delisting_the_product_or_renaming_its_institution_moves_its_ETag_on()
    {
        var institution = await RegisterInstitutionAsync("33");
        var id = await ListProductAsync(institution);
        var path = $"/api/v1/products/{id}";
        var listed = await Anonymous.ETagAsync(path);

        var renamed = InstitutionBody("33");
        renamed["name"] = "改名后的银行";
        await Admin.PutJsonAsync($"/api/v1/institutions/{institution}", renamed).ShouldBe(HttpStatusCode.OK);
        var afterRename = await Anonymous.ETagAsync(path);
        var delisted = await InstitutionClient(institution).PostJsonAsync($"{path}/delist", new { }).ShouldBe(HttpStatusCode.OK);

        afterRename.ShouldNotBe(listed);   // the product reads with its institution's new name
        delisted.Headers.ETag!.ToString().ShouldNotBe(afterRename);
        (await InstitutionClient(institution).ETagAsync(path)).ShouldBe(delisted.Headers.ETag!.ToString());
        await InstitutionClient(institution).PutJsonAsync(path, ProductBody(), afterRename).ShouldBe(HttpStatusCode.PreconditionFailed);
    }

    [Test]
    public async Task Of_two_changes_made_at_once_from_the_same_version_one_goes_through_and_the_other_changes_nothing()
    {
        var institution = await RegisterInstitutionAsync("33");
        var id = await ListProductAsync(institution);
        var path = $"/api/v1/products/{id}";
        var read = await Anonymous.ETagAsync(path);
        var names = new[] { "甲的修改", "乙的修改" };

        var answers = await Task.WhenAll(names.Select(name =>
        {
            var body = ProductBody();
            body["name"] = name;
            return InstitutionClient(institution).PutJsonAsync(path, body, read);
        }));

        answers.Select(answer => answer.StatusCode).Order().ShouldBe([HttpStatusCode.OK, HttpStatusCode.PreconditionFailed]);
        var winner = (string)(await answers.Single(answer => answer.StatusCode == HttpStatusCode.OK).ReadJsonAsync())["name"]!;
        ((string)(await (await Anonymous.GetAsync(path)).ReadJsonAsync())["name"]!).ShouldBe(winner);
    }

    [Test]
    public async Task Another_institution_cannot_change_or_delist_a_product_it_does_not_own()
    {
        var owner = await RegisterInstitutionAsync("33");
        var other = await RegisterInstitutionAsync("33");
        var id = await ListProductAsync(owner);
        var before = (await (await Admin.GetAsync($"/api/v1/products/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync()).ToJsonString();
        var body = ProductBody();
        body["name"] = "被篡改的产品";

        // Even naming the product's current version: its ETag is no key to it.
        await InstitutionClient(other).PutJsonAsync($"/api/v1/products/{id}", body, await Admin.ETagAsync($"/api/v1/products/{id}")).ShouldBe(HttpStatusCode.NotFound);
        await InstitutionClient(other).PutJsonAsync($"/api/v1/products/{id}", body).ShouldBe(HttpStatusCode.NotFound);
        await InstitutionClient(other).PostJsonAsync($"/api/v1/products/{id}/delist", new { }).ShouldBe(HttpStatusCode.NotFound);
        await InstitutionClient(owner).PutJsonAsync($"/api/v1/products/{Guid.NewGuid()}", body).ShouldBe(HttpStatusCode.NotFound);

        (await (await Admin.GetAsync($"/api/v1/products/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync()).ToJsonString().ShouldBe(before);
    }

    [Test]
    public async Task A_delisted_product_leaves_the_shelves_and_is_hidden_from_everyone_but_its_institution_and_admins()
    {
        var owner = await RegisterInstitutionAsync("33");
        var other = await RegisterInstitutionAsync("33");
        var enterprise = await RegisterEnterpriseAsync();
        var id = await ListProductAsync(owner);
        Ids(await ShelvesAsync($"institutionId={owner}")).ShouldBe([id]);

        var delisted = await (await InstitutionClient(owner).PostJsonAsync($"/api/v1/products/{id}/delist", new { }).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

        ((string)delisted["status"]!).ShouldBe("delisted");
        Ids(await ShelvesAsync($"institutionId={owner}")).ShouldBeEmpty();
        foreach (var outsider in new[] { Anonymous, InstitutionClient(other), EnterpriseClient(enterprise), RegulatorClient("33") })
            await outsider.GetAsync($"/api/v1/products/{id}").ShouldBe(HttpStatusCode.NotFound);
        foreach (var insider in new[] { InstitutionClient(owner), Admin })
            ((string)(await (await insider.GetAsync($"/api/v1/products/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["status"]!).ShouldBe("delisted");
    }

    [Test]
    public async Task Delisting_twice_is_a_conflict()
    {
        var owner = await RegisterInstitutionAsync("33");
        var id = await ListProductAsync(owner);
        await InstitutionClient(owner).PostJsonAsync($"/api/v1/products/{id}/delist", new { }).ShouldBe(HttpStatusCode.OK);

        var response = await InstitutionClient(owner).PostJsonAsync($"/api/v1/products/{id}/delist", new { }).ShouldBe(HttpStatusCode.Conflict);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Test]
    public async Task Enterprise_regulator_and_admin_users_cannot_list_products_and_anonymous_callers_are_challenged()
    {
        var enterprise = await RegisterEnterpriseAsync();
        var before = await CountAsync("products");

        await EnterpriseClient(enterprise).PostJsonAsync("/api/v1/products", ProductBody()).ShouldBe(HttpStatusCode.Forbidden);
        await RegulatorClient("33").PostJsonAsync("/api/v1/products", ProductBody()).ShouldBe(HttpStatusCode.Forbidden);
        await Admin.PostJsonAsync("/api/v1/products", ProductBody()).ShouldBe(HttpStatusCode.Forbidden);
        await Anonymous.PostJsonAsync("/api/v1/products", ProductBody()).ShouldBe(HttpStatusCode.Unauthorized);

        (await CountAsync("products")).ShouldBe(before);
    }

    private static Dictionary<string, object?> WithRegions(params string[] regions)
    {
        var body = ProductBody();
        body["regionCodes"] = regions;
        return body;
    }

    private async Task<JsonNode> ShelvesAsync(string query) =>
        await (await Anonymous.GetAsync($"/api/v1/products?{query}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

    private static List<string> Ids(JsonNode page) => page["items"]!.AsArray().Select(item => (string)item!["id"]!).ToList();
}
