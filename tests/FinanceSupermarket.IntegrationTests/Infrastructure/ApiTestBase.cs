using System.Net;
using Dapper;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>
/// One API host per fixture and provider, on a database of its own. Derived fixtures carry
/// [TestFixtureSource(typeof(Providers), nameof(Providers.All))] and so run every test on SQLite and on PostgreSQL.
/// </summary>
public abstract class ApiTestBase(string provider)
{
    /// <summary>Monday 2 March 2026, 09:00 in Shanghai: an ordinary working morning.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    private static int _creditCodeSequence;

    protected string Provider { get; } = provider;
    protected ApiHost Host { get; private set; } = null!;
    protected HttpClient Anonymous { get; private set; } = null!;
    protected HttpClient Admin { get; private set; } = null!;

    /// <summary>Where this fixture's clock starts.</summary>
    protected virtual DateTimeOffset StartsAt => Start;

    /// <summary>Extra configuration for this fixture's host.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Test-only changes to this fixture's host's services.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    [OneTimeSetUp]
    public async Task StartHostAsync()
    {
        var connectionString = await TestDatabases.CreateAsync(Provider, GetType().Name);
        Host = new ApiHost(Provider, connectionString, new FakeTimeProvider(StartsAt), Settings, ConfigureServices);
        Anonymous = Host.ClientAs(null);
        Admin = Host.ClientAs(Role.Admin);
    }

    [OneTimeTearDown]
    public async Task StopHostAsync() => await Host.DisposeAsync();

    protected HttpClient EnterpriseClient(string enterpriseId) => Host.ClientAs(Role.Enterprise, enterpriseId: enterpriseId);
    protected HttpClient InstitutionClient(string institutionId) => Host.ClientAs(Role.Institution, institutionId: institutionId);
    protected HttpClient RegulatorClient(string region) => Host.ClientAs(Role.Regulator, region: region);

    /// <summary>A valid 统一社会信用代码 not used before in this run.</summary>
    protected static string NewCreditCode(string regionCode = "330421")
    {
        var sequence = Interlocked.Increment(ref _creditCodeSequence);
        return CreditCode.WithCheckCharacter($"91{regionCode}MA{sequence:D7}");
    }

    public static Dictionary<string, object?> InstitutionBody(params string[] regions) => new()
    {
        ["name"] = "测试农商银行",
        ["kind"] = "bank",
        ["regionCodes"] = regions.Length == 0 ? new[] { "33" } : regions,
    };

    public static Dictionary<string, object?> EnterpriseBody(string regionCode = "330421") => new()
    {
        ["creditCode"] = NewCreditCode(regionCode),
        ["name"] = "嘉善测试电子有限公司",
        ["regionCode"] = regionCode,
        ["industryCode"] = "C39",
        ["size"] = "small",
        ["employees"] = 80,
        ["annualRevenue"] = 30_000_000m,
        ["establishedOn"] = "2015-06-01",
        ["tags"] = new[] { "tech_sme" },
        ["taxCreditLevel"] = "A",
        ["hasLoanHistory"] = true,
    };

    public static Dictionary<string, object?> ProductBody() => new()
    {
        ["name"] = "科技信用贷",
        ["kind"] = "credit_loan",
        ["minAmount"] = 100_000m,
        ["maxAmount"] = 5_000_000m,
        ["minTermMonths"] = 6,
        ["maxTermMonths"] = 36,
        ["minRate"] = 3.85m,
        ["maxRate"] = 6.5m,
        ["guaranteeModes"] = new[] { "credit" },
        ["regionCodes"] = Array.Empty<string>(),
        ["industryCodes"] = Array.Empty<string>(),
        ["enterpriseSizes"] = Array.Empty<string>(),
        ["requiredTags"] = Array.Empty<string>(),
        ["minYearsInBusiness"] = 0,
        ["minTaxCreditLevel"] = null,
        ["firstLoanFriendly"] = true,
        ["policySupport"] = Array.Empty<string>(),
        ["approvalDays"] = 3,
    };

