using System.Net;
using FinanceSupermarket.Api.Features.FinancingRequests;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.UnitOfWork;

/// <summary>
/// A command's writes and what follows them are one unit: a command that fails after its handler wrote stores nothing and
/// starts no job; one that succeeds starts its follow-up job exactly once, after commit.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class UnitOfWorkTests(string provider) : ApiTestBase(provider)
{
    [Test]
    public async Task A_submission_that_commits_enqueues_its_publish_job_once()
    {
        var enterpriseId = await RegisterEnterpriseAsync();
        await Host.RunDueJobsAsync();

        await SubmitRequestAsync(enterpriseId);

        // Its publish step, and the chaining of its audit entries.
        EnqueuedJobs(Host).Select(job => $"{job.Type.Name}.{job.Method.Name}").Order().ShouldBe(["AuditJobs.SealAsync", "WorkflowJobs.PublishAsync"]);

        // A second submission has a publish step of its own; the seal job waiting will chain its entries too.
        await SubmitRequestAsync(enterpriseId, 700_000m);
        EnqueuedJobs(Host).Select(job => $"{job.Type.Name}.{job.Method.Name}").Order()
            .ShouldBe(["AuditJobs.SealAsync", "WorkflowJobs.PublishAsync", "WorkflowJobs.PublishAsync"]);
    }

    [Test]
    public async Task A_submission_whose_transaction_rolls_back_stores_nothing_and_enqueues_no_job()
    {
        // A second host on a database of its own, whose submissions fail after the handler has written and raised its job.
        var connectionString = await TestDatabases.CreateAsync(Provider, nameof(UnitOfWorkTests));
        await using var host = new ApiHost(Provider, connectionString, new FakeTimeProvider(Start),
            services: services => services.AddScoped<IPipelineBehavior<SubmitRequest, SubmitRequest.Result>, FailsAfterTheHandler>());
        var enterpriseId = Guid.NewGuid().ToString();
        await host.ClientAs(Role.Enterprise, enterpriseId: enterpriseId).PostJsonAsync("/api/v1/enterprises", EnterpriseBody()).ShouldBe(HttpStatusCode.Created);
        await DueJobs.RunAsync([host]);

        await host.ClientAs(Role.Enterprise, enterpriseId: enterpriseId).PostJsonAsync("/api/v1/financing-requests", RequestBody())
            .ShouldBe(HttpStatusCode.InternalServerError);

        (await CountAsync(host, "financing_requests")).ShouldBe(0);
        (await CountAsync(host, "request_events")).ShouldBe(0);
        EnqueuedJobs(host).ShouldBeEmpty();
    }

    private const string HeldSql = """
        INSERT INTO notifications (recipient_role, recipient_id, region_code, request_id, event, message, created_at)
        VALUES (@Role, @Id, @RegionCode, @RequestId, @Event, @Message, @Now)
        """;

    [Test]
    public Task Held_writes_are_seen_by_the_units_next_statement_and_roll_back_with_it() =>
        InUncommittedUnitAsync(secondRegion: "330421", async (unit, marker) =>
            (await unit.QueryAsync<string>("SELECT message FROM notifications WHERE recipient_id = @Marker ORDER BY id", new { Marker = marker }))
            .ShouldBe(["first", "second"]));

    [Test]
    public Task A_held_write_that_fails_fails_the_unit_before_it_can_commit() =>
        InUncommittedUnitAsync(secondRegion: null, (unit, _) =>
            Should.ThrowAsync<System.Data.Common.DbException>(() => unit.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM notifications")));

    [Test]
    public Task Rows_held_beyond_one_statements_parameters_all_go_in_in_order() =>
        // 700 rows of 7 parameters: on a server several statements of at most 2,000 parameters, held with the two above.
        InUncommittedUnitAsync(secondRegion: "330421", async (unit, marker) =>
        {
            unit.InsertRowsLater(HeldSql, [.. Enumerable.Range(0, 700).Select(i => new object?[] { "enterprise", marker, "330421", null, "test", $"row {i}", Start })]);
            (await unit.QueryAsync<string>("SELECT message FROM notifications WHERE recipient_id = @Marker ORDER BY id", new { Marker = marker }))
                .ShouldBe(["first", "second", .. Enumerable.Range(0, 700).Select(i => $"row {i}")]);
        });

    /// <summary>
    /// Holds two notifications for a new recipient in the unit of a scope of its own (the second with the region given:
    /// none is refused), does what the test does with the unit, and ends the scope without a commit: nothing of the unit
    /// may stay.
    /// </summary>
    private async Task InUncommittedUnitAsync(string? secondRegion, Func<Api.Infrastructure.UnitOfWork.UnitOfWork, string, Task> then)
    {
        var marker = Guid.NewGuid().ToString();
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var unit = scope.ServiceProvider.GetRequiredService<Api.Infrastructure.UnitOfWork.UnitOfWork>();
            unit.WriteLater(HeldSql, "enterprise", marker, "330421", null, "test", "first", Start);
            unit.WriteLater(HeldSql, "enterprise", marker, secondRegion, null, "test", "second", Start);
            await then(unit, marker);
        }
        (await CountAsync(Host, $"notifications WHERE recipient_id = '{marker}'")).ShouldBe(0);
    }

    /// <summary>Jobs waiting on the shared storage and on the node's queue of workflow steps (where a submission's publish goes).</summary>
    private static Hangfire.Common.Job[] EnqueuedJobs(ApiHost host) =>
        [.. DueJobs.StoragesOf(host).SelectMany(storage => storage.GetMonitoringApi().EnqueuedJobs("default", 0, 100)).Select(job => job.Value.Job)];

    private static async Task<long> CountAsync(ApiHost host, string table)
    {
        await using var connection = await host.Service<Api.Infrastructure.Database.Db>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Runs inside the unit of work (registered after it), after the handler: as if the commit's last step failed.</summary>
    private sealed class FailsAfterTheHandler : IPipelineBehavior<SubmitRequest, SubmitRequest.Result>
    {
        public async ValueTask<SubmitRequest.Result> Handle(SubmitRequest message, MessageHandlerDelegate<SubmitRequest, SubmitRequest.Result> next,
            CancellationToken cancellationToken)
        {
            await next(message, cancellationToken);
            throw new InvalidOperationException("A failure after the handler wrote.");
        }
    }
}
