using System.Net;
using System.Text.Json.Nodes;
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
        body["webhookSecret"] = "s3cret-for-signing";
        var id = (string)(await (await Admin.PostJsonAsync("/api/v1/institutions", body).ShouldBe(HttpStatusCode.Created)).ReadJsonAsync())["id"]!;
        var other = await RegisterInstitutionAsync();
        var enterprise = await RegisterEnterpriseAsync();

        foreach (var insider in new[] { InstitutionClient(id), Admin })
        {
            var read = await ReadAsync(insider, id);
            ((string?)read["webhookUrl"]).ShouldBe("https://bank.example.com/hooks/finance-supermarket");
            read.ToJsonString().ShouldNotContain("s3cret-for-signing");
        }
        foreach (var outsider in new[] { Anonymous, InstitutionClient(other), EnterpriseClient(enterprise), RegulatorClient("33") })
        {
            var text = (await ReadAsync(outsider, id)).ToJsonString();
            text.ShouldNotContain("bank.example.com");
            text.ShouldNotContain("s3cret-for-signing");
        }
    }

    [Test]
    public async Task An_unknown_institution_is_not_found()
    {
        await Anonymous.GetAsync($"/api/v1/institutions/{Guid.NewGuid()}").ShouldBe(HttpStatusCode.NotFound);
    }

    private static async Task<JsonNode> ReadAsync(HttpClient client, string id) =>
        await (await client.GetAsync($"/api/v1/institutions/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
}
