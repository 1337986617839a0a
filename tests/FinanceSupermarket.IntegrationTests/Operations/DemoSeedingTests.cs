using Dapper;
using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Operations;

/// <summary>Demo seeding is all or nothing: a first start killed while seeding leaves an empty database that the next start seeds in full.</summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class DemoSeedingTests(string provider) : ApiTestBase(provider)
{
    private static readonly string[] Tables =
    [
        "institutions", "products", "product_regions", "enterprises", "financing_requests", "request_events", "regulator_offices", "people",
        "memberships", "audit_log", "audit_chain",
    ];

    /// <summary>This fixture's own host seeds a fresh database undisturbed: the full demo data to compare with.</summary>
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Database:SeedDemoData"] = "true" };

    [Test]
    public async Task A_first_start_killed_while_seeding_leaves_nothing_and_the_restart_seeds_all_the_demo_data()
    {
        var full = await CountsAsync(Host.Service<Db>().ConnectionString);
        full["people"].ShouldBe(5);
        var connectionString = await TestDatabases.CreateAsync(Provider, nameof(DemoSeedingTests) + "Killed");

        // The demo accounts are seeded last: by then the institutions, products, enterprises and requests are written.
        Should.Throw<Exception>(() => new ApiHost(Provider, connectionString, new FakeTimeProvider(Start), Settings,
            services => services.Replace(ServiceDescriptor.Singleton<IPasswordHasher<Person>, KilledWhileHashing>())))
            .ToString().ShouldContain(nameof(KilledWhileHashing));
        (await CountsAsync(connectionString)).Values.ShouldAllBe(count => count == 0);

        await using (var restarted = new ApiHost(Provider, connectionString, new FakeTimeProvider(Start), Settings))
        {
            (await CountsAsync(connectionString)).ShouldBe(full);
            var verification = await (await restarted.ClientAs(Domain.Role.Admin).GetAsync("/api/v1/admin/audit/verify")).ReadJsonAsync();
            ((bool)verification["verified"]!).ShouldBeTrue();
        }
    }

    private async Task<Dictionary<string, long>> CountsAsync(string connectionString)
    {
        await using var connection = SqlDialect.For(Enum.Parse<DatabaseProvider>(Provider)).CreateConnection(connectionString);
        await connection.OpenAsync();
        var counts = new Dictionary<string, long>();
        foreach (var table in Tables) counts[table] = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
        return counts;
    }

    /// <summary>The process dies here: the seeding's transaction never commits.</summary>
    private sealed class KilledWhileHashing : IPasswordHasher<Person>
    {
        public string HashPassword(Person user, string password) => throw new InvalidOperationException($"{nameof(KilledWhileHashing)}: the start is killed");
        public PasswordVerificationResult VerifyHashedPassword(Person user, string hashedPassword, string providedPassword) => PasswordVerificationResult.Failed;
    }
}
