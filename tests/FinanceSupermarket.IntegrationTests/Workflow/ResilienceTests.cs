using System.Net;
using Dapper;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Workflow;

/// <summary>
/// Nothing lost, nothing doubled (issue 4, point 6): several nodes on one PostgreSQL database, a node killed between
/// two workflow steps, a deadline passing while no node runs. Each test has a database of its own and starts and stops
/// its own nodes on it; the fixture's host is not used. No node runs a Hangfire server: the test runs the due jobs on the
/// nodes it names (<see cref="ApiHost.RunDueJobsAsync(ApiHost[])"/>) and the supervisor where a node's schedule would, so
/// which node does a step, and when, is the test's choice rather than the machine's speed.
/// </summary>
[TestFixture]
public sealed class ResilienceTests() : ApiTestBase(Providers.PostgreSql)
{
    private const int PerRequest = 3;
    private const string Region = "330421";

    /// <summary>Monday 09:00 in Shanghai + 1 working day.</summary>
    private static readonly DateTimeOffset AnswerDue = Start.AddDays(1);

    private static Dictionary<string, string?> NodeSettings(TimeSpan redriveAfter) => new()
    {
        ["Workflow:InstitutionsPerRequest"] = PerRequest.ToString(),
        ["Workflow:RedriveAfter"] = redriveAfter.ToString(),
    };

