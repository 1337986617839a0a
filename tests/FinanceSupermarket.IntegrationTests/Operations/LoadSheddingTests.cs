using System.Data.Common;
using System.Net;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Api.Features.FinancingRequests;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Operations;

/// <summary>
/// Overload is shed, never failed: a host that admits one write at a time and queues none, with a submission held in
/// flight, answers the next write 503 with Retry-After (and stores nothing of it), still answers reads, and publishes
/// and dispatches every submission it answered 201.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class LoadSheddingTests(string provider) : ApiTestBase(provider)
{
    private readonly Gate _gate = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Http:LoadShedding:ConcurrentWrites"] = "1",
        ["Http:LoadShedding:QueuedWrites"] = "0",
    };

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton(_gate).AddScoped<IPipelineBehavior<SubmitRequest, SubmitRequest.Result>, HeldSubmission>();

    [Test]
    public async Task A_write_past_the_limit_is_answered_503_with_Retry_After_and_every_201_is_published_and_dispatched()
    {
        var bank = await RegisterInstitutionAsync("33");
        await ListProductAsync(bank);
        var first = await RegisterEnterpriseAsync();
        var second = await RegisterEnterpriseAsync();

        _gate.Armed = true;
        var held = EnterpriseClient(first).PostJsonAsync("/api/v1/financing-requests", RequestBody(600_000m));
        await _gate.Entered.Task;

        var shed = await EnterpriseClient(second).PostJsonAsync("/api/v1/financing-requests", RequestBody(800_000m));
        shed.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        shed.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        shed.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        // Reads are not limited: the enterprise still sees its own (empty) list.
        await EnterpriseClient(second).GetAsync("/api/v1/financing-requests").ShouldBe(HttpStatusCode.OK);

        _gate.Armed = false;
        _gate.Release.SetResult();
        var created = await (await held.ShouldBe(HttpStatusCode.Created)).ReadJsonAsync();
        (await CountAsync("financing_requests")).ShouldBe(1);

        // Sent again after Retry-After, the shed one is taken.
        var retried = await SubmitRequestAsync(second, 800_000m);
        await Host.RunDueJobsAsync();
        foreach (var (enterprise, request) in new[] { (first, (string)created["id"]!), (second, retried) })
        {
            var seen = await (await EnterpriseClient(enterprise).GetAsync($"/api/v1/financing-requests/{request}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
            ((string)seen["status"]!).ShouldBe("dispatched");
        }
    }

    [Test]
    public async Task A_database_that_cannot_take_a_write_now_gets_it_answered_503_with_Retry_After_and_nothing_stored()
    {
        // A node that waits one second at most: for a connection from a pool of two (PostgreSQL), for the write lock (SQLite).
        var connectionString = await TestDatabases.CreateAsync(Provider, nameof(LoadSheddingTests)) +
                               (Provider == Providers.PostgreSql ? ";Maximum Pool Size=2;Timeout=1" : ";Default Timeout=1");
        await using var host = new ApiHost(Provider, connectionString, new FakeTimeProvider(Start));
        var enterprise = Guid.NewGuid().ToString();
        var client = host.ClientAs(Role.Enterprise, enterpriseId: enterprise);
        await client.PostJsonAsync("/api/v1/enterprises", EnterpriseBody()).ShouldBe(HttpStatusCode.Created);

        await using (await TakeTheDatabaseAsync(host.Service<Db>()))
        {
            var refused = await client.PostJsonAsync("/api/v1/financing-requests", RequestBody(600_000m));
            refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await refused.Content.ReadAsStringAsync());
            refused.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }

        (await CountAsync(host, "financing_requests")).ShouldBe(0);
        await client.PostJsonAsync("/api/v1/financing-requests", RequestBody(600_000m)).ShouldBe(HttpStatusCode.Created);
        (await CountAsync(host, "financing_requests")).ShouldBe(1);
    }

    /// <summary>What a burst of other work does: every pooled connection taken (PostgreSQL), the write lock held (SQLite).</summary>
    private async Task<IAsyncDisposable> TakeTheDatabaseAsync(Db db)
    {
        var held = new List<DbConnection>();
        for (var i = 0; i < (Provider == Providers.PostgreSql ? 2 : 1); i++) held.Add(await db.OpenAsync());
        var transaction = await held[0].BeginTransactionAsync();
        await held[0].ExecuteAsync("UPDATE audit_chain_head SET seq = seq WHERE id = 1", transaction: transaction);
        return new Held(held, transaction);
    }

    private sealed class Held(List<DbConnection> connections, DbTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            foreach (var connection in connections) await connection.DisposeAsync();
        }
    }

    private static async Task<long> CountAsync(ApiHost host, string table)
    {
        await using var connection = await host.Service<Db>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    /// <summary>Holds a submission inside its handler while armed, so that it takes the one write permit.</summary>
    private sealed class Gate
    {
        public volatile bool Armed;
        public readonly TaskCompletionSource Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class HeldSubmission(Gate gate) : IPipelineBehavior<SubmitRequest, SubmitRequest.Result>
    {
        public async ValueTask<SubmitRequest.Result> Handle(SubmitRequest message, MessageHandlerDelegate<SubmitRequest, SubmitRequest.Result> next,
            CancellationToken cancellationToken)
        {
            if (gate.Armed)
            {
                gate.Entered.TrySetResult();
                await gate.Release.Task;
            }
            return await next(message, cancellationToken);
        }
    }
}
