using System.Net;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Workflow;

/// <summary>
/// GB/T 2260 writes a city with two trailing zeros (440700 = 江门市). An institution registered as serving "440700"
/// serves the city's counties, as the matching engine reads it: it may list a product for one of them, the shelves show
/// that product there, and a request from there is dispatched to it.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class CityCodeTests(string provider) : WorkflowTestBase(provider)
{
    [Test]
    public async Task An_institution_serving_city_440700_lists_a_product_for_county_440704_and_gets_its_requests()
    {
        var bank = await RegisterInstitutionAsync("440700", "江门农商银行");
        var product = await ListProductAsync(bank, p => p["regionCodes"] = new[] { "440704" });

        var shelves = await (await Anonymous.GetAsync($"/api/v1/products?institutionId={bank}&region=440704").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        shelves["items"]!.AsArray().Select(item => (string)item!["id"]!).ShouldBe([product]);

        var owner = await RegisterEnterpriseAsync("440704");
        var request = await SubmitRequestAsync(owner);
        var dispatched = await ReadOnceJobsRanAsync(owner, request, "dispatched");
        ((string)DispatchOf(dispatched, bank)["productId"]!).ShouldBe(product);
    }

    [Test]
    public async Task An_institution_serving_city_440700_cannot_list_a_product_for_another_city()
    {
        var bank = await RegisterInstitutionAsync("440700", "江门农商银行");
        var body = ProductBody();
        body["regionCodes"] = new[] { "440604" };   // Foshan

        var refused = await (await InstitutionClient(bank).PostJsonAsync("/api/v1/products", body).ShouldBe(HttpStatusCode.BadRequest)).ReadJsonAsync();

        ((string)refused["errors"]!["regionCodes"]![0]!).ShouldContain("440604");
    }
}