    [Test]
    public async Task Two_nodes_running_jobs_on_one_database_dispatch_each_request_exactly_once_and_escalate_each_overdue_dispatch_once()
    {
        await using var platform = await Platform.CreateAsync(Provider, nameof(Two_nodes_running_jobs_on_one_database_dispatch_each_request_exactly_once_and_escalate_each_overdue_dispatch_once));
        var first = platform.StartNode(NodeSettings(TimeSpan.Zero));
        var catalogue = await platform.SeedAsync(first, institutions: 5, enterprises: 4);
        var second = platform.StartNode(NodeSettings(TimeSpan.Zero));

        // While the requests come in, both nodes' supervisors and both nodes' job runs go back to back; with a redrive delay
        // of zero the supervisors race the publish jobs for every fresh request.
        using var stop = new CancellationTokenSource();
        var supervisors = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                await Task.WhenAll(Platform.SuperviseAsync(first), Platform.SuperviseAsync(second), ApiHost.RunDueJobsAsync(first, second));
        });
        var submissions = Enumerable.Range(0, 20).Select(i =>
            platform.SubmitAsync(i % 2 == 0 ? first : second, catalogue.Enterprises[i % catalogue.Enterprises.Length], 500_000m + i * 10_000m));
        var requests = await Task.WhenAll(submissions);
        await stop.CancelAsync();
        await supervisors;
        await ApiHost.RunDueJobsAsync(first, second);
        (await platform.CountRequestsAsync("dispatched")).ShouldBe(requests.Length);

        var state = await platform.ReadStateAsync();
        foreach (var request in requests)
        {
            state.InstitutionsOf(request).ShouldBe(catalogue.Institutions.Take(PerRequest), ignoreOrder: true, $"request {request}");
            state.EventsOf(request).Count(e => e == "published").ShouldBe(1, $"request {request}");
            state.EventsOf(request).Count(e => e == "dispatched").ShouldBe(PerRequest, $"request {request}");
            state.EventsOf(request).ShouldNotContain("redispatched");
            state.NotificationsOf(request).Count(n => n == "enterprise:published").ShouldBe(1, $"request {request}");
            state.NotificationsOf(request).Count(n => n == "institution:dispatched").ShouldBe(PerRequest, $"request {request}");
        }

        // Both nodes' supervisors at once, several times, with nothing due: nothing changes.
        for (var round = 0; round < 3; round++) await Task.WhenAll(Platform.SuperviseAsync(first), Platform.SuperviseAsync(second));
        (await platform.ReadStateAsync()).ShouldBe(state);

        // The answer deadline passes; both supervisors find the same overdue dispatches at the same moment.
        platform.Clock.Advance(TimeSpan.FromDays(2));
        for (var round = 0; round < 3; round++) await Task.WhenAll(Platform.SuperviseAsync(first), Platform.SuperviseAsync(second));
        await ApiHost.RunDueJobsAsync(first, second);
        var escalated = await platform.ReadStateAsync();
        foreach (var request in requests)
        {
            escalated.DispatchesOf(request).Where(d => d.Status == "overdue").Select(d => d.InstitutionId)
                .ShouldBe(catalogue.Institutions.Take(PerRequest), ignoreOrder: true, $"request {request}");
            escalated.DispatchesOf(request).Where(d => d.Status == "pending").Select(d => d.InstitutionId)
                .ShouldBe(catalogue.Institutions.Skip(PerRequest), ignoreOrder: true, $"request {request}");
            escalated.EventsOf(request).Count(e => e == "overdue").ShouldBe(PerRequest, $"request {request}");
            escalated.EventsOf(request).Count(e => e == "redispatched").ShouldBe(catalogue.Institutions.Length - PerRequest, $"request {request}");
            escalated.NotificationsOf(request).Count(n => n == "regulator:overdue").ShouldBe(PerRequest, $"request {request}");
        }
    }

    [Test]
    public async Task A_node_killed_between_publish_and_dispatch_leaves_requests_that_the_restarted_node_dispatches_exactly_once()
    {
        await using var platform = await Platform.CreateAsync(Provider, nameof(A_node_killed_between_publish_and_dispatch_leaves_requests_that_the_restarted_node_dispatches_exactly_once));
        // The first node serves HTTP only, and dies in the moment after a request is published and before it is dispatched.
        var doomed = platform.StartNode(NodeSettings(TimeSpan.FromSeconds(30)),
            services => services.AddScoped<IPipelineBehavior<DispatchRequest, int>, NodeDiesBeforeDispatch>());
        var catalogue = await platform.SeedAsync(doomed, institutions: 4, enterprises: 2);
        var requests = new List<string>();
        for (var i = 0; i < 6; i++) requests.Add(await platform.SubmitAsync(doomed, catalogue.Enterprises[i % 2], 800_000m));

        var published = requests.Take(3).ToArray();
        foreach (var request in published)
        {
            await using var scope = doomed.Services.CreateAsyncScope();
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            (await mediator.Send(new PublishRequest(request))).ShouldBeTrue();
            // The dispatch step that follows publishing (its job) is where the node dies.
            await Should.ThrowAsync<NodeKilledException>(async () => await mediator.Send(new DispatchRequest(request)));
        }
        foreach (var request in published)
        {
            var read = await platform.ReadRequestAsync(doomed, platform.OwnerOf(request), request);
            ((string)read["status"]!).ShouldBe("published");
            read["dispatches"]!.AsArray().ShouldBeEmpty();
        }
        await doomed.DisposeAsync();

        // A minute later a node comes up on the same database: it runs the steps the first one (an HTTP-only node, so its
        // steps went to the shared queue) left queued — six publish jobs, three of them for requests already published —
        // and its supervisor re-drives the rest. (A node that runs jobs keeps its steps in memory: they die with it, and
        // the supervisor re-drives them all, as on SQLite.)
        platform.Clock.Advance(TimeSpan.FromMinutes(1));
        var restarted = platform.StartNode(NodeSettings(TimeSpan.FromSeconds(30)));
        await restarted.RunDueJobsAsync();
        await Platform.SuperviseAsync(restarted);
        await restarted.RunDueJobsAsync();
        (await platform.CountRequestsAsync("dispatched")).ShouldBe(requests.Count);

        var state = await platform.ReadStateAsync();
        foreach (var request in requests)
        {
            state.InstitutionsOf(request).ShouldBe(catalogue.Institutions.Take(PerRequest), ignoreOrder: true, $"request {request}");
            state.EventsOf(request).ShouldBe(["submitted", "published", "dispatched", "dispatched", "dispatched"], $"request {request}");
            state.NotificationsOf(request).Count(n => n == "enterprise:published").ShouldBe(1, $"request {request}");
        }
        var view = await platform.ReadRequestAsync(restarted, platform.OwnerOf(published[0]), published[0]);
        ((string)view["status"]!).ShouldBe("dispatched");
        view["dispatches"]!.AsArray().Count.ShouldBe(PerRequest);
    }

    [Test]
    public async Task An_answer_deadline_that_passes_while_no_node_runs_is_escalated_and_redispatched_when_a_node_comes_back()
    {
        await using var platform = await Platform.CreateAsync(Provider, nameof(An_answer_deadline_that_passes_while_no_node_runs_is_escalated_and_redispatched_when_a_node_comes_back));
        var before = platform.StartNode(NodeSettings(TimeSpan.FromSeconds(30)));
        var catalogue = await platform.SeedAsync(before, institutions: 4, enterprises: 1);
        var requests = new List<string>();
        for (var i = 0; i < 3; i++) requests.Add(await platform.SubmitAsync(before, catalogue.Enterprises[0], 600_000m));
        await before.RunDueJobsAsync();
        (await platform.CountRequestsAsync("dispatched")).ShouldBe(requests.Count);
        await before.DisposeAsync();

        // Down from Monday 09:00 to Wednesday 09:00: the Tuesday 09:00 answer deadline passes unseen. The node that comes
        // back runs its supervisor at start-up, and the jobs that leaves.
        platform.Clock.Advance(TimeSpan.FromDays(2));
        var after = platform.StartNode(NodeSettings(TimeSpan.FromSeconds(30)));
        await Platform.SuperviseAsync(after);
        await after.RunDueJobsAsync();

        var escalated = await platform.ReadStateAsync();
        requests.ShouldAllBe(r => escalated.DispatchesOf(r).Count(d => d.Status == "overdue") == PerRequest && escalated.DispatchesOf(r).Any(d => d.Status == "pending"),
            "every first dispatch overdue and the 4th institution asked");
        var spare = catalogue.Institutions[PerRequest];
        foreach (var request in requests)
        {
            var pending = escalated.DispatchesOf(request).Single(d => d.Status == "pending");
            pending.InstitutionId.ShouldBe(spare);
            // Asked on Wednesday 09:00, answer by Thursday 09:00.
            pending.AnswerDueAt.ShouldBe(AnswerDue.AddDays(2));
            var events = escalated.EventsOf(request);
            events[..5].ShouldBe(["submitted", "published", "dispatched", "dispatched", "dispatched"], $"request {request}");
            events[5..].ShouldBe(["overdue", "overdue", "overdue", "redispatched"], ignoreOrder: true, $"request {request}");
        }
        var overdue = await (await after.ClientAs(Role.Regulator, region: "3304").GetAsync("/api/v1/statistics/overdue?pageSize=100")
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        overdue["items"]!.AsArray().Count(item => requests.Contains((string)item!["requestId"]!)).ShouldBe(PerRequest * requests.Count);
        var slowest = await (await after.ClientAs(Role.Institution, institutionId: catalogue.Institutions[0]).GetAsync("/api/v1/notifications?pageSize=100")
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        slowest["items"]!.AsArray().Count(item => (string)item!["event"]! == "overdue").ShouldBe(requests.Count);
    }

    [Test]
    public async Task A_node_killed_after_a_decline_and_before_asking_the_next_institution_leaves_the_redispatch_to_the_supervisor()
    {
        await using var platform = await Platform.CreateAsync(Provider, nameof(A_node_killed_after_a_decline_and_before_asking_the_next_institution_leaves_the_redispatch_to_the_supervisor));
        var killSwitch = new KillSwitch();
        var doomed = platform.StartNode(NodeSettings(TimeSpan.FromSeconds(30)),
            services => services.AddSingleton(killSwitch).AddScoped<IPipelineBehavior<DispatchRequest, int>, NodeDiesBeforeDispatch>());
        var catalogue = await platform.SeedAsync(doomed, institutions: 4, enterprises: 1);
        var request = await platform.SubmitAsync(doomed, catalogue.Enterprises[0], 700_000m);
        await doomed.RunDueJobsAsync();
        (await platform.CountRequestsAsync("dispatched")).ShouldBe(1);

        // An hour later the best-ranked institution declines; the node dies in the re-dispatch job that follows the stored
        // decline, before asking the next one, and its queue goes with it.
        platform.Clock.Advance(TimeSpan.FromHours(1));
        killSwitch.Armed = true;
        var best = doomed.ClientAs(Role.Institution, institutionId: catalogue.Institutions[0]);
        var inbox = await (await best.GetAsync("/api/v1/dispatches?status=pending").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var dispatch = (string)inbox["items"]![0]!["id"]!;
        await best.PostJsonAsync($"/api/v1/dispatches/{dispatch}/decline", new { reasonCode = "capacity", reason = "授信额度已满" }).ShouldBe(HttpStatusCode.OK);
        (await Should.ThrowAsync<InvalidOperationException>(doomed.RunDueJobsAsync())).InnerException.ShouldBeOfType<NodeKilledException>();
        await doomed.DisposeAsync();

        // A minute later (past the 30 s redrive delay on the platform's clock) a node comes up: its start-up supervisor run
        // finds the request short of an open dispatch, and the jobs it leaves run.
        platform.Clock.Advance(TimeSpan.FromMinutes(1));
        var restarted = platform.StartNode(NodeSettings(TimeSpan.FromSeconds(30)));
        await restarted.RunDueJobsAsync();
        await Platform.SuperviseAsync(restarted);
        await restarted.RunDueJobsAsync();
        (await platform.ReadStateAsync()).InstitutionsOf(request).Length.ShouldBe(PerRequest + 1, "the 4th institution asked");

        var state = await platform.ReadStateAsync();
        state.DispatchesOf(request).Select(d => (d.InstitutionId, d.Status)).ShouldBe(
            [(catalogue.Institutions[0], "declined"), (catalogue.Institutions[1], "pending"), (catalogue.Institutions[2], "pending"), (catalogue.Institutions[3], "pending")]);
        state.EventsOf(request).ShouldBe(["submitted", "published", "dispatched", "dispatched", "dispatched", "declined", "redispatched"]);
    }

    [Test]
    public async Task A_request_that_keeps_failing_to_dispatch_does_not_stop_the_supervisor_from_dispatching_the_others()
    {
        await using var platform = await Platform.CreateAsync(Provider, nameof(A_request_that_keeps_failing_to_dispatch_does_not_stop_the_supervisor_from_dispatching_the_others));
        var killSwitch = new KillSwitch();
        var node = platform.StartNode(NodeSettings(TimeSpan.Zero),
            services => services.AddSingleton(killSwitch).AddScoped<IPipelineBehavior<DispatchRequest, int>, NodeDiesBeforeDispatch>());
        var catalogue = await platform.SeedAsync(node, institutions: 3, enterprises: 1);
        var poisoned = await platform.SubmitAsync(node, catalogue.Enterprises[0], 400_000m);
        platform.Clock.Advance(TimeSpan.FromSeconds(1));
        var healthy = await platform.SubmitAsync(node, catalogue.Enterprises[0], 450_000m);
        killSwitch.OnlyFor = poisoned;
        killSwitch.Armed = true;

        // The poisoned request comes first (oldest); each run fails on it, and still dispatches the one behind it.
        await Platform.SuperviseAsync(node);
        await Platform.SuperviseAsync(node);

        var state = await platform.ReadStateAsync();
        state.InstitutionsOf(healthy).ShouldBe(catalogue.Institutions, ignoreOrder: true);
        state.InstitutionsOf(poisoned).ShouldBeEmpty();
        (await platform.CountRequestsAsync("dispatched")).ShouldBe(1);
        (await platform.CountRequestsAsync("published")).ShouldBe(1);
    }

    /// <summary>Stands for the process dying, or a step that keeps failing: the dispatch step does not run while the switch is armed.</summary>
    private sealed class NodeDiesBeforeDispatch(KillSwitch? killSwitch = null) : IPipelineBehavior<DispatchRequest, int>
    {
        public ValueTask<int> Handle(DispatchRequest message, MessageHandlerDelegate<DispatchRequest, int> next, CancellationToken cancellationToken) =>
            killSwitch is null || killSwitch.Armed && (killSwitch.OnlyFor is null || killSwitch.OnlyFor == message.RequestId)
                ? throw new NodeKilledException()
                : next(message, cancellationToken);
    }

    private sealed class KillSwitch
    {
        public volatile bool Armed;
        public volatile string? OnlyFor;
    }

    private sealed class NodeKilledException() : Exception("The node was killed before dispatching.");

    /// <summary>One database with the nodes a test starts on it, sharing one clock; disposing it stops them all.</summary>
    private sealed class Platform : IAsyncDisposable
    {
        private readonly string _provider;
        private readonly string _connectionString;
        private readonly List<ApiHost> _nodes = [];

        private Platform(string provider, string connectionString)
        {
            _provider = provider;
            _connectionString = connectionString;
        }

        public FakeTimeProvider Clock { get; } = new(Start);

        public static async Task<Platform> CreateAsync(string provider, string test) =>
            new(provider, await TestDatabases.CreateAsync(provider, "resilience_" + Math.Abs(test.GetHashCode() % 10_000)));

        public ApiHost StartNode(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
        {
            var node = new ApiHost(_provider, _connectionString, Clock, settings, services);
            _nodes.Add(node);
            return node;
        }

        public async Task<Catalogue> SeedAsync(ApiHost node, int institutions, int enterprises)
        {
            var admin = node.ClientAs(Role.Admin);
            var institutionIds = new string[institutions];
            for (var i = 0; i < institutions; i++)
            {
                var body = InstitutionBody("3304");
                body["name"] = $"嘉兴第{i + 1}银行";
                var created = await admin.PostJsonAsync("/api/v1/institutions", body).ShouldBe(HttpStatusCode.Created);
                institutionIds[i] = (string)(await created.ReadJsonAsync())["id"]!;
                // The lower the rate, the better the rank: institution 0 first.
                var product = ProductBody();
                product["minRate"] = 3.0m + i * 0.5m;
                await node.ClientAs(Role.Institution, institutionId: institutionIds[i]).PostJsonAsync("/api/v1/products", product).ShouldBe(HttpStatusCode.Created);
            }
            var enterpriseIds = new string[enterprises];
            for (var i = 0; i < enterprises; i++)
            {
                enterpriseIds[i] = Guid.NewGuid().ToString();
                await node.ClientAs(Role.Enterprise, enterpriseId: enterpriseIds[i]).PostJsonAsync("/api/v1/enterprises", EnterpriseBody(Region))
                    .ShouldBe(HttpStatusCode.Created);
            }
            return new Catalogue(institutionIds, enterpriseIds);
        }

        private readonly Dictionary<string, string> _owners = [];

        public async Task<string> SubmitAsync(ApiHost node, string enterpriseId, decimal amount)
        {
            var response = await node.ClientAs(Role.Enterprise, enterpriseId: enterpriseId)
                .PostJsonAsync("/api/v1/financing-requests", RequestBody(amount)).ShouldBe(HttpStatusCode.Created);
            var id = (string)(await response.ReadJsonAsync())["id"]!;
            lock (_owners) _owners[id] = enterpriseId;
            return id;
        }

        public string OwnerOf(string requestId)
        {
            lock (_owners) return _owners[requestId];
        }

        public async Task<System.Text.Json.Nodes.JsonNode> ReadRequestAsync(ApiHost node, string enterpriseId, string requestId) =>
            await (await node.ClientAs(Role.Enterprise, enterpriseId: enterpriseId).GetAsync($"/api/v1/financing-requests/{requestId}")
                .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

        /// <summary>Runs the supervisor on a node now, as its every-minute schedule would.</summary>
        public static async Task SuperviseAsync(ApiHost node)
        {
            await using var scope = node.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new SuperviseDeadlines());
        }

        public async Task<long> CountRequestsAsync(string status)
        {
            await using var connection = await OpenAsync();
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM financing_requests WHERE status = @Status", new { Status = status });
        }

        /// <summary>What an operator would read from the database: every dispatch, timeline event and notification.</summary>
        public async Task<WorkflowState> ReadStateAsync()
        {
            await using var connection = await OpenAsync();
            var dispatches = await connection.QueryAsync<DispatchRow>("""
                SELECT request_id AS RequestId, institution_id AS InstitutionId, status, answer_due_at AS AnswerDueAt FROM dispatches ORDER BY request_id, rank
                """);
            var events = await connection.QueryAsync<(string RequestId, string Event)>("SELECT request_id, event FROM request_events ORDER BY id");
            var notifications = await connection.QueryAsync<(string RequestId, string Recipient)>(
                "SELECT request_id, recipient_role || ':' || event FROM notifications WHERE request_id IS NOT NULL ORDER BY id");
            return new WorkflowState(
                [.. dispatches],
                events.GroupBy(e => e.RequestId).ToDictionary(g => g.Key, g => g.Select(e => e.Event).ToArray()),
                notifications.GroupBy(n => n.RequestId).ToDictionary(g => g.Key, g => g.Select(n => n.Recipient).ToArray()));
        }

        private async Task<System.Data.Common.DbConnection> OpenAsync()
        {
            var connection = SqlDialect.For(DatabaseProvider.PostgreSql).CreateConnection(_connectionString);
            await connection.OpenAsync();
            return connection;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var node in _nodes) await node.DisposeAsync();
        }
    }

    /// <summary>The institutions in rank order (best first) and the enterprises of a test.</summary>
    private sealed record Catalogue(string[] Institutions, string[] Enterprises);

    public sealed record DispatchRow
    {
        public string RequestId { get; init; } = "";
        public string InstitutionId { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTimeOffset AnswerDueAt { get; init; }
    }

    private sealed record WorkflowState(
        IReadOnlyList<DispatchRow> Dispatches, IReadOnlyDictionary<string, string[]> Events, IReadOnlyDictionary<string, string[]> Notifications)
    {
        public DispatchRow[] DispatchesOf(string request) => [.. Dispatches.Where(d => d.RequestId == request)];
        public string[] InstitutionsOf(string request) => [.. DispatchesOf(request).Select(d => d.InstitutionId)];
        public string[] EventsOf(string request) => Events.GetValueOrDefault(request) ?? [];
        public string[] NotificationsOf(string request) => Notifications.GetValueOrDefault(request) ?? [];

        /// <summary>Two readings are the same when every row and every list is the same.</summary>
        public bool Equals(WorkflowState? other) =>
            other is not null && Dispatches.SequenceEqual(other.Dispatches)
            && Same(Events, other.Events) && Same(Notifications, other.Notifications);

        public override int GetHashCode() => Dispatches.Count;

        private static bool Same(IReadOnlyDictionary<string, string[]> a, IReadOnlyDictionary<string, string[]> b) =>
            a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var list) && list.SequenceEqual(pair.Value));
    }
}
