using System.Net;
using System.Text.Json.Nodes;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using static System.Net.HttpStatusCode;

namespace FinanceSupermarket.IntegrationTests.Integrity;

/// <summary>
/// Results regulators can sign: approvals within reason, corrections and disputes that the figures follow exactly,
/// first loans counted once, blacklisting and deactivation that close what is open. Each test works in a county of its
/// own (its institutions serve only that county), so its figures are its own.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class ResultsTests(string provider) : ApiTestBase(provider)
{
    private const string Period = "from=2026-01-01&to=2026-12-31";

    [Test]
    public async Task An_approval_beyond_the_products_ranges_or_the_amount_asked_is_refused_and_the_figures_do_not_move()
    {
        var (bank, dispatch, _) = await AcceptedDispatchAsync("330424", amount: 500_000m, maxAmount: 3_000_000m);
        var before = await SummaryAsync("330424");

        var tenBillion = await FeedbackAsync(bank, dispatch, new { outcome = "approved", amount = 10_000_000_000m, rate = 0.001m, termMonths = 360 }).ShouldBe(BadRequest);
        (await tenBillion.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).ShouldBe(["amount", "rate", "termMonths"], ignoreOrder: true);
        await FeedbackAsync(bank, dispatch, new { outcome = "approved", amount = 600_000m, rate = 4.35m, termMonths = 12 }).ShouldBe(BadRequest);
        await FeedbackAsync(bank, dispatch, new { outcome = "rejected", reason = "经营流水不足" }).ShouldBe(BadRequest);

        (await SummaryAsync("330424")).ToJsonString().ShouldBe(before.ToJsonString());
        await FeedbackAsync(bank, dispatch, new { outcome = "approved", amount = 500_000m, rate = 4.35m, termMonths = 12 }).ShouldBe(OK);
        (await SummaryAsync("330424"))["approvedAmount"]!.GetValue<decimal>().ShouldBe(before["approvedAmount"]!.GetValue<decimal>() + 500_000m);
    }

    [Test]
    public async Task A_correction_is_recorded_and_moves_the_figures_by_exactly_the_difference()
    {
        var (bank, dispatch, request) = await AcceptedDispatchAsync("330481");
        await FeedbackAsync(bank, dispatch, new { outcome = "approved", amount = 800_000m, rate = 4.0m, termMonths = 12 }).ShouldBe(OK);
        var approved = await SummaryAsync("330481");
        approved["approvedAverageRate"]!.GetValue<decimal>().ShouldBe(4.0m);

        await InstitutionClient(bank).PostJsonAsync($"/api/v1/dispatches/{dispatch}/correction",
            new { amount = 650_000m, rate = 4.2m, termMonths = 12, reason = "录入错误，合同金额为65万元" }).ShouldBe(OK);

        var corrected = await SummaryAsync("330481");
        corrected["approvedAmount"]!.GetValue<decimal>().ShouldBe(approved["approvedAmount"]!.GetValue<decimal>() - 150_000m);
        corrected["approvedCount"]!.GetValue<long>().ShouldBe(approved["approvedCount"]!.GetValue<long>());
        corrected["approvedAverageRate"]!.GetValue<decimal>().ShouldBe(4.2m);
        var timeline = await TimelineAsync(request);
        var entry = timeline.Single(e => (string)e!["event"]! == "result_corrected")!;
        ((string)entry["detail"]!).ShouldContain("800,000.00 yuan at 4% for 12 months → 650,000.00 yuan at 4.2% for 12 months");
        ((string)entry["detail"]!).ShouldContain("录入错误");

        // Out of the product's range, or someone else's dispatch: refused, nothing moves.
        await InstitutionClient(bank).PostJsonAsync($"/api/v1/dispatches/{dispatch}/correction",
            new { amount = 9_000_000m, rate = 4.2m, termMonths = 12, reason = "x" }).ShouldBe(BadRequest);
        await InstitutionClient(await RegisterInstitutionAsync("330481")).PostJsonAsync($"/api/v1/dispatches/{dispatch}/correction",
            new { amount = 600_000m, rate = 4.2m, termMonths = 12, reason = "x" }).ShouldBe(NotFound);
        (await SummaryAsync("330481")).ToJsonString().ShouldBe(corrected.ToJsonString());
    }

    [Test]
    public async Task A_disputed_result_is_listed_for_the_regulator_and_counted_apart_until_the_enterprise_confirms_it()
    {
        var (bank, dispatch, request) = await AcceptedDispatchAsync("330482");
        await FeedbackAsync(bank, dispatch, new { outcome = "approved", amount = 900_000m, rate = 4.5m, termMonths = 12 }).ShouldBe(OK);
        var approved = await SummaryAsync("330482");
        var owner = EnterpriseClient(await EnterpriseOfAsync(request));

        await owner.PostJsonAsync($"/api/v1/financing-requests/{request}/dispute", new { reason = "实际批复金额为50万元" }).ShouldBe(OK);

        var disputed = await SummaryAsync("330482");
        disputed["approvedAmount"]!.GetValue<decimal>().ShouldBe(approved["approvedAmount"]!.GetValue<decimal>() - 900_000m);
        disputed["approvedCount"]!.GetValue<long>().ShouldBe(approved["approvedCount"]!.GetValue<long>() - 1);
        disputed["disputedAmount"]!.GetValue<decimal>().ShouldBe(900_000m);
        disputed["disputedCount"]!.GetValue<long>().ShouldBe(1);
        var list = await (await RegulatorClient("33").GetAsync("/api/v1/statistics/disputes").ShouldBe(OK)).ReadJsonAsync();
        var listed = list["items"]!.AsArray().Single(d => (string)d!["requestId"]! == request)!;
        listed["reason"]!.GetValue<string>().ShouldBe("实际批复金额为50万元");
        listed["disputedAmount"]!.GetValue<decimal>().ShouldBe(900_000m);
        listed["regionName"]!.GetValue<string>().ShouldBe("平湖市");
        (await (await RegulatorClient("32").GetAsync("/api/v1/statistics/disputes").ShouldBe(OK)).ReadJsonAsync())["items"]!.AsArray()
            .ShouldNotContain(d => (string)d!["requestId"]! == request);
        await owner.PostJsonAsync($"/api/v1/financing-requests/{request}/dispute", new { reason = "again" }).ShouldBe(Conflict);

        await owner.PostJsonAsync($"/api/v1/financing-requests/{request}/confirm", new { }).ShouldBe(OK);
        (await SummaryAsync("330482")).ToJsonString().ShouldBe(approved.ToJsonString());
        (await (await RegulatorClient("33").GetAsync("/api/v1/statistics/disputes").ShouldBe(OK)).ReadJsonAsync())["items"]!.AsArray()
            .ShouldNotContain(d => (string)d!["requestId"]! == request);
    }

    [Test]
    public async Task A_first_loan_is_counted_once_at_the_enterprises_first_approval()
    {
        var bank = await InstitutionWithProductAsync("330483");
        var enterprise = await RegisterEnterpriseAsync("330483", body => body["hasLoanHistory"] = false);
        var first = await SubmitRequestAsync(enterprise, 600_000m);
        var second = await SubmitRequestAsync(enterprise, 700_000m);
        await Host.RunDueJobsAsync();

        await ApproveAsync(bank, first, 600_000m);
        (await SummaryAsync("330483"))["firstLoanApprovedCount"]!.GetValue<long>().ShouldBe(1);
        var profile = await (await EnterpriseClient(enterprise).GetAsync($"/api/v1/enterprises/{enterprise}").ShouldBe(OK)).ReadJsonAsync();
        profile["hasLoanHistory"]!.GetValue<bool>().ShouldBeTrue();

        await ApproveAsync(bank, second, 700_000m);
        var summary = await SummaryAsync("330483");
        summary["approvedCount"]!.GetValue<long>().ShouldBe(2);
        summary["firstLoanApprovedCount"]!.GetValue<long>().ShouldBe(1);
    }

    [Test]
    public async Task Blacklisting_an_enterprise_closes_its_open_dispatches_and_ends_its_open_requests_saying_why()
    {
        var bank = await InstitutionWithProductAsync("330402");
        var enterprise = await RegisterEnterpriseAsync("330402");
        var request = await SubmitRequestAsync(enterprise);
        await Host.RunDueJobsAsync();
        var creditCode = (string)(await (await Admin.GetAsync($"/api/v1/enterprises/{enterprise}").ShouldBe(OK)).ReadJsonAsync())["creditCode"]!;

        await Admin.PostJsonAsync("/api/v1/admin/blacklist", new { creditCode, reason = "失信被执行人" }).ShouldBe(Created);
        await Host.RunDueJobsAsync();

        var read = await (await Admin.GetAsync($"/api/v1/financing-requests/{request}").ShouldBe(OK)).ReadJsonAsync();
        read["status"]!.GetValue<string>().ShouldBe("expired");
        read["dispatches"]!.AsArray().ShouldAllBe(d => (string)d!["status"]! == "closed");
        read["timeline"]!.AsArray().Select(e => (string)e!["event"]!).ShouldContain("blacklisted");
        var inbox = await (await InstitutionClient(bank).GetAsync("/api/v1/dispatches?status=pending").ShouldBe(OK)).ReadJsonAsync();
        inbox["items"]!.AsArray().ShouldNotContain(d => (string)d!["requestId"]! == request);
    }

    [Test]
    public async Task Deactivating_an_institution_delists_its_products_and_sends_its_open_dispatches_to_the_next_institution()
    {
        var leaving = await InstitutionWithProductAsync("330411");
        var staying = await InstitutionWithProductAsync("330411");
        var request = await SubmitRequestAsync(await RegisterEnterpriseAsync("330411"));
        await Host.RunDueJobsAsync();

        await Admin.PostJsonAsync($"/api/v1/institutions/{leaving}/deactivate", new { reason = "退出平台" }).ShouldBe(NoContent);
        await Host.RunDueJobsAsync();

        var read = await (await Admin.GetAsync($"/api/v1/financing-requests/{request}").ShouldBe(OK)).ReadJsonAsync();
        read["dispatches"]!.AsArray().Where(d => (string)d!["institutionId"]! == leaving).ShouldAllBe(d => (string)d!["status"]! == "closed");
        read["dispatches"]!.AsArray().ShouldContain(d => (string)d!["institutionId"]! == staying && (string)d["status"]! == "pending");
        var shelves = await (await Anonymous.GetAsync("/api/v1/products?region=330411&pageSize=100").ShouldBe(OK)).ReadJsonAsync();
        shelves["items"]!.AsArray().ShouldNotContain(p => (string)p!["institutionId"]! == leaving);
        await InstitutionClient(leaving).PostJsonAsync("/api/v1/products", ProductBody()).ShouldBe(Forbidden);
        var listed = await (await Anonymous.GetAsync("/api/v1/institutions?pageSize=100").ShouldBe(OK)).ReadJsonAsync();
        listed["items"]!.AsArray().ShouldNotContain(i => (string)i!["id"]! == leaving);
    }

    // ------------------------------------------------------------------ helpers

    private async Task<string> InstitutionWithProductAsync(string county)
    {
        var bank = await RegisterInstitutionAsync(county);
        await ListProductAsync(bank);
        return bank;
    }

    /// <summary>A request of a new enterprise in the county, dispatched to a new institution of that county, which accepted it.</summary>
    private async Task<(string Bank, string Dispatch, string Request)> AcceptedDispatchAsync(string county, decimal amount = 1_000_000m, decimal maxAmount = 5_000_000m)
    {
        var bank = await RegisterInstitutionAsync(county);
        await ListProductAsync(bank, body => body["maxAmount"] = maxAmount);
        var request = await SubmitRequestAsync(await RegisterEnterpriseAsync(county), amount);
        await Host.RunDueJobsAsync();
        var dispatch = await DispatchOfAsync(bank, request);
        await InstitutionClient(bank).PostJsonAsync($"/api/v1/dispatches/{dispatch}/accept", new { }).ShouldBe(OK);
        return (bank, dispatch, request);
    }

    private async Task ApproveAsync(string bank, string request, decimal amount)
    {
        var dispatch = await DispatchOfAsync(bank, request);
        await InstitutionClient(bank).PostJsonAsync($"/api/v1/dispatches/{dispatch}/accept", new { }).ShouldBe(OK);
        await FeedbackAsync(bank, dispatch, new { outcome = "approved", amount, rate = 4.35m, termMonths = 12 }).ShouldBe(OK);
    }

    private async Task<string> DispatchOfAsync(string bank, string request)
    {
        var inbox = await (await InstitutionClient(bank).GetAsync("/api/v1/dispatches?pageSize=100").ShouldBe(OK)).ReadJsonAsync();
        return (string)inbox["items"]!.AsArray().Single(d => (string)d!["requestId"]! == request)!["id"]!;
    }

    private Task<HttpResponseMessage> FeedbackAsync(string bank, string dispatch, object body) =>
        InstitutionClient(bank).PostJsonAsync($"/api/v1/dispatches/{dispatch}/feedback", body);

    private async Task<JsonNode> SummaryAsync(string county)
    {
        var summary = await (await RegulatorClient("33").GetAsync($"/api/v1/statistics/summary?{Period}&region={county}").ShouldBe(OK)).ReadJsonAsync();
        return summary["figures"]!;
    }

    private async Task<JsonArray> TimelineAsync(string request) =>
        (await (await Admin.GetAsync($"/api/v1/financing-requests/{request}").ShouldBe(OK)).ReadJsonAsync())["timeline"]!.AsArray();

    private async Task<string> EnterpriseOfAsync(string request) =>
        (string)(await (await Admin.GetAsync($"/api/v1/financing-requests/{request}").ShouldBe(OK)).ReadJsonAsync())["enterpriseId"]!;
}
