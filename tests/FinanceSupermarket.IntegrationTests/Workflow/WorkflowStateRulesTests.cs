using System.Net;
using System.Text.Json.Nodes;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Workflow;

/// <summary>
/// The workflow's state rules (issue 4, point 7): an answer that the dispatch's or the request's state forbids is refused
/// with 409 (or 404 when the dispatch is someone else's, 400 when the body is incomplete), says why, and changes nothing;
/// and the ranking is walked down until it is exhausted, when the request expires saying why.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class WorkflowStateRulesTests(string provider) : WorkflowTestBase(provider)
{
    private static int _regions;

    private static readonly object Approval = new { outcome = "approved", amount = 800_000m, rate = 4.2m, termMonths = 12 };

    /// <summary>A request of its own region, dispatched to the two best of the region's institutions (best first).</summary>
    private sealed record Dispatched(string Region, string Owner, string Request, string[] Institutions, IReadOnlyDictionary<string, string> Dispatches)
    {
        public string DispatchOf(string institution) => Dispatches[institution];
    }

    /// <summary>Each test has a region of its own, so that its institutions see only its request.</summary>
    // Fujian's counties, one a test: no institution of another test serves the one a test uses.
    private static readonly string[] Counties = FinanceSupermarket.Domain.Reference.ReferenceData.LoadEmbedded().Regions.Codes
        .Where(code => code.Length == 6 && code.StartsWith("35", StringComparison.Ordinal)).ToArray();

    private static string NewRegion() => Counties[Interlocked.Increment(ref _regions)];

    private async Task<Dispatched> DispatchedRequestAsync(int institutions = 3)
    {
        var region = NewRegion();
        var ids = new string[institutions];
        for (var i = 0; i < institutions; i++)
        {
            ids[i] = await RegisterInstitutionAsync(region, $"福州第{i + 1}银行");
            var rate = 3.0m + i * 0.5m;   // the lower the rate, the better the rank
            await ListProductAsync(ids[i], p => p["minRate"] = rate);
        }
        var owner = await RegisterEnterpriseAsync(region);
        var request = await SubmitRequestAsync(owner, 800_000m);
        var read = await ReadOnceJobsRanAsync(owner, request, "dispatched");
        var dispatches = read["dispatches"]!.AsArray().ToDictionary(d => (string)d!["institutionId"]!, d => (string)d!["id"]!);
        dispatches.Keys.ShouldBe(ids.Take(2), ignoreOrder: true);
        return new Dispatched(region, owner, request, ids, dispatches);
    }

    /// <summary>An institution's answer, then the jobs it leaves due (a re-dispatch after a decline), as a server would run them.</summary>
    private async Task<HttpResponseMessage> AnswerAsync(string institution, string dispatch, string answer, object body)
    {
        var response = await InstitutionClient(institution).PostJsonAsync($"/api/v1/dispatches/{dispatch}/{answer}", body);
        await Host.RunDueJobsAsync();
        return response;
    }

    private async Task ApproveAsync(Dispatched c, string institution)
    {
        await AnswerAsync(institution, c.DispatchOf(institution), "accept", new { }).ShouldBe(HttpStatusCode.OK);
        await AnswerAsync(institution, c.DispatchOf(institution), "feedback", Approval).ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>What the enterprise reads of its request and what each institution reads of its dispatch.</summary>
    private async Task<string> StoredStateAsync(Dispatched c)
    {
        var parts = new List<string> { (await ReadRequestAsync(c.Owner, c.Request)).ToJsonString() };
        foreach (var (institution, dispatch) in c.Dispatches)
            parts.Add((await (await InstitutionClient(institution).GetAsync($"/api/v1/dispatches/{dispatch}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync()).ToJsonString());
        return string.Join('\n', parts);
    }

    /// <summary>Sends a call that must be refused; checks the status and that nothing stored changed; returns the problem.</summary>
    private async Task<JsonNode> RefusedAsync(Dispatched c, HttpStatusCode status, Func<Task<HttpResponseMessage>> call)
    {
        var before = await StoredStateAsync(c);
        var problem = await (await call().ShouldBe(status)).ReadJsonAsync();
        await Host.RunDueJobsAsync();
        (await StoredStateAsync(c)).ShouldBe(before);
        return problem;
    }

    [Test]
    public async Task Feedback_on_a_declined_dispatch_is_refused_with_409_saying_it_was_declined()
    {
        var c = await DispatchedRequestAsync();
        var best = c.Institutions[0];
        await AnswerAsync(best, c.DispatchOf(best), "decline", new { reasonCode = "capacity", reason = "行业授信额度已满" }).ShouldBe(HttpStatusCode.OK);

        var problem = await RefusedAsync(c, HttpStatusCode.Conflict, () => AnswerAsync(best, c.DispatchOf(best), "feedback", Approval));

        ((string)problem["detail"]!).ShouldContain("declined");
    }

    [Test]
    public async Task Accepting_a_dispatch_twice_is_refused_with_409_saying_it_was_already_accepted()
    {
        var c = await DispatchedRequestAsync();
        var best = c.Institutions[0];
        await AnswerAsync(best, c.DispatchOf(best), "accept", new { }).ShouldBe(HttpStatusCode.OK);

        var problem = await RefusedAsync(c, HttpStatusCode.Conflict, () => AnswerAsync(best, c.DispatchOf(best), "accept", new { }));

        ((string)problem["detail"]!).ShouldContain("already accepted");
    }

    [Test]
    public async Task Accepting_declining_or_answering_another_institutions_dispatch_is_not_found()
    {
        var c = await DispatchedRequestAsync();
        var (best, second) = (c.Institutions[0], c.Institutions[1]);
        var theirs = c.DispatchOf(best);

        await RefusedAsync(c, HttpStatusCode.NotFound, () => AnswerAsync(second, theirs, "accept", new { }));
        await RefusedAsync(c, HttpStatusCode.NotFound, () => AnswerAsync(second, theirs, "decline", new { reasonCode = "other", reason = "抢先拒绝" }));
        await AnswerAsync(best, theirs, "accept", new { }).ShouldBe(HttpStatusCode.OK);
        await RefusedAsync(c, HttpStatusCode.NotFound, () => AnswerAsync(second, theirs, "feedback", Approval));
        await InstitutionClient(second).GetAsync($"/api/v1/dispatches/{theirs}").ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Cancelling_a_resolved_request_is_refused_with_409_saying_it_is_resolved()
    {
        var c = await DispatchedRequestAsync();
        await ApproveAsync(c, c.Institutions[0]);

        var problem = await RefusedAsync(c, HttpStatusCode.Conflict,
            () => EnterpriseClient(c.Owner).PostJsonAsync($"/api/v1/financing-requests/{c.Request}/cancel", new { reason = "不需要了" }));

        ((string)problem["detail"]!).ShouldContain("resolved");
    }

    [Test]
    public async Task Feedback_before_accepting_is_refused_with_409_asking_to_accept_first()
    {
        var c = await DispatchedRequestAsync();
        var best = c.Institutions[0];

        var problem = await RefusedAsync(c, HttpStatusCode.Conflict, () => AnswerAsync(best, c.DispatchOf(best), "feedback", Approval));

        ((string)problem["detail"]!).ShouldContain("Accept the dispatch");
    }

    [Test]
    public async Task Feedback_after_another_institution_resolved_the_request_is_refused_with_409_saying_it_was_superseded()
    {
        var c = await DispatchedRequestAsync();
        var (best, second) = (c.Institutions[0], c.Institutions[1]);
        await AnswerAsync(second, c.DispatchOf(second), "accept", new { }).ShouldBe(HttpStatusCode.OK);
        await ApproveAsync(c, best);
        ((string)(await ReadRequestAsync(c.Owner, c.Request))["status"]!).ShouldBe("resolved");

        var problem = await RefusedAsync(c, HttpStatusCode.Conflict, () => AnswerAsync(second, c.DispatchOf(second), "feedback", Approval));

        ((string)problem["detail"]!).ShouldContain("Another institution's approval");
        ((string)DispatchOf(await ReadRequestAsync(c.Owner, c.Request), second)["status"]!).ShouldBe("superseded");
    }

    [Test]
    public async Task Declining_without_a_reason_from_the_list_is_refused_with_400_naming_the_reason_code()
    {
        var c = await DispatchedRequestAsync();
        var best = c.Institutions[0];

        var problem = await RefusedAsync(c, HttpStatusCode.BadRequest, () => AnswerAsync(best, c.DispatchOf(best), "decline", new { }));

        problem["errors"]!.AsObject().Select(error => error.Key).ShouldBe(["reasonCode"]);
    }

    [Test]
    public async Task An_approval_without_an_amount_is_refused_with_400_naming_the_amount()
    {
        var c = await DispatchedRequestAsync();
        var best = c.Institutions[0];
        await AnswerAsync(best, c.DispatchOf(best), "accept", new { }).ShouldBe(HttpStatusCode.OK);

        var problem = await RefusedAsync(c, HttpStatusCode.BadRequest,
            () => AnswerAsync(best, c.DispatchOf(best), "feedback", new { outcome = "approved", rate = 4.2m, termMonths = 12 }));

        problem["errors"]!.AsObject().Select(error => error.Key).ShouldBe(["amount"]);
    }

    [Test]
    public async Task Rating_a_request_that_is_still_open_is_refused_with_409()
    {
        var c = await DispatchedRequestAsync();

        var problem = await RefusedAsync(c, HttpStatusCode.Conflict,
            () => EnterpriseClient(c.Owner).PostJsonAsync($"/api/v1/financing-requests/{c.Request}/rating", new { score = 4 }));

        ((string)problem["detail"]!).ShouldContain("dispatched");
    }

    [Test]
    public async Task Rating_the_service_twice_is_refused_with_409_and_keeps_the_first_rating()
    {
        var c = await DispatchedRequestAsync();
        await ApproveAsync(c, c.Institutions[0]);
        await EnterpriseClient(c.Owner).PostJsonAsync($"/api/v1/financing-requests/{c.Request}/rating", new { score = 5, comment = "很快" })
            .ShouldBe(HttpStatusCode.OK);
        await Host.RunDueJobsAsync();

        var problem = await RefusedAsync(c, HttpStatusCode.Conflict,
            () => EnterpriseClient(c.Owner).PostJsonAsync($"/api/v1/financing-requests/{c.Request}/rating", new { score = 1, comment = "改主意了" }));

        ((string)problem["detail"]!).ShouldContain("already rated");
        ((int)(await ReadRequestAsync(c.Owner, c.Request))["rating"]!).ShouldBe(5);
    }

    [Test]
    public async Task A_rating_of_6_is_refused_with_400_naming_the_score()
    {
        var c = await DispatchedRequestAsync();
        await ApproveAsync(c, c.Institutions[0]);

        var problem = await RefusedAsync(c, HttpStatusCode.BadRequest,
            () => EnterpriseClient(c.Owner).PostJsonAsync($"/api/v1/financing-requests/{c.Request}/rating", new { score = 6 }));

        problem["errors"]!.AsObject().Select(error => error.Key).ShouldBe(["score"]);
    }

    [Test]
    public async Task A_declined_dispatch_sends_the_request_on_to_the_next_institution_in_the_ranking()
    {
        var c = await DispatchedRequestAsync(institutions: 3);
        var (best, second, third) = (c.Institutions[0], c.Institutions[1], c.Institutions[2]);

        await AnswerAsync(best, c.DispatchOf(best), "decline", new { reasonCode = "outside_credit_policy", reason = "超出本行授信行业" }).ShouldBe(HttpStatusCode.OK);

        var request = await ReadRequestAsync(c.Owner, c.Request);
        ((string)request["status"]!).ShouldBe("dispatched");
        ((string)DispatchOf(request, best)["status"]!).ShouldBe("declined");
        ((string)DispatchOf(request, second)["status"]!).ShouldBe("pending");
        ((string)DispatchOf(request, third)["status"]!).ShouldBe("pending");
        Events(request)[^2..].ShouldBe(["declined", "redispatched"]);
        var inbox = await (await InstitutionClient(third).GetAsync("/api/v1/dispatches?status=pending").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        inbox["items"]!.AsArray().Select(item => (string)item!["requestId"]!).ShouldBe([c.Request]);
        NotificationEvents(await NotificationsAsync(EnterpriseClient(c.Owner))).ShouldContain("declined");
        // The reason from the list and the words: on the institution's dispatch and on the timeline.
        var declined = await (await InstitutionClient(best).GetAsync($"/api/v1/dispatches/{c.DispatchOf(best)}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)declined["reasonCode"]!).ShouldBe("outside_credit_policy");
        ((string)declined["reason"]!).ShouldBe("超出本行授信行业");
        ((string)request["timeline"]!.AsArray().Single(e => (string)e!["event"]! == "declined")!["detail"]!).ShouldEndWith("outside_credit_policy: 超出本行授信行业");
    }

    [Test]
    public async Task A_decline_takes_a_reason_from_the_list_with_words_optional_except_for_other()
    {
        var c = await DispatchedRequestAsync(institutions: 2);
        var (best, second) = (c.Institutions[0], c.Institutions[1]);

        var problem = await RefusedAsync(c, HttpStatusCode.BadRequest, () => AnswerAsync(best, c.DispatchOf(best), "decline", new { reasonCode = "other" }));
        problem["errors"]!.AsObject().Select(error => error.Key).ShouldBe(["reason"]);
        problem = await RefusedAsync(c, HttpStatusCode.BadRequest,
            () => AnswerAsync(best, c.DispatchOf(best), "decline", new { reasonCode = "too_busy", reason = "忙" }));
        problem["errors"]!.AsObject().Select(error => error.Key).ShouldBe(["reasonCode"]);

        var answer = await (await AnswerAsync(best, c.DispatchOf(best), "decline", new { reasonCode = "outside_service_area" })
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)answer["reasonCode"]!).ShouldBe("outside_service_area");
        answer["reason"].ShouldBeNull();
        await AnswerAsync(second, c.DispatchOf(second), "decline", new { reasonCode = "other", reason = "行内系统升级，暂停受理" }).ShouldBe(HttpStatusCode.OK);
        var request = await ReadRequestAsync(c.Owner, c.Request);
        request["timeline"]!.AsArray().Where(e => (string)e!["event"]! == "declined").Select(e => (string)e!["detail"]!)
            .ShouldBe(["福州第1银行: outside_service_area", "福州第2银行: other: 行内系统升级，暂停受理"]);
    }

    [Test]
    public async Task When_every_institution_in_the_ranking_has_declined_the_request_expires_with_the_reason_for_the_enterprise_and_the_regulator()
    {
        var c = await DispatchedRequestAsync(institutions: 2);
        foreach (var institution in c.Institutions)
            await AnswerAsync(institution, c.DispatchOf(institution), "decline", new { reasonCode = "capacity", reason = "暂不受理" }).ShouldBe(HttpStatusCode.OK);

        var seenByOwner = await ReadRequestAsync(c.Owner, c.Request);
        ((string)seenByOwner["status"]!).ShouldBe("expired");
        ((string)seenByOwner["statusReason"]!).ShouldContain("All 2 institutions in the ranking declined");
        Events(seenByOwner)[^1].ShouldBe("expired");
        var regulator = RegulatorClient(c.Region[..2]);
        var seenByRegulator = await (await regulator.GetAsync($"/api/v1/financing-requests/{c.Request}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)seenByRegulator["statusReason"]!).ShouldBe((string)seenByOwner["statusReason"]!);

        NotificationEvents(await NotificationsAsync(EnterpriseClient(c.Owner))).ShouldContain("expired");
        (await NotificationsAsync(regulator))["items"]!.AsArray()
            .ShouldContain(item => (string)item!["requestId"]! == c.Request && (string)item["event"]! == "expired");
    }

    [Test]
    public async Task A_request_that_no_listed_product_matches_expires_right_after_publishing_with_the_reason()
    {
        var region = NewRegion();   // no institution serves it
        var owner = await RegisterEnterpriseAsync(region);
        var request = await SubmitRequestAsync(owner);

        var expired = await ReadOnceJobsRanAsync(owner, request, "expired");

        ((string)expired["statusReason"]!).ShouldContain("No listed product matches this request");
        Events(expired).ShouldBe(["submitted", "published", "expired"]);
        expired["dispatches"]!.AsArray().ShouldBeEmpty();
        NotificationEvents(await NotificationsAsync(EnterpriseClient(owner))).ShouldBe(["expired", "published"]);
        (await NotificationsAsync(RegulatorClient(region)))["items"]!.AsArray()
            .ShouldContain(item => (string)item!["requestId"]! == request && (string)item["event"]! == "expired");
    }
}
