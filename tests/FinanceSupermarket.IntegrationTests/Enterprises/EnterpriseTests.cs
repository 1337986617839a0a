using System.Net;
using System.Text.Json.Nodes;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Enterprises;

[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class EnterpriseTests(string provider) : ApiTestBase(provider)
{
    [Test]
    public async Task An_enterprise_user_registers_its_profile_under_the_id_its_token_is_bound_to()
    {
        var id = Guid.NewGuid().ToString();
        var body = EnterpriseBody("320583");
        var before = await CountAsync("enterprises");

        var response = await EnterpriseClient(id).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.Created);

        ((string)(await response.ReadJsonAsync())["id"]!).ShouldBe(id);
        response.Headers.Location!.ToString().ShouldEndWith($"/api/v1/enterprises/{id}");
        (await CountAsync("enterprises")).ShouldBe(before + 1);
        var read = await ReadAsync(EnterpriseClient(id), id);
        ((string)read["creditCode"]!).ShouldBe((string)body["creditCode"]!);
        ((string)read["regionCode"]!).ShouldBe("320583");
        ((string)read["size"]!).ShouldBe("small");
        ((decimal)read["annualRevenue"]!).ShouldBe(30_000_000m);
        ((string)read["establishedOn"]!).ShouldBe("2015-06-01");
        ((string)read["taxCreditLevel"]!).ShouldBe("A");
        read["tags"]!.AsArray().Select(tag => (string)tag!).ShouldBe(["tech_sme"]);
    }

    [Test]
    public async Task The_same_enterprise_user_updates_its_profile_and_reads_the_changes_back()
    {
        var id = Guid.NewGuid().ToString();
        var body = EnterpriseBody();
        await EnterpriseClient(id).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.Created);
        var before = await CountAsync("enterprises");

        body["name"] = "嘉善测试电子股份有限公司";
        body["size"] = "medium";
        body["employees"] = 360;                    // 工业 with 12,345万元: medium by 工信部联企业〔2011〕300号
        body["annualRevenue"] = 123_456_789.01m;
        body["tags"] = new[] { "specialized", "green" };
        body["taxCreditLevel"] = "B";
        body["hasLoanHistory"] = false;
        body["industryCode"] = "C3911";
        var response = await EnterpriseClient(id).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.OK);

        ((string)(await response.ReadJsonAsync())["id"]!).ShouldBe(id);
        (await CountAsync("enterprises")).ShouldBe(before);
        var read = await ReadAsync(EnterpriseClient(id), id);
        ((string)read["name"]!).ShouldBe("嘉善测试电子股份有限公司");
        ((string)read["size"]!).ShouldBe("medium");
        ((int)read["employees"]!).ShouldBe(360);
        ((decimal)read["annualRevenue"]!).ShouldBe(123_456_789.01m);
        read["tags"]!.AsArray().Select(tag => (string)tag!).ShouldBe(["specialized", "green"]);
        ((string)read["taxCreditLevel"]!).ShouldBe("B");
        ((bool)read["hasLoanHistory"]!).ShouldBeFalse();
        ((string)read["industryCode"]!).ShouldBe("C3911");
    }

    [Test]
    public async Task A_credit_code_with_a_wrong_check_character_is_refused_naming_creditCode()
    {
        var body = EnterpriseBody();
        var good = (string)body["creditCode"]!;
        body["creditCode"] = good[..17] + (good[17] == '0' ? '1' : '0');
        var before = await CountAsync("enterprises");

        var response = await EnterpriseClient(Guid.NewGuid().ToString()).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.BadRequest);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldBe(["creditCode"]);
        (await CountAsync("enterprises")).ShouldBe(before);
    }

    [Test]
    public async Task A_credit_code_already_held_by_another_enterprise_is_a_conflict_and_leaves_both_profiles_as_they_were()
    {
        var holder = await RegisterEnterpriseAsync();
        var holderCode = (string)(await ReadAsync(Admin, holder))["creditCode"]!;
        var other = await RegisterEnterpriseAsync();
        var otherBefore = (await ReadAsync(Admin, other)).ToJsonString();
        var newcomer = EnterpriseBody();
        newcomer["creditCode"] = holderCode;
        var before = await CountAsync("enterprises");

        // A newcomer, and an existing enterprise changing its code, both collide with the holder.
        await EnterpriseClient(Guid.NewGuid().ToString()).PostJsonAsync("/api/v1/enterprises", newcomer).ShouldBe(HttpStatusCode.Conflict);
        await EnterpriseClient(other).PostJsonAsync("/api/v1/enterprises", newcomer).ShouldBe(HttpStatusCode.Conflict);

        (await CountAsync("enterprises")).ShouldBe(before);
        (await ReadAsync(Admin, other)).ToJsonString().ShouldBe(otherBefore);
        ((string)(await ReadAsync(Admin, holder))["creditCode"]!).ShouldBe(holderCode);
    }

    [Test]
    public async Task The_profile_is_readable_by_its_owner_a_regulator_of_its_region_and_an_admin()
    {
        var id = await RegisterEnterpriseAsync("330421");

        foreach (var reader in new[] { EnterpriseClient(id), RegulatorClient("33"), RegulatorClient("3304"), RegulatorClient("330421"), RegulatorClient(""), Admin })
            ((string)(await ReadAsync(reader, id))["id"]!).ShouldBe(id);
    }

    [Test]
    public async Task The_profile_is_not_found_for_another_enterprise_a_regulator_of_another_region_or_an_institution()
    {
        var id = await RegisterEnterpriseAsync("330421");
        var other = await RegisterEnterpriseAsync("330421");
        var institution = await RegisterInstitutionAsync("33");

        await EnterpriseClient(other).GetAsync($"/api/v1/enterprises/{id}").ShouldBe(HttpStatusCode.NotFound);
        await RegulatorClient("32").GetAsync($"/api/v1/enterprises/{id}").ShouldBe(HttpStatusCode.NotFound);
        await RegulatorClient("3305").GetAsync($"/api/v1/enterprises/{id}").ShouldBe(HttpStatusCode.NotFound);
        await InstitutionClient(institution).GetAsync($"/api/v1/enterprises/{id}").ShouldBe(HttpStatusCode.NotFound);
        await Anonymous.GetAsync($"/api/v1/enterprises/{id}").ShouldBe(HttpStatusCode.Unauthorized);
        await Admin.GetAsync($"/api/v1/enterprises/{Guid.NewGuid()}").ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_admin_registers_an_enterprise_by_credit_code_and_a_second_post_of_that_code_updates_the_same_profile()
    {
        var body = EnterpriseBody("440704");
        var before = await CountAsync("enterprises");

        var created = await Admin.PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.Created);
        var id = (string)(await created.ReadJsonAsync())["id"]!;
        id.ShouldNotBeNullOrWhiteSpace();

        body["name"] = "江门改名五金厂";
        var updated = await Admin.PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.OK);

        ((string)(await updated.ReadJsonAsync())["id"]!).ShouldBe(id);
        (await CountAsync("enterprises")).ShouldBe(before + 1);
        var read = await ReadAsync(Admin, id);
        ((string)read["name"]!).ShouldBe("江门改名五金厂");
        ((string)read["creditCode"]!).ShouldBe((string)body["creditCode"]!);
    }

    [Test]
    public async Task Institution_and_regulator_users_cannot_write_enterprise_profiles_and_anonymous_callers_are_challenged()
    {
        var institution = await RegisterInstitutionAsync();

        await InstitutionClient(institution).PostJsonAsync("/api/v1/enterprises", EnterpriseBody()).ShouldBe(HttpStatusCode.Forbidden);
        await RegulatorClient("33").PostJsonAsync("/api/v1/enterprises", EnterpriseBody()).ShouldBe(HttpStatusCode.Forbidden);
        await Anonymous.PostJsonAsync("/api/v1/enterprises", EnterpriseBody()).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_profile_change_names_the_version_it_is_made_from_and_a_stale_or_missing_one_changes_nothing()
    {
        var id = Guid.NewGuid().ToString();
        var body = EnterpriseBody();
        await EnterpriseClient(id).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.Created);
        var path = $"/api/v1/enterprises/{id}";
        var owner = EnterpriseClient(id);
        var read = await owner.ETagAsync(path);
        body["name"] = "嘉善测试电子（第一次修改）";

        var changed = await owner.PutJsonAsync(path, body, read).ShouldBe(HttpStatusCode.OK);
        body["name"] = "嘉善测试电子（过时的修改）";
        var stale = await owner.PutJsonAsync(path, body, read).ShouldBe(HttpStatusCode.PreconditionFailed);
        await owner.PutJsonAsync(path, body, ifMatch: null).ShouldBe(HttpStatusCode.PreconditionRequired);
        // A POST that updates honours If-Match too.
        await owner.PostJsonAsync(path.Replace($"/{id}", ""), body, read).ShouldBe(HttpStatusCode.PreconditionFailed);

        ((string)(await changed.ReadJsonAsync())["name"]!).ShouldBe("嘉善测试电子（第一次修改）");
        var now = changed.Headers.ETag!.ToString();
        now.ShouldNotBe(read);
        (await owner.ETagAsync(path)).ShouldBe(now);
        stale.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        ((string)(await ReadAsync(owner, id))["name"]!).ShouldBe("嘉善测试电子（第一次修改）");
        // An admin changes it from the version read now; another enterprise cannot address it at all.
        await EnterpriseClient(Guid.NewGuid().ToString()).PutJsonAsync(path, body, now).ShouldBe(HttpStatusCode.NotFound);
        await Admin.PutJsonAsync($"/api/v1/enterprises/{Guid.NewGuid()}", body, now).ShouldBe(HttpStatusCode.NotFound);
        await Admin.PutJsonAsync(path, body, now).ShouldBe(HttpStatusCode.OK);
        ((string)(await ReadAsync(owner, id))["name"]!).ShouldBe("嘉善测试电子（过时的修改）");
    }

    [Test]
    public async Task A_first_loan_approved_gives_the_profile_loan_history_and_a_form_read_before_it_is_stale()
    {
        var bank = await RegisterInstitutionAsync("33");
        await ListProductAsync(bank);
        var id = await RegisterEnterpriseAsync(change: body => body["hasLoanHistory"] = false);
        var path = $"/api/v1/enterprises/{id}";
        var read = await EnterpriseClient(id).ETagAsync(path);

        await ResolvedRequestAsync(id, bank);

        ((bool)(await ReadAsync(EnterpriseClient(id), id))["hasLoanHistory"]!).ShouldBeTrue();
        var body = EnterpriseBody();
        body["hasLoanHistory"] = false;   // what the form read before the approval said
        await EnterpriseClient(id).PutJsonAsync(path, body, read).ShouldBe(HttpStatusCode.PreconditionFailed);
        ((bool)(await ReadAsync(EnterpriseClient(id), id))["hasLoanHistory"]!).ShouldBeTrue();
    }

    private static async Task<JsonNode> ReadAsync(HttpClient client, string id) =>
        await (await client.GetAsync($"/api/v1/enterprises/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
}
