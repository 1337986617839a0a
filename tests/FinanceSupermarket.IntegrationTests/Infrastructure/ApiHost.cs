using System.Net.Http.Headers;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Domain;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>The real API host on Kestrel over loopback, on a given provider and database, with a clock the test controls.</summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    public const string TestSigningKey = "integration-tests-signing-key-0123456789abcdef";

    private readonly string _provider;
    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="services">Test-only changes to the host's services, e.g. a fault injected into one workflow step.</param>
    public ApiHost(string provider, string connectionString, FakeTimeProvider clock, IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        _provider = provider;
        _connectionString = connectionString;
        Clock = clock;
        _settings = settings ?? new Dictionary<string, string?>();
        _services = services;
        UseKestrel(0);
        StartServer();
    }

    public FakeTimeProvider Clock { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // The portal's framework script (_framework/blazor.web.js) lives in a package, found through the build's static web
        // assets manifest as in Development; a published host serves it from its wwwroot.
        builder.UseStaticWebAssets();
        builder.UseSetting("Database:Provider", _provider);
        builder.UseSetting("Database:ConnectionString", _connectionString);
        builder.UseSetting("Database:SeedDemoData", "false");
        builder.UseSetting("Auth:SigningKey", TestSigningKey);
        builder.UseSetting("Auth:DevTokens", "true");
        // The seal job chains at once when the tests run it.
        builder.UseSetting("Audit:SealDelayMilliseconds", "0");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // No Hangfire server: a test runs the due jobs itself (RunDueJobsAsync), so nothing happens on a thread it does not wait for.
        builder.UseSetting("Workflow:RunJobs", "false");
        // Every test calls from 127.0.0.1: the rate limits are tested on their own (AccountsTests), with small limits set there.
        builder.UseSetting("Accounts:AttemptsPerAddress", "1000000");
        builder.UseSetting("Accounts:AttemptsPerLogin", "1000000");
        // Most fixtures file several needs of one enterprise with the same terms, each meant as a need of its own; holding
        // near duplicates is tested on its own (Workflow/NearDuplicateTests) with the platform's default tolerance.
        builder.UseSetting("Workflow:NearDuplicateTolerance", "0");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(new TestLoggerProvider()));
        builder.ConfigureTestServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            _services?.Invoke(services);
        });
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Runs this host's due background jobs now (the hosts run no Hangfire server), until none is due.</summary>
    public Task RunDueJobsAsync() => DueJobs.RunAsync([this]);

    /// <summary>Runs the due jobs of several nodes, which may share one database and its queue, until none is due on any.</summary>
    public static Task RunDueJobsAsync(params ApiHost[] nodes) => DueJobs.RunAsync(nodes);

    /// <summary>A client over loopback, signed in as the given user (or anonymous).</summary>
    public HttpClient ClientAs(Role? role, string? enterpriseId = null, string? institutionId = null, string? region = null)
    {
        var client = CreateClient();
        if (role is { } r)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                Service<TokenIssuer>().Issue(r, enterpriseId, institutionId, r == Role.Regulator ? region ?? "" : region));
        return client;
    }
}
