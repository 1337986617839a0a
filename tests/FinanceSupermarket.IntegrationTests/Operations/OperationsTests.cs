using System.Net;
using System.Net.Http.Headers;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Operations;

[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class OperationsTests(string provider) : ApiTestBase(provider)
{
    [Test]
    public async Task Health_answers_healthy_when_the_database_is_reachable()
    {
        var response = await Anonymous.GetAsync("/health").ShouldBe(HttpStatusCode.OK);

        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Test]
    public async Task The_OpenAPI_document_describes_the_contract()
    {
        var document = await (await Anonymous.GetAsync("/openapi/v1.json").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

        ((string)document["openapi"]!).ShouldStartWith("3.");
        var paths = document["paths"]!.AsObject().Select(pair => pair.Key).ToArray();
        paths.ShouldContain("/api/v1/financing-requests");
        paths.ShouldContain("/api/v1/financing-requests/{id}/cancel");
        paths.ShouldContain("/api/v1/enterprises");
        paths.ShouldContain("/api/v1/institutions");
        paths.ShouldContain("/api/v1/products/{id}");
    }

    [Test]
    public async Task The_browsable_API_reference_is_served_as_HTML()
    {
        var response = await Anonymous.GetAsync("/docs").ShouldBe(HttpStatusCode.OK);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldContain("Finance Supermarket API");
        html.ShouldContain("openapi/v1.json");
        // The page is a shell: the UI itself is a script served beside it.
        var script = await Anonymous.GetAsync(new Uri(response.RequestMessage!.RequestUri!, "scalar.js")).ShouldBe(HttpStatusCode.OK);
        (await script.Content.ReadAsByteArrayAsync()).Length.ShouldBeGreaterThan(10_000);
    }

    [Test]
    public async Task A_dev_token_for_a_regulator_reads_a_request_of_its_region_and_not_one_elsewhere()
    {
        var jiashan = await RegisterEnterpriseAsync("330421");
        var kunshan = await RegisterEnterpriseAsync("320583");
        var inRegion = await SubmitRequestAsync(jiashan);
        var elsewhere = await SubmitRequestAsync(kunshan);

        var regulator = await DevTokenClientAsync(new { role = "regulator", region = "33" });

        await regulator.GetAsync($"/api/v1/financing-requests/{inRegion}").ShouldBe(HttpStatusCode.OK);
        await regulator.GetAsync($"/api/v1/financing-requests/{elsewhere}").ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_dev_token_for_an_enterprise_acts_for_that_enterprise()
    {
        var enterpriseId = Guid.NewGuid().ToString();
        var enterprise = await DevTokenClientAsync(new { role = "enterprise", enterpriseId });

        await enterprise.PostJsonAsync("/api/v1/enterprises", EnterpriseBody()).ShouldBe(HttpStatusCode.Created);
        var created = await (await enterprise.PostJsonAsync("/api/v1/financing-requests", RequestBody()).ShouldBe(HttpStatusCode.Created)).ReadJsonAsync();

        var read = await (await enterprise.GetAsync($"/api/v1/financing-requests/{(string)created["id"]!}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)read["enterpriseId"]!).ShouldBe(enterpriseId);
    }

    [Test]
    public async Task A_dev_token_for_an_institution_lists_a_product_of_that_institution()
    {
        var institutionId = await RegisterInstitutionAsync("33");
        var institution = await DevTokenClientAsync(new { role = "institution", institutionId });

        var created = await (await institution.PostJsonAsync("/api/v1/products", ProductBody()).ShouldBe(HttpStatusCode.Created)).ReadJsonAsync();

        var read = await (await Anonymous.GetAsync($"/api/v1/products/{(string)created["id"]!}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)read["institutionId"]!).ShouldBe(institutionId);
    }

    [TestCase("""{"role":"superuser"}""", "role")]
    [TestCase("""{"role":3}""", "role")]
    [TestCase("""{}""", "role")]
    [TestCase("""{"role":"enterprise"}""", "enterpriseId")]
    [TestCase("""{"role":"institution"}""", "institutionId")]
    [TestCase("""{"role":"regulator","region":"330"}""", "region")]
    [TestCase("""{"role":""", "body")]
    public async Task A_bad_dev_token_request_is_refused_naming_the_field(string body, string field)
    {
        var response = await Anonymous.PostAsync("/api/v1/dev/tokens", new StringContent(body, MediaTypeHeaderValue.Parse("application/json")))
            .ShouldBe(HttpStatusCode.BadRequest);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldContain(field);
    }

    private async Task<HttpClient> DevTokenClientAsync(object body)
    {
        var token = (string)(await (await Anonymous.PostJsonAsync("/api/v1/dev/tokens", body).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["token"]!;
        token.ShouldNotBeNullOrWhiteSpace();
        var client = Host.ClientAs(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

/// <summary>With Auth:DevTokens=false (the default outside Development) there is no way to mint tokens over HTTP.</summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class DevTokensOffTests(string provider) : ApiTestBase(provider)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Auth:DevTokens"] = "false" };

    [Test]
    public async Task The_dev_token_route_is_not_there()
    {
        await Anonymous.PostJsonAsync("/api/v1/dev/tokens", new { role = "admin" }).ShouldBe(HttpStatusCode.NotFound);
        await Admin.PostJsonAsync("/api/v1/dev/tokens", new { role = "admin" }).ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_rest_of_the_API_still_answers()
    {
        // The control: the host is up and serving, only the dev token route is gone.
        await Anonymous.GetAsync("/health").ShouldBe(HttpStatusCode.OK);
        await Admin.PostJsonAsync("/api/v1/institutions", InstitutionBody()).ShouldBe(HttpStatusCode.Created);
    }
}
