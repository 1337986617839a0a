using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Operations;

/// <summary>The embedded default (README's first command) serves demo data; a restart does not seed it again.</summary>
[TestFixture(Providers.Sqlite)]
public sealed class DemoDataTests(string provider) : ApiTestBase(provider)
{
    private static readonly string[] Tables = ["institutions", "enterprises", "products", "product_regions", "financing_requests", "request_events"];

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Database:SeedDemoData"] = "true" };

    [Test]
    public async Task The_shelves_of_Jiashan_show_the_demo_products_offered_there_and_none_from_elsewhere()
    {
        var page = await (await Anonymous.GetAsync("/api/v1/products?region=330421&pageSize=100").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var names = page["items"]!.AsArray().Select(item => (string)item!["name"]!).ToArray();

        names.ShouldContain("善企信用贷");
        names.ShouldContain("科技成长贷");
        names.ShouldContain("政策性担保贷");
        names.ShouldNotContain("台资企业专享贷");
        names.ShouldNotContain("政采贷");
        ((long)page["total"]!).ShouldBe(names.Length);
        page["items"]!.AsArray().ShouldAllBe(item => (string)item!["status"]! == "listed");
    }

    [Test]
    public async Task Demo_enterprises_and_their_submitted_requests_are_stored()
    {
        (await CountAsync("enterprises")).ShouldBeGreaterThanOrEqualTo(3);
        (await CountAsync("financing_requests")).ShouldBeGreaterThanOrEqualTo(2);
        (await CountAsync("request_events")).ShouldBe(await CountAsync("financing_requests"));
        (await CountAsync("institutions")).ShouldBeGreaterThanOrEqualTo(4);
    }

    [Test]
    public async Task A_regulator_of_Jiashan_reads_a_demo_request_submitted_there()
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        var id = await connection.ExecuteScalarAsync<string>("SELECT id FROM financing_requests WHERE region_code = '330421' ORDER BY id");
        id.ShouldNotBeNull();

        var read = await (await RegulatorClient("3304").GetAsync($"/api/v1/financing-requests/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

        ((string)read["status"]!).ShouldBe("submitted");
        read["timeline"].ShouldBeOfType<JsonArray>().Count.ShouldBe(1);
    }

    [Test]
    public async Task A_second_host_on_the_same_database_does_not_seed_again()
    {
        var before = await CountsAsync();
        before["products"].ShouldBeGreaterThan(0);

        await using (new ApiHost(Provider, Host.Service<Db>().ConnectionString, new FakeTimeProvider(Start), Settings))
        {
        }

        (await CountsAsync()).ShouldBe(before);
    }

    private async Task<Dictionary<string, long>> CountsAsync()
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in Tables) counts[table] = await CountAsync(table);
        return counts;
    }
}
