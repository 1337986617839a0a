using System.Collections.Concurrent;
using System.Net;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FinanceSupermarket.IntegrationTests.Operations;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, the host pushes its traces and metrics to that collector (here a recorder on
/// loopback speaking OTLP over HTTP); the providers are flushed rather than waited for. Export does not depend on the
/// database: the embedded SQLite is enough.
/// </summary>
public sealed class OtlpExportTests
{
    [Test]
    public async Task With_an_OTLP_endpoint_configured_traces_and_metrics_are_pushed_to_it()
    {
        await using var collector = await Collector.StartAsync();
        var connectionString = await TestDatabases.CreateAsync(Providers.Sqlite, nameof(OtlpExportTests));
        await using var host = new ApiHost(Providers.Sqlite, connectionString, new FakeTimeProvider(ApiTestBase.Start), new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });

        await host.ClientAs(null).GetAsync("/api/v1/products").ShouldBe(HttpStatusCode.OK);
        host.Service<TracerProvider>().ForceFlush().ShouldBeTrue();
        // Collects every reader: the OTLP one pushes; the Prometheus one, which waits to be scraped, answers false.
        host.Service<MeterProvider>().ForceFlush();

        collector.Posts.ShouldContain("/v1/traces");
        collector.Posts.ShouldContain("/v1/metrics");
    }

    /// <summary>Answers every OTLP post with 200 and keeps the paths posted to.</summary>
    private sealed class Collector(WebApplication app) : IAsyncDisposable
    {
        public ConcurrentBag<string> Posts { get; } = [];

        public string Url => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        public static async Task<Collector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var collector = new Collector(app);
            app.MapPost("/{**signal}", (HttpRequest request) =>
            {
                collector.Posts.Add(request.Path.Value!);
                return Results.Ok();
            });
            await app.StartAsync();
            return collector;
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
