using System.Text.Json.Nodes;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using static System.Net.HttpStatusCode;

namespace FinanceSupermarket.IntegrationTests.Workflow;

/// <summary>
/// A second open request of one enterprise for the same purpose and an amount within 20 % is held, linked to the first,
/// until the enterprise says it is a new need: institutions never see the same need twice. With the platform's default
/// tolerance (the other fixtures turn it off, see ApiHost).
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class NearDuplicateTests(string provider) : ApiTestBase(provider)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Workflow:NearDuplicateTolerance"] = "0.2" };

    [Test]
    public async Task A_near_duplicate_is_held_until_the_enterprise_says_it_is_a_new_need()
    {
        var bank = await RegisterInstitutionAsync("330424");
        await ListProductAsync(bank);
        var enterprise = await RegisterEnterpriseAsync("330424");
        var first = await SubmitRequestAsync(enterprise, 1_000_000m);
        var like = await SubmitRequestAsync(enterprise, 1_150_000m);
        var other = await SubmitOtherPurposeAsync(enterprise, 1_000_000m);
        var larger = await SubmitRequestAsync(enterprise, 1_500_000m);
        await Host.RunDueJobsAsync();
        Host.Clock.Advance(TimeSpan.FromMinutes(5));
        await Host.RunDueJobsAsync();

        var held = await ReadAsync(enterprise, like);
        held["status"]!.GetValue<string>().ShouldBe("submitted");
        held["duplicateOf"]!.GetValue<string>().ShouldBe(first);
        (await InboxAsync(bank)).ShouldBe([first, other, larger], ignoreOrder: true);
        (await ReadAsync(enterprise, other))["duplicateOf"].ShouldBeNull();

        await EnterpriseClient(enterprise).PostJsonAsync($"/api/v1/financing-requests/{like}/new-need", new { }).ShouldBe(OK);
        await Host.RunDueJobsAsync();
        (await ReadAsync(enterprise, like))["status"]!.GetValue<string>().ShouldBe("dispatched");
        (await InboxAsync(bank)).ShouldContain(like);
        await EnterpriseClient(enterprise).PostJsonAsync($"/api/v1/financing-requests/{like}/new-need", new { }).ShouldBe(Conflict);
    }

    private async Task<string> SubmitOtherPurposeAsync(string enterprise, decimal amount)
    {
        var body = RequestBody(amount);
        body["purpose"] = "equipment";
        var created = await EnterpriseClient(enterprise).PostJsonAsync("/api/v1/financing-requests", body).ShouldBe(Created);
        return (string)(await created.ReadJsonAsync())["id"]!;
    }

    private async Task<JsonNode> ReadAsync(string enterprise, string request) =>
        await (await EnterpriseClient(enterprise).GetAsync($"/api/v1/financing-requests/{request}").ShouldBe(OK)).ReadJsonAsync();

    private async Task<string[]> InboxAsync(string bank) =>
        (await (await InstitutionClient(bank).GetAsync("/api/v1/dispatches?pageSize=100").ShouldBe(OK)).ReadJsonAsync())["items"]!.AsArray()
            .Select(d => (string)d!["requestId"]!).ToArray();
}
