using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Institutions;

[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class InstitutionTests(string provider) : ApiTestBase(provider)
{
    [Test]
    public async Task An_admin_registers_an_institution_and_anyone_reads_its_public_profile()
    {
        var body = InstitutionBody("330421", "3204");
        body["name"] = "嘉善农商银行";
        body["kind"] = "small_loan";
        var before = await CountAsync("institutions");

        var response = await Admin.PostJsonAsync("/api/v1/institutions", body).ShouldBe(HttpStatusCode.Created);
        var id = (string)(await response.ReadJsonAsync())["id"]!;

        response.Headers.Location!.ToString().ShouldEndWith($"/api/v1/institutions/{id}");
        (await CountAsync("institutions")).ShouldBe(before + 1);
        var read = await ReadAsync(Anonymous, id);
        ((string)read["id"]!).ShouldBe(id);
        ((string)read["name"]!).ShouldBe("嘉善农商银行");
        ((string)read["kind"]!).ShouldBe("small_loan");
        read["regionCodes"]!.AsArray().Select(code => (string)code!).ShouldBe(["330421", "3204"]);
    }

    [Test]
    public async Task Only_an_admin_registers_institutions_other_roles_are_forbidden_and_anonymous_callers_challenged()
    {
        var institution = await RegisterInstitutionAsync();
        var enterprise = await RegisterEnterpriseAsync();
        var before = await CountAsync("institutions");

        await EnterpriseClient(enterprise).PostJsonAsync("/api/v1/institutions", InstitutionBody()).ShouldBe(HttpStatusCode.Forbidden);
        await InstitutionClient(institution).PostJsonAsync("/api/v1/institutions", InstitutionBody()).ShouldBe(HttpStatusCode.Forbidden);
        await RegulatorClient("33").PostJsonAsync("/api/v1/institutions", InstitutionBody()).ShouldBe(HttpStatusCode.Forbidden);
        await RegulatorClient("").PostJsonAsync("/api/v1/institutions", InstitutionBody()).ShouldBe(HttpStatusCode.Forbidden);
        await Anonymous.PostJsonAsync("/api/v1/institutions", InstitutionBody()).ShouldBe(HttpStatusCode.Unauthorized);

        (await CountAsync("institutions")).ShouldBe(before);
    }

    [Test]
    public async Task The_webhook_address_is_shown_to_the_institution_itself_and_admins_and_hidden_from_everyone_else()
    {
        var body = InstitutionBody("33");
        body["webhookUrl"] = "https://bank.example.com/hooks/finance-supermarket";
        body["webhookSecret"] = ForSigning;
        var id = (string)(await (await Admin.PostJsonAsync("/api/v1/institutions", body).ShouldBe(HttpStatusCode.Created)).ReadJsonAsync())["id"]!;
        var other = await RegisterInstitutionAsync();
        var enterprise = await RegisterEnterpriseAsync();

        foreach (var insider in new[] { InstitutionClient(id), Admin })
        {
            var read = await ReadAsync(insider, id);
            ((string?)read["webhookUrl"]).ShouldBe("https://bank.example.com/hooks/finance-supermarket");
            read.ToJsonString().ShouldNotContain(ForSigning);
        }
        foreach (var outsider in new[] { Anonymous, InstitutionClient(other), EnterpriseClient(enterprise), RegulatorClient("33") })
        {
            var text = (await ReadAsync(outsider, id)).ToJsonString();
            text.ShouldNotContain("bank.example.com");
            text.ShouldNotContain(ForSigning);
        }
    }

    [Test]
    public async Task An_unknown_institution_is_not_found()
    {
        await Anonymous.GetAsync($"/api/v1/institutions/{Guid.NewGuid()}").ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_admin_changes_an_institution_its_products_follow_and_the_audit_log_says_what_changed_old_to_new()
    {
        var body = InstitutionBody("330424");
        body["name"] = "海盐旧名银行";
        body["webhookUrl"] = "https://bank.example.com/hook";
        body["webhookSecret"] = Kept;
        var id = (string)(await (await Admin.PostJsonAsync("/api/v1/institutions", body).ShouldBe(HttpStatusCode.Created)).ReadJsonAsync())["id"]!;
        var everywhere = await ListProductAsync(id, p => p["name"] = "随机构区域贷");   // offered wherever its institution serves
        var change = InstitutionBody("330424", "320585");
        change["name"] = "海盐新名银行";
        change["kind"] = "small_loan";
        change["webhookUrl"] = "https://bank.example.com/hook-v2";   // no secret given: the stored one is kept

        var changed = await (await Admin.PutJsonAsync($"/api/v1/institutions/{id}", change).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

        ((string)changed["name"]!).ShouldBe("海盐新名银行");
        ((string)changed["kind"]!).ShouldBe("small_loan");
        changed["regions"]!.AsArray().Select(r => ((string)r!["code"]!, (string)r["name"]!)).ShouldBe([("330424", "海盐县"), ("320585", "太仓市")]);
        ((string)changed["webhookUrl"]!).ShouldBe("https://bank.example.com/hook-v2");
        ((string)(await ReadAsync(Anonymous, id))["name"]!).ShouldBe("海盐新名银行");
        // Its products follow at once: offered in the new region under the new name, on the shelves and in the matches.
        var shelves = await (await Anonymous.GetAsync("/api/v1/products?region=320585&pageSize=100").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)shelves["items"]!.AsArray().Single(p => (string)p!["id"]! == everywhere)!["institutionName"]!).ShouldBe("海盐新名银行");
        var owner = await RegisterEnterpriseAsync("320585");
        var matches = await (await EnterpriseClient(owner).GetAsync($"/api/v1/financing-requests/{await SubmitRequestAsync(owner)}/matches?limit=100")
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)matches["items"]!.AsArray().Single(m => (string)m!["product"]!["id"]! == everywhere)!["product"]!["institutionName"]!).ShouldBe("海盐新名银行");
        // Recorded old → new, the secret kept and never written down.
        await using var connection = await Host.Service<Db>().OpenAsync();
        (await connection.QuerySingleAsync<string>("SELECT detail FROM audit_log WHERE subject = 'institution' AND subject_id = @Id AND action = 'changed'", new { Id = id }))
            .ShouldBe("name: 海盐旧名银行 → 海盐新名银行; kind: bank → small_loan; regionCodes: 330424 → 330424,320585; " +
                      "webhookUrl: https://bank.example.com/hook → https://bank.example.com/hook-v2");
        (await StoredSecretAsync(id)).ShouldBe(Kept);
    }

    [Test]
    public async Task Narrowing_the_regions_past_a_listed_products_own_is_refused_naming_the_regions_until_the_product_is_delisted()
    {
        var bank = await RegisterInstitutionAsync("330424", "320585");
        var taicang = await ListProductAsync(bank, p => { p["name"] = "太仓专项贷"; p["regionCodes"] = new[] { "320585" }; });
        var before = (await ReadAsync(Admin, bank)).ToJsonString();

        var refused = await Admin.PutJsonAsync($"/api/v1/institutions/{bank}", InstitutionBody("330424")).ShouldBe(HttpStatusCode.BadRequest);

        var errors = (await refused.ReadJsonAsync())["errors"]!.AsObject();
        errors.Select(pair => pair.Key).ShouldBe(["regionCodes"]);
        ((string)errors["regionCodes"]![0]!).ShouldContain("太仓专项贷 (320585)");
        (await ReadAsync(Admin, bank)).ToJsonString().ShouldBe(before);
        await InstitutionClient(bank).PostJsonAsync($"/api/v1/products/{taicang}/delist", new { }).ShouldBe(HttpStatusCode.OK);
        await Admin.PutJsonAsync($"/api/v1/institutions/{bank}", InstitutionBody("330424")).ShouldBe(HttpStatusCode.OK);
        (await ReadAsync(Admin, bank))["regionCodes"]!.AsArray().Select(code => (string)code!).ShouldBe(["330424"]);
    }

    [Test]
    public async Task A_webhook_needs_a_secret_stored_or_given_and_removing_the_webhook_removes_its_secret()
    {
        var bank = await RegisterInstitutionAsync("330424");
        var withWebhook = InstitutionBody("330424");
        withWebhook["webhookUrl"] = "https://bank.example.com/hook";

        var refused = await Admin.PutJsonAsync($"/api/v1/institutions/{bank}", withWebhook).ShouldBe(HttpStatusCode.BadRequest);
        (await refused.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldBe(["webhookSecret"]);
        withWebhook["webhookSecret"] = NewSecret;
        await Admin.PutJsonAsync($"/api/v1/institutions/{bank}", withWebhook).ShouldBe(HttpStatusCode.OK);
        await Admin.PutJsonAsync($"/api/v1/institutions/{bank}", InstitutionBody("330424")).ShouldBe(HttpStatusCode.OK);

        (await ReadAsync(Admin, bank))["webhookUrl"].ShouldBeNull();
        await using var connection = await Host.Service<Db>().OpenAsync();
        (await StoredSecretAsync(bank)).ShouldBeNull();
        (await connection.QueryAsync<string>("SELECT detail FROM audit_log WHERE subject = 'institution' AND subject_id = @Id AND action = 'changed' ORDER BY id",
            new { Id = bank })).ShouldBe(["webhookUrl: (none) → https://bank.example.com/hook; webhookSecret: replaced",
                                          "webhookUrl: https://bank.example.com/hook → (none); webhookSecret: removed"]);
        await Admin.PutJsonAsync($"/api/v1/institutions/{Guid.NewGuid()}", InstitutionBody("330424")).ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_list_names_each_institutions_regions_and_admins_alone_see_the_deactivated_ones()
    {
        var active = await RegisterInstitutionAsync("330424");
        var gone = await RegisterInstitutionAsync("330424");
        await Admin.PostJsonAsync($"/api/v1/institutions/{gone}/deactivate", new { reason = "退出平台" }).ShouldBe(HttpStatusCode.NoContent);
        await Admin.PostJsonAsync($"/api/v1/institutions/{gone}/deactivate", new { reason = "again" }).ShouldBe(HttpStatusCode.Conflict);
        await Admin.PostJsonAsync($"/api/v1/institutions/{Guid.NewGuid()}/deactivate", new { reason = "unknown" }).ShouldBe(HttpStatusCode.NotFound);

        var seenByAnyone = await ListAsync(Anonymous, "?includeDeactivated=true");
        var item = seenByAnyone.Single(i => (string)i!["id"]! == active)!;
        item["regions"]!.AsArray().Select(r => ((string)r!["code"]!, (string)r["name"]!)).ShouldBe([("330424", "海盐县")]);
        item["deactivatedAt"].ShouldBeNull();
        seenByAnyone.ShouldNotContain(i => (string)i!["id"]! == gone);
        (await ListAsync(Admin, "")).ShouldNotContain(i => (string)i!["id"]! == gone);
        (await ListAsync(Admin, "?includeDeactivated=true")).Single(i => (string)i!["id"]! == gone)!["deactivatedAt"].ShouldNotBeNull();
    }

    private const string ForSigning = "whsec_aW5zdGl0dXRpb24td2ViaG9vay1zZWNyZXQtMjAyNiE=";
    private const string Kept = "whsec_YW5vdGhlci1pbnN0aXR1dGlvbi1zZWNyZXQtMjAyNiE=";
    private const string NewSecret = "whsec_dGhlLW5ldy13ZWJob29rLXNlY3JldC1mb3ItMjAyNg==";

    /// <summary>The institution's signing secret as stored, read back through Data Protection (null when none is stored).</summary>
    private async Task<string?> StoredSecretAsync(string institutionId)
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        var stored = await connection.QuerySingleAsync<string?>("SELECT webhook_signing_secret FROM institutions WHERE id = @Id", new { Id = institutionId });
        return stored is null ? null : Host.Service<WebhookSecrets>().Unprotect(stored);
    }

    private static async Task<JsonArray> ListAsync(HttpClient client, string query) =>
        (await (await client.GetAsync($"/api/v1/institutions{query}{(query.Length == 0 ? "?" : "&")}pageSize=100").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["items"]!.AsArray();

    private static async Task<JsonNode> ReadAsync(HttpClient client, string id) =>
        await (await client.GetAsync($"/api/v1/institutions/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
}
