using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FinanceSupermarket.Domain;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FinanceSupermarket.Api.Infrastructure.Operations;

/// <summary>
/// What an operations team runs the host by: health probes, OpenTelemetry metrics (scraped by Prometheus at /metrics, and
/// exported by OTLP with traces when an endpoint is configured), and the platform's own metrics (<see cref="PlatformMetrics"/>).
/// </summary>
public static class OperationsModule
{
    public const string MetricsPath = "/metrics";
    public const string ServiceName = "finance-supermarket";

    /// <summary>The OpenTelemetry SDK's own setting (environment OTEL_EXPORTER_OTLP_ENDPOINT); unset, nothing is pushed.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>A bearer token of Prometheus' own, which opens /metrics and nothing else.</summary>
    public const string ScrapeTokenKey = "Metrics:ScrapeToken";

    private const string MetricsPolicy = "metrics_scrape";

    /// <summary>A check that takes longer says the dependency is not ready; the probe must answer within its own timeout.</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<PlatformMetrics>();
        // The database's check is registered with the database (DatabaseModule).
        services.AddHealthChecks()
            .AddCheck<JobStorageHealthCheck>("jobs", timeout: CheckTimeout)
            .AddCheck<MatchingIndexHealthCheck>("matching");

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter("System.Runtime")
                .AddMeter(PlatformMetrics.MeterName)
                .AddPrometheusExporter());
        // Spans are recorded only where a collector takes them: without one nothing reads them, and recording one (an
        // activity and its tags) on every request cost the shelves a share of their CPU (issue 13). The logs' trace ids
        // come from the host's own activity either way.
        if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]))
            telemetry.WithTracing(tracing => tracing
                    // Probes and scrapes come every few seconds and say nothing about the platform's work.
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbe(context.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql())
                .UseOtlpExporter();

        var scrapeToken = ReadScrapeToken(configuration);
        services.AddAuthorizationBuilder().AddPolicy(MetricsPolicy, policy => policy.RequireAssertion(context =>
            context.User.IsInRole(EnumText.ToText(Role.Admin))
            || scrapeToken is not null && context.Resource is HttpContext http && PresentsToken(http, scrapeToken)));
        return services;
    }

    /// <summary>
    /// /health/live: the process answers (no dependency, so a database outage restarts nothing); /health/ready: the
    /// database, the job storage and the matching index, 503 while any is not; /health: the same checks, as before.
    /// </summary>
    public static void MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = WriteChecksAsync });
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(MetricsPolicy);
    }

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments(MetricsPath);

    private static byte[]? ReadScrapeToken(IConfiguration configuration)
    {
        var token = configuration[ScrapeTokenKey];
        if (string.IsNullOrEmpty(token)) return null;
        if (token.Length < 32) throw new InvalidOperationException($"{ScrapeTokenKey} must be at least 32 characters.");
        return SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>Compared as hashes in fixed time, so that the answer's timing says nothing of the token.</summary>
    private static bool PresentsToken(HttpContext http, byte[] expectedHash) =>
        http.Request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim())), expectedHash);

    /// <summary>Each check's status and description: what an operator needs to see which dependency is down, without its exception.</summary>
    private static Task WriteChecksAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(entry => entry.Key, entry => new { status = entry.Value.Status.ToString(), entry.Value.Description }),
        }, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
