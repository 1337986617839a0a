using System.Net;
using System.Text.Json.Nodes;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Workflow;

[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class WorkflowEndToEndTests(string provider) : WorkflowTestBase(provider)
{
    [Test]
    public async Task A_request_runs_from_submission_through_escalation_and_redispatch_to_approval_and_rating()
    {
        await using var webhook = await WebhookReceiver.StartAsync(failFirst: 1);
        const string region = "330482";
        var slow = await RegisterInstitutionAsync(region, "平湖慢速银行", webhook.Url);
        var careful = await RegisterInstitutionAsync(region, "平湖稳健银行");
        var spare = await RegisterInstitutionAsync(region, "平湖后备银行");
        var slowProduct = await ListProductAsync(slow, p => p["minRate"] = 3.0m);
        var carefulProduct = await ListProductAsync(careful, p => p["minRate"] = 4.0m);
        var spareProduct = await ListProductAsync(spare, p => p["minRate"] = 5.5m);
        var owner = await RegisterEnterpriseAsync(region);
        var regulator = RegulatorClient("3304");

        // 第一时间发布 and 督导: published with its ranking and dispatched to the two best institutions at once.
        var request = await SubmitRequestAsync(owner, 900_000m);
        var dispatched = await ReadOnceJobsRanAsync(owner, request, "dispatched");
        dispatched["dispatches"]!.AsArray().Select(d => (string)d!["institutionId"]!).ShouldBe([slow, careful], ignoreOrder: true);
        ((string)DispatchOf(dispatched, slow)["productId"]!).ShouldBe(slowProduct);
        // Monday 09:00 in Shanghai + 1 working day = Tuesday 09:00.
        DateTimeOffset.Parse((string)DispatchOf(dispatched, slow)["answerDueAt"]!).ShouldBe(Start.AddDays(1));

        var inbox = await (await InstitutionClient(careful).GetAsync("/api/v1/dispatches?status=pending").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var carefulDispatch = (string)inbox["items"]!.AsArray().Single(item => (string)item!["requestId"]! == request)!["id"]!;
        ((decimal)inbox["items"]![0]!["request"]!["amount"]!).ShouldBe(900_000m);
        ((string)inbox["items"]![0]!["productName"]!).ShouldBe("科技信用贷");
        ((string)inbox["items"]![0]!["request"]!["regionName"]!).ShouldBe("平湖市");
        ((string)inbox["items"]![0]!["request"]!["industryName"]!).ShouldBe("计算机、通信和其他电子设备制造业");

        await InstitutionClient(careful).PostJsonAsync($"/api/v1/dispatches/{carefulDispatch}/accept", new { }).ShouldBe(HttpStatusCode.OK);
        await Host.RunDueJobsAsync();

        // The slow bank lets its deadline pass: escalated (督导) and the request goes to the next in the ranking.
        Host.Clock.Advance(TimeSpan.FromDays(2));
        (await SuperviseAsync()).Overdue.ShouldBe(1);
        await Host.RunDueJobsAsync();
        var escalated = await ReadRequestAsync(owner, request);
        ((string)DispatchOf(escalated, slow)["status"]!).ShouldBe("overdue");
        ((string)DispatchOf(escalated, spare)["status"]!).ShouldBe("pending");
        ((string)DispatchOf(escalated, spare)["productId"]!).ShouldBe(spareProduct);
        var overdue = await (await regulator.GetAsync("/api/v1/statistics/overdue").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        // The 督导 list names whom it is about beside each id and code.
        var late = overdue["items"]!.AsArray().Single(item => (string)item!["institutionId"]! == slow)!;
        ((string)late["institutionName"]!).ShouldBe("平湖慢速银行");
        ((string)late["productId"]!).ShouldBe(slowProduct);
        ((string)late["productName"]!).ShouldBe("科技信用贷");
        ((string)late["regionCode"]!).ShouldBe(region);
        ((string)late["regionName"]!).ShouldBe("平湖市");
        ((string)late["enterpriseName"]!).ShouldBe("嘉善测试电子有限公司");
        (await (await RegulatorClient("44").GetAsync("/api/v1/statistics/overdue")).ReadJsonAsync())["items"]!.AsArray()
            .ShouldNotContain(item => (string)item!["requestId"]! == request);

        // 第一时间反馈: the careful bank approves; the spare bank's dispatch is superseded; the enterprise rates the service.
        var approval = new { outcome = "approved", amount = 850_000m, rate = 4.1m, termMonths = 12 };
        var answered = await (await InstitutionClient(careful).PostJsonAsync($"/api/v1/dispatches/{carefulDispatch}/feedback", approval)
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        await Host.RunDueJobsAsync();
        ((decimal)answered["approvedAmount"]!).ShouldBe(850_000m);
        var resolved = await ReadRequestAsync(owner, request);
        ((string)resolved["status"]!).ShouldBe("resolved");
        ((string)DispatchOf(resolved, spare)["status"]!).ShouldBe("superseded");
        ((string)DispatchOf(resolved, careful)["outcome"]!).ShouldBe("approved");

        var rated = await (await EnterpriseClient(owner).PostJsonAsync($"/api/v1/financing-requests/{request}/rating", new { score = 5, comment = "响应很快" })
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        await Host.RunDueJobsAsync();
        ((int)rated["rating"]!).ShouldBe(5);
        Events(rated).ShouldBe(["submitted", "published", "dispatched", "dispatched", "accepted", "overdue", "redispatched", "approved", "resolved", "rated"]);

        // The regulator's figures include the approval at once: 撮合融资金额 and 融资笔数 of the county.
        var figures = (await (await regulator.GetAsync($"/api/v1/statistics/summary?region={region}&from=2026-03-01&to=2026-03-31")
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["figures"]!;
        ((long)figures["requestedCount"]!).ShouldBe(1);
        ((long)figures["approvedCount"]!).ShouldBe(1);
        ((decimal)figures["approvedAmount"]!).ShouldBe(850_000m);
        ((double)figures["onTimeAnswerRate"]!).ShouldBe(0.5);         // the careful bank answered in time, the slow one never did
        ((double)figures["averageRating"]!).ShouldBe(5.0);

        // Notifications: each party was told what concerns it.
        NotificationEvents(await NotificationsAsync(EnterpriseClient(owner))).ShouldBe(["approved", "accepted", "published"], ignoreOrder: true);
        NotificationEvents(await NotificationsAsync(InstitutionClient(slow))).ShouldBe(["overdue", "dispatched"]);
        NotificationEvents(await NotificationsAsync(InstitutionClient(spare))).ShouldBe(["superseded", "dispatched"]);
        NotificationEvents(await NotificationsAsync(regulator)).ShouldContain("overdue");
        NotificationEvents(await NotificationsAsync(regulator)).ShouldContain("approved");

        // Webhooks to the slow bank's own system: signed (Standard Webhooks), the first refused post retried until delivered.
        // The retry fell due seconds after the refusal, on the platform's clock, which has moved on two days since.
        await Host.RunDueJobsAsync();
        var hooks = webhook.Deliveries.ToArray();
        hooks.Length.ShouldBe(2);
        hooks.Select(hook => hook.Event).ShouldBe(["dispatched", "overdue"], ignoreOrder: true);
        foreach (var hook in hooks)
        {
            hook.VerifiesWith(WebhookSecret).ShouldBeTrue(hook.Signature);
            hook.Id.ShouldBe((string)JsonNode.Parse(hook.Body)!["deliveryId"]!);
        }
        ((string)JsonNode.Parse(hooks[0].Body)!["requestId"]!).ShouldBe(request);
        webhook.Attempts.ShouldBe(3);
        (await CountAsync("webhook_deliveries")).ShouldBe(2);
    }
}
