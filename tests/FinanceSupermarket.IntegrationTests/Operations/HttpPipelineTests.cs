using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FinanceSupermarket.IntegrationTests.Operations;

/// <summary>
/// What every response goes through: the request log with the status the client got, compression where it is safe, and
/// the security headers on each kind of response (API, problem, portal page, static file, documents, probes).
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class HttpPipelineTests(string provider) : ApiTestBase(provider)
{
    private readonly RequestLog _requestLog = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Information",
        // A proxy in front ends TLS and says so in X-Forwarded-Proto (ASPNETCORE_FORWARDEDHEADERS_ENABLED=true).
        ["FORWARDEDHEADERS_ENABLED"] = "true",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(_requestLog);

    [Test]
    public async Task The_request_log_records_the_status_each_client_got()
    {
        var unknown = Guid.NewGuid().ToString();
        var enterprise = EnterpriseClient(Guid.NewGuid().ToString());

        await Anonymous.GetAsync($"/api/v1/products/{unknown}").ShouldBe(HttpStatusCode.NotFound);
        await enterprise.PostJsonAsync("/api/v1/enterprises", new Dictionary<string, object?>(EnterpriseBody()) { ["regionCode"] = "339999" })
            .ShouldBe(HttpStatusCode.BadRequest);
        var profile = EnterpriseBody();
        await enterprise.PostJsonAsync("/api/v1/enterprises", profile).ShouldBe(HttpStatusCode.Created);
        await EnterpriseClient(Guid.NewGuid().ToString()).PostJsonAsync("/api/v1/enterprises", profile).ShouldBe(HttpStatusCode.Conflict);
        await Anonymous.GetAsync($"/api/v1/enterprises/{unknown}").ShouldBe(HttpStatusCode.Unauthorized);
        await Anonymous.GetAsync($"/products/{unknown}").ShouldBe(HttpStatusCode.NotFound);

        _requestLog.StatusOf("GET", $"/api/v1/products/{unknown}").ShouldBe(["404"]);
        _requestLog.StatusOf("POST", "/api/v1/enterprises").ShouldBe(["400", "201", "409"], ignoreOrder: true);
        _requestLog.StatusOf("GET", $"/api/v1/enterprises/{unknown}").ShouldBe(["401"]);
        _requestLog.StatusOf("GET", $"/products/{unknown}").ShouldBe(["404"]);
    }

    [Test]
    public async Task JSON_comes_compressed_as_the_client_accepts_and_pages_do_not()
    {
        foreach (var encoding in new[] { "br", "gzip" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/products?pageSize=50");
            request.Headers.Add("Accept-Encoding", encoding);
            var response = await Anonymous.SendAsync(request);

            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentEncoding.ShouldBe([encoding]);
            var list = JsonNode.Parse(Decompress(await response.Content.ReadAsByteArrayAsync(), encoding))!;
            list["items"].ShouldNotBeNull();
        }

        // A page carries an antiforgery token beside what the request asked for (BREACH): never compressed.
        using var page = new HttpRequestMessage(HttpMethod.Get, "/sign-in");
        page.Headers.Add("Accept-Encoding", "br, gzip");
        var signIn = await Anonymous.SendAsync(page);
        signIn.StatusCode.ShouldBe(HttpStatusCode.OK);
        signIn.Content.Headers.ContentEncoding.ShouldBeEmpty();
        (await signIn.Content.ReadAsStringAsync()).ShouldContain("__RequestVerificationToken");

        // The portal's stylesheet comes precompressed (MapStaticAssets: gzip at build, Brotli too when published).
        using var css = new HttpRequestMessage(HttpMethod.Get, "/portal.css");
        css.Headers.Add("Accept-Encoding", "gzip");
        var stylesheet = await Anonymous.SendAsync(css);
        stylesheet.StatusCode.ShouldBe(HttpStatusCode.OK);
        stylesheet.Content.Headers.ContentEncoding.ShouldBe(["gzip"]);
    }

    [TestCase("/api/v1/products", HttpStatusCode.OK)]
    [TestCase("/api/v1/products/00000000-0000-0000-0000-000000000000", HttpStatusCode.NotFound)]
    [TestCase("/api/v1/admin/people", HttpStatusCode.Unauthorized)]
    [TestCase("/openapi/v1.json", HttpStatusCode.OK)]
    [TestCase("/health/ready", HttpStatusCode.OK)]
    [TestCase("/metrics", HttpStatusCode.Unauthorized)]
    [TestCase("/jobs", HttpStatusCode.Unauthorized)]
    [TestCase("/", HttpStatusCode.OK)]
    [TestCase("/sign-in", HttpStatusCode.OK)]
    [TestCase("/no-such-page", HttpStatusCode.NotFound)]
    [TestCase("/portal.css", HttpStatusCode.OK)]
    [TestCase("/favicon.svg", HttpStatusCode.OK)]
    [TestCase("/docs/", HttpStatusCode.OK)]
    public async Task Every_response_carries_the_security_headers(string path, HttpStatusCode status)
    {
        var response = await Anonymous.GetAsync(path).ShouldBe(status);

        Header(response, "X-Content-Type-Options").ShouldBe("nosniff");
        Header(response, "X-Frame-Options").ShouldBe("DENY");
        Header(response, "Referrer-Policy").ShouldBe("strict-origin-when-cross-origin");
        var csp = Header(response, "Content-Security-Policy");
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldContain("object-src 'none'");
        // Over plain HTTP no browser keeps HSTS (and a developer's localhost must not get it).
        response.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
        response.Headers.Contains("Server").ShouldBeFalse();
    }

    [Test]
    public async Task Each_part_has_the_content_security_policy_it_needs()
    {
        // The portal: its own scripts and styles only, nothing inline, nothing from elsewhere.
        var portal = Directives(await Anonymous.GetAsync("/sign-in").ShouldBe(HttpStatusCode.OK));
        portal["default-src"].ShouldBe("'self'");
        portal.ShouldNotContainKey("script-src");
        portal.ShouldNotContainKey("style-src");
        // JSON is never a document.
        Directives(await Anonymous.GetAsync("/api/v1/products").ShouldBe(HttpStatusCode.OK))["default-src"].ShouldBe("'none'");
        // The API reference starts its script inline, but loads and calls nothing from elsewhere.
        var docs = Directives(await Anonymous.GetAsync("/docs/").ShouldBe(HttpStatusCode.OK));
        docs["script-src"].ShouldBe("'self' 'unsafe-inline'");
        docs["default-src"].ShouldBe("'self'");
        docs.ShouldNotContainKey("connect-src");
        // Hangfire's dashboard (a branch mapped at /jobs) styles inline; its scripts stay its own files.
        var jobs = Directives(await Admin.GetAsync("/jobs").ShouldBe(HttpStatusCode.OK));
        jobs["style-src"].ShouldBe("'self' 'unsafe-inline'");
        jobs.ShouldNotContainKey("script-src");
    }

    [Test]
    public async Task Behind_a_proxy_that_ends_TLS_a_response_carries_HSTS_outside_Development()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/products");
        request.Headers.Host = "finance.example.org";
        request.Headers.Add("X-Forwarded-Proto", "https");

        var response = await Anonymous.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(response, "Strict-Transport-Security").ShouldStartWith("max-age=31536000");
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new ShouldAssertException($"{response.RequestMessage!.RequestUri} answered {(int)response.StatusCode} without {name}");

    private static Dictionary<string, string> Directives(HttpResponseMessage response) =>
        Header(response, "Content-Security-Policy").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(directive => directive.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "");

    private static string Decompress(byte[] body, string encoding)
    {
        using Stream decompressing = encoding == "br"
            ? new BrotliStream(new MemoryStream(body), CompressionMode.Decompress)
            : new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var reader = new StreamReader(decompressing);
        return reader.ReadToEnd();
    }

    /// <summary>The request log's entries (HttpLoggingMiddleware, one per request), as their fields.</summary>
    private sealed class RequestLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<Dictionary<string, string?>> _entries = new();

        public string?[] StatusOf(string method, string path) =>
            [.. _entries.Where(entry => entry.GetValueOrDefault("Method") == method && entry.GetValueOrDefault("Path") == path).Select(entry => entry.GetValueOrDefault("StatusCode"))];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware" ? _entries : null);

        public void Dispose() { }

        private sealed class Logger(ConcurrentQueue<Dictionary<string, string?>>? entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => entries is not null;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (entries is not null && state is IEnumerable<KeyValuePair<string, object?>> fields)
                    entries.Enqueue(fields.ToDictionary(field => field.Key, field => field.Value?.ToString()));
            }
        }
    }
}
