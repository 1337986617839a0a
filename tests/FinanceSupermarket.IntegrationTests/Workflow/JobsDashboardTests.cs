using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Workflow;

/// <summary>The Hangfire dashboard at /jobs (issue 4, point 8): for admins only, reachable from a browser.</summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class JobsDashboardTests(string provider) : ApiTestBase(provider)
{
    private string Token(Role role) => Host.Service<TokenIssuer>().Issue(role, enterpriseId: role == Role.Enterprise ? Guid.NewGuid().ToString() : null,
        institutionId: null, region: role == Role.Regulator ? "33" : null);

    /// <summary>A browser: no bearer header, only the cookies the server set.</summary>
    private HttpClient Browser()
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    [Test]
    public async Task An_admin_opens_the_dashboard_with_a_bearer_token()
    {
        var response = await Admin.GetAsync("/jobs").ShouldBe(HttpStatusCode.OK);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await response.Content.ReadAsStringAsync()).ShouldContain("Finance Supermarket jobs");
    }

    [Test]
    public async Task An_admin_browser_opens_the_dashboard_once_with_the_token_in_the_link_and_then_with_the_cookie_it_was_given()
    {
        var browser = Browser();

        var first = await browser.GetAsync($"/jobs?access_token={Token(Role.Admin)}").ShouldBe(HttpStatusCode.OK);
        var cookie = first.Headers.GetValues("Set-Cookie").Single(header => header.StartsWith(AuthModule.DashboardToken.Cookie + "=", StringComparison.Ordinal));
        cookie.ToLowerInvariant().ShouldContain("httponly");
        cookie.ToLowerInvariant().ShouldContain("samesite=strict");
        cookie.ToLowerInvariant().ShouldContain("path=/jobs");

        // The dashboard's next pages carry only the cookie.
        foreach (var page in new[] { "/jobs/jobs/succeeded", "/jobs/recurring" })
            (await (await browser.GetAsync(page).ShouldBe(HttpStatusCode.OK)).Content.ReadAsStringAsync()).ShouldContain("Finance Supermarket jobs");
    }

    [TestCase(Role.Regulator)]
    [TestCase(Role.Enterprise)]
    public async Task A_user_who_is_not_an_admin_is_forbidden_the_dashboard(Role role)
    {
        var withHeader = Host.CreateClient();
        withHeader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(role));
        await withHeader.GetAsync("/jobs").ShouldBe(HttpStatusCode.Forbidden);

        var browser = Browser();
        var response = await browser.GetAsync($"/jobs?access_token={Token(role)}").ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("Finance Supermarket jobs");
    }

    [Test]
    public async Task Without_a_token_the_dashboard_answers_401()
    {
        await Anonymous.GetAsync("/jobs").ShouldBe(HttpStatusCode.Unauthorized);
        await Browser().GetAsync("/jobs?access_token=not-a-token").ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_token_that_fails_validation_is_not_kept_in_a_cookie()
    {
        var response = await Browser().GetAsync("/jobs?access_token=not-a-token").ShouldBe(HttpStatusCode.Unauthorized);

        // The dashboard's own antiforgery cookie may come (Hangfire protects its forms with it); the token's may not.
        response.Headers.TryGetValues("Set-Cookie", out var cookies);
        (cookies ?? []).ShouldNotContain(cookie => cookie.StartsWith(AuthModule.DashboardToken.Cookie + "=", StringComparison.Ordinal));
    }

    [Test]
    public async Task The_request_log_names_the_dashboard_page_but_not_the_token_in_its_link()
    {
        var log = new RequestLog();
        var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Information" };
        await using var host = new ApiHost(Provider, Host.Service<FinanceSupermarket.Api.Infrastructure.Database.Db>().ConnectionString,
            new FakeTimeProvider(Start), settings, services => services.AddSingleton<ILoggerProvider>(log));
        var token = host.Service<TokenIssuer>().Issue(Role.Admin);

        // One client, so one keep-alive connection: Kestrel runs a connection's requests one after another, and a request's
        // (combined) log line is written when its pipeline ends, after the client has its response. So once the third
        // answer is in, the first two lines are written.
        var browser = host.CreateClient();
        await browser.GetAsync($"/jobs?access_token={token}").ShouldBe(HttpStatusCode.OK);
        await browser.GetAsync("/api/v1/products?kind=credit_loan").ShouldBe(HttpStatusCode.OK);
        await browser.GetAsync("/api/v1/products").ShouldBe(HttpStatusCode.OK);

        var lines = log.Lines.ToArray();
        lines.ShouldContain(line => line.Contains("credit_loan"));
        lines.ShouldContain(line => line.Contains("/jobs"));
        lines.ShouldNotContain(line => line.Contains(token));
    }

    /// <summary>
    /// The one test per provider with a real Hangfire server and a bounded real-time wait. Every other test runs the due
    /// jobs itself (<see cref="ApiHost.RunDueJobsAsync()"/>); only here is it checked that a node with Workflow:RunJobs starts a
    /// server that takes the workflow's jobs from the queue and runs them on its own.
    /// </summary>
    [Test]
    public async Task A_node_that_runs_jobs_takes_a_submitted_request_through_publishing_and_dispatch_on_its_own()
    {
        var settings = new Dictionary<string, string?> { ["Workflow:RunJobs"] = "true" };
        await using var node = new ApiHost(Provider, Host.Service<FinanceSupermarket.Api.Infrastructure.Database.Db>().ConnectionString,
            new FakeTimeProvider(Start), settings);
        var created = await node.ClientAs(Role.Admin).PostJsonAsync("/api/v1/institutions", InstitutionBody("330421")).ShouldBe(HttpStatusCode.Created);
        var bank = (string)(await created.ReadJsonAsync())["id"]!;
        await node.ClientAs(Role.Institution, institutionId: bank).PostJsonAsync("/api/v1/products", ProductBody()).ShouldBe(HttpStatusCode.Created);
        var owner = node.ClientAs(Role.Enterprise, enterpriseId: Guid.NewGuid().ToString());
        await owner.PostJsonAsync("/api/v1/enterprises", EnterpriseBody("330421")).ShouldBe(HttpStatusCode.Created);
        var submitted = await owner.PostJsonAsync("/api/v1/financing-requests", RequestBody()).ShouldBe(HttpStatusCode.Created);
        var request = (string)(await submitted.ReadJsonAsync())["id"]!;

        var dispatched = await Eventually.Until(
            async () => await (await owner.GetAsync($"/api/v1/financing-requests/{request}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync(),
            read => (string)read["status"]! == "dispatched", $"the node's Hangfire server to dispatch request {request}", seconds: 60);

        dispatched["dispatches"]!.AsArray().Select(d => (string)d!["institutionId"]!).ShouldBe([bank]);
    }

    private sealed class RequestLog : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(RequestLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => category.StartsWith("Microsoft.AspNetCore.HttpLogging", StringComparison.Ordinal);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) log.Lines.Enqueue(formatter(state, exception));
            }
        }
    }

    [Test]
    public async Task The_dashboard_cookie_and_query_token_do_not_sign_anyone_in_to_the_api()
    {
        var token = Token(Role.Admin);
        await Anonymous.GetAsync($"/api/v1/notifications?access_token={token}").ShouldBe(HttpStatusCode.Unauthorized);

        using var plain = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = Anonymous.BaseAddress };
        var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notifications");
        withCookie.Headers.Add("Cookie", $"{AuthModule.DashboardToken.Cookie}={token}");
        await plain.SendAsync(withCookie).ShouldBe(HttpStatusCode.Unauthorized);
        // The same cookie does open the dashboard: what keeps the API out is the path, not a bad cookie.
        var toJobs = new HttpRequestMessage(HttpMethod.Get, "/jobs");
        toJobs.Headers.Add("Cookie", $"{AuthModule.DashboardToken.Cookie}={token}");
        await plain.SendAsync(toJobs).ShouldBe(HttpStatusCode.OK);
    }
}