    public static Dictionary<string, object?> RequestBody(decimal amount = 1_000_000m) => new()
    {
        ["amount"] = amount,
        ["termMonths"] = 12,
        ["purpose"] = "working_capital",
        ["guaranteeModes"] = new[] { "credit" },
        ["maxRate"] = 6.0m,
        ["neededBy"] = null,
        ["description"] = "采购原材料",
    };

    protected async Task<string> RegisterInstitutionAsync(params string[] regions)
    {
        var response = await Admin.PostJsonAsync("/api/v1/institutions", InstitutionBody(regions)).ShouldBe(HttpStatusCode.Created);
        return (string)(await response.ReadJsonAsync())["id"]!;
    }

    protected async Task<string> ListProductAsync(string institutionId, Action<Dictionary<string, object?>>? change = null)
    {
        var body = ProductBody();
        change?.Invoke(body);
        var response = await InstitutionClient(institutionId).PostJsonAsync("/api/v1/products", body).ShouldBe(HttpStatusCode.Created);
        return (string)(await response.ReadJsonAsync())["id"]!;
    }

    /// <summary>Registers an enterprise as its own user (bound to a fresh id) and returns the id.</summary>
    protected async Task<string> RegisterEnterpriseAsync(string regionCode = "330421", Action<Dictionary<string, object?>>? change = null)
    {
        var id = Guid.NewGuid().ToString();
        var body = EnterpriseBody(regionCode);
        change?.Invoke(body);
        await EnterpriseClient(id).PostJsonAsync("/api/v1/enterprises", body).ShouldBe(HttpStatusCode.Created);
        return id;
    }

    protected async Task<string> SubmitRequestAsync(string enterpriseId, decimal amount = 1_000_000m)
    {
        var response = await EnterpriseClient(enterpriseId).PostJsonAsync("/api/v1/financing-requests", RequestBody(amount)).ShouldBe(HttpStatusCode.Created);
        return (string)(await response.ReadJsonAsync())["id"]!;
    }

    /// <summary>
    /// A fresh request of the enterprise, published and dispatched through the host's mediator as its two jobs would (no
    /// background jobs run here), to the one institution whose products match it; returns that pending dispatch.
    /// </summary>
    protected async Task<string> PendingDispatchAsync(string enterpriseId, string institutionId)
    {
        var requestId = await SubmitRequestAsync(enterpriseId);
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            (await mediator.Send(new PublishRequest(requestId))).ShouldBeTrue();
            (await mediator.Send(new DispatchRequest(requestId))).ShouldBeGreaterThan(0);
        }
        var request = await (await InstitutionClient(institutionId).GetAsync($"/api/v1/financing-requests/{requestId}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        return (string)request["dispatches"]!.AsArray().Single()!["id"]!;
    }

    protected async Task<string> AcceptedDispatchAsync(string enterpriseId, string institutionId)
    {
        var dispatch = await PendingDispatchAsync(enterpriseId, institutionId);
        await InstitutionClient(institutionId).PostJsonAsync($"/api/v1/dispatches/{dispatch}/accept", new { }).ShouldBe(HttpStatusCode.OK);
        return dispatch;
    }

    /// <summary>A fresh request that the institution approved: resolved, so that it may be rated.</summary>
    protected async Task<string> ResolvedRequestAsync(string enterpriseId, string institutionId)
    {
        var dispatch = await AcceptedDispatchAsync(enterpriseId, institutionId);
        var answer = await (await InstitutionClient(institutionId).PostJsonAsync($"/api/v1/dispatches/{dispatch}/feedback",
            new { outcome = "approved", amount = 1_000_000m, rate = 4.35m, termMonths = 12 }).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        return (string)answer["requestId"]!;
    }

    /// <summary>Reads the database directly, as an operator would check what was stored.</summary>
    protected async Task<long> CountAsync(string table)
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }
}
