using System.Net;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.FinancingRequests;

[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class SubmitRequestTests(string provider) : ApiTestBase(provider)
{
    [Test]
    public async Task A_submitted_request_is_readable_by_its_owner_and_a_regulator_of_its_region_and_not_found_for_others()
    {
        var owner = await RegisterEnterpriseAsync("330421");
        var other = await RegisterEnterpriseAsync("330421");
        var id = await SubmitRequestAsync(owner, 3_000_000.50m);

        var read = await (await EnterpriseClient(owner).GetAsync($"/api/v1/financing-requests/{id}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((decimal)read["amount"]!).ShouldBe(3_000_000.50m);
        ((string)read["status"]!).ShouldBe("submitted");
        ((string)read["enterpriseId"]!).ShouldBe(owner);
        read["timeline"]!.AsArray().Select(entry => (string)entry!["event"]!).ShouldBe(["submitted"]);

        await RegulatorClient("33").GetAsync($"/api/v1/financing-requests/{id}").ShouldBe(HttpStatusCode.OK);
        await RegulatorClient("3304").GetAsync($"/api/v1/financing-requests/{id}").ShouldBe(HttpStatusCode.OK);
        await RegulatorClient("32").GetAsync($"/api/v1/financing-requests/{id}").ShouldBe(HttpStatusCode.NotFound);
        await EnterpriseClient(other).GetAsync($"/api/v1/financing-requests/{id}").ShouldBe(HttpStatusCode.NotFound);
        await Anonymous.GetAsync($"/api/v1/financing-requests/{id}").ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Retry_with_same_idempotency_key_returns_the_first_request_and_stores_nothing_new()
    {
        var owner = await RegisterEnterpriseAsync();
        var client = EnterpriseClient(owner);
        client.DefaultRequestHeaders.Add("Idempotency-Key", "order-2026-0001");
        var before = await CountAsync("financing_requests");

        var first = await (await client.PostJsonAsync("/api/v1/financing-requests", RequestBody(800_000m)).ShouldBe(HttpStatusCode.Created)).ReadJsonAsync();
        var retryResponse = await client.PostJsonAsync("/api/v1/financing-requests", RequestBody(800_000.00m)).ShouldBe(HttpStatusCode.Created);
        var retry = await retryResponse.ReadJsonAsync();

        ((string)retry["id"]!).ShouldBe((string)first["id"]!);
        retryResponse.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        (await CountAsync("financing_requests")).ShouldBe(before + 1);
    }

    [Test]
    public async Task The_same_idempotency_key_with_another_body_is_refused_and_changes_nothing()
    {
        var owner = await RegisterEnterpriseAsync();
        var client = EnterpriseClient(owner);
        client.DefaultRequestHeaders.Add("Idempotency-Key", "order-2026-0002");
        await client.PostJsonAsync("/api/v1/financing-requests", RequestBody(800_000m)).ShouldBe(HttpStatusCode.Created);
        var before = await CountAsync("financing_requests");

        var response = await client.PostJsonAsync("/api/v1/financing-requests", RequestBody(900_000m)).ShouldBe(HttpStatusCode.UnprocessableEntity);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await CountAsync("financing_requests")).ShouldBe(before);
    }

    [Test]
    public async Task Concurrent_retries_with_one_key_store_one_request()
    {
        var owner = await RegisterEnterpriseAsync();
        var before = await CountAsync("financing_requests");
        var calls = Enumerable.Range(0, 6).Select(async _ =>
        {
            var client = EnterpriseClient(owner);
            client.DefaultRequestHeaders.Add("Idempotency-Key", "order-2026-0003");
            var response = await client.PostJsonAsync("/api/v1/financing-requests", RequestBody(700_000m)).ShouldBe(HttpStatusCode.Created);
            return (string)(await response.ReadJsonAsync())["id"]!;
        });

        var ids = await Task.WhenAll(calls);

        ids.Distinct().Count().ShouldBe(1);
        (await CountAsync("financing_requests")).ShouldBe(before + 1);
    }

    [Test]
    public async Task An_enterprise_without_a_profile_cannot_submit()
    {
        var response = await EnterpriseClient(Guid.NewGuid().ToString()).PostJsonAsync("/api/v1/financing-requests", RequestBody())
            .ShouldBe(HttpStatusCode.Conflict);
        ((string)(await response.ReadJsonAsync())["detail"]!).ShouldContain("Register the enterprise profile");
    }

    [Test]
    public async Task The_owner_cancels_an_open_request_once_and_a_second_cancel_is_a_conflict()
    {
        var owner = await RegisterEnterpriseAsync();
        var id = await SubmitRequestAsync(owner);

        var cancelled = await (await EnterpriseClient(owner).PostJsonAsync($"/api/v1/financing-requests/{id}/cancel", new { reason = "资金已到位" })
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)cancelled["status"]!).ShouldBe("cancelled");
        cancelled["timeline"]!.AsArray().Select(entry => (string)entry!["event"]!).ShouldBe(["submitted", "cancelled"]);

        await EnterpriseClient(owner).PostJsonAsync($"/api/v1/financing-requests/{id}/cancel", new { }).ShouldBe(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Another_enterprise_cannot_cancel_a_request_it_does_not_own()
    {
        var owner = await RegisterEnterpriseAsync();
        var other = await RegisterEnterpriseAsync();
        var id = await SubmitRequestAsync(owner);

        await EnterpriseClient(other).PostJsonAsync($"/api/v1/financing-requests/{id}/cancel", new { }).ShouldBe(HttpStatusCode.NotFound);
        await Host.ClientAs(Role.Regulator, region: "33").PostJsonAsync($"/api/v1/financing-requests/{id}/cancel", new { }).ShouldBe(HttpStatusCode.Forbidden);
    }
}

[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class EnumSpellingTests(string provider) : ApiTestBase(provider)
{
    [TestCase("WorkingCapital")]
    [TestCase("WORKING_CAPITAL")]
    [TestCase("workingcapital")]
    public async Task Only_the_snake_case_word_of_an_enum_is_accepted(string purpose)
    {
        var owner = await RegisterEnterpriseAsync();
        var body = RequestBody();
        body["purpose"] = purpose;
        var before = await CountAsync("financing_requests");

        var problem = await (await EnterpriseClient(owner).PostJsonAsync("/api/v1/financing-requests", body).ShouldBe(HttpStatusCode.BadRequest)).ReadJsonAsync();

        problem["errors"]!.AsObject().Select(error => error.Key).ShouldBe(["purpose"]);
        (await CountAsync("financing_requests")).ShouldBe(before);
    }
}
