using System.Net;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Operations;

/// <summary>
/// The host environment, not the provider, decides whether the host is a developer's: a container image started with
/// no settings runs in Production, `dotnet run` in Development (launchSettings.json). The other fixtures run in
/// "Testing" and set dev tokens, demo data and the signing key explicitly.
/// </summary>
public sealed class EnvironmentTests
{
    /// <summary>What the host reads with none of the three settings given.</summary>
    private static Dictionary<string, string?> Unset(string environment) => new()
    {
        ["environment"] = environment, ["Auth:DevTokens"] = null, ["Database:SeedDemoData"] = null, ["Auth:SigningKey"] = "",
    };

    [Test]
    public async Task In_Production_the_embedded_SQLite_host_refuses_to_start_without_a_signing_key()
    {
        var connectionString = await TestDatabases.CreateAsync(Providers.Sqlite, nameof(EnvironmentTests));

        var failure = Should.Throw<Exception>(() => new ApiHost(Providers.Sqlite, connectionString, new FakeTimeProvider(ApiTestBase.Start), Unset("Production")));

        Messages(failure).ShouldContain(message => message.Contains("Auth:SigningKey") && message.Contains("Production"));
    }

    [Test]
    public async Task In_Production_with_a_signing_key_the_embedded_SQLite_host_serves_no_dev_tokens_and_no_demo_data()
    {
        var connectionString = await TestDatabases.CreateAsync(Providers.Sqlite, nameof(EnvironmentTests));
        var settings = Unset("Production");
        settings["Auth:SigningKey"] = ApiHost.TestSigningKey;

        await using var host = new ApiHost(Providers.Sqlite, connectionString, new FakeTimeProvider(ApiTestBase.Start), settings);
        var anonymous = host.ClientAs(null);

        await anonymous.PostJsonAsync("/api/v1/dev/tokens", new { role = "admin" }).ShouldBe(HttpStatusCode.NotFound);
        var shelves = await (await anonymous.GetAsync("/api/v1/products?region=330421").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((long)shelves["total"]!).ShouldBe(0);
    }

    [Test]
    public async Task In_Development_a_PostgreSQL_host_serves_dev_tokens_and_demo_data_with_the_development_key()
    {
        var connectionString = await TestDatabases.CreateAsync(Providers.PostgreSql, nameof(EnvironmentTests));

        await using var host = new ApiHost(Providers.PostgreSql, connectionString, new FakeTimeProvider(ApiTestBase.Start), Unset("Development"));
        var anonymous = host.ClientAs(null);

        await anonymous.PostJsonAsync("/api/v1/dev/tokens", new { role = "admin" }).ShouldBe(HttpStatusCode.OK);
        var shelves = await (await anonymous.GetAsync("/api/v1/products?region=330421").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((long)shelves["total"]!).ShouldBeGreaterThan(0);
    }

    private static IEnumerable<string> Messages(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException) yield return exception.Message;
    }
}
