using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using FinanceSupermarket.Api.Infrastructure.Operations;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using FinanceSupermarket.IntegrationTests.Workflow;
using Microsoft.Extensions.DependencyInjection;

namespace FinanceSupermarket.IntegrationTests.Operations;

/// <summary>
/// The platform's own metrics after a request's journey, as this host's Meter records them and as Prometheus scrapes them
/// from /metrics — which opens to an admin's token or the configured scrape token, and to no one else.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class MetricsTests(string provider) : WorkflowTestBase(provider)
{
    private const string ScrapeToken = "prometheus-scrape-token-0123456789abcdef";

    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { [OperationsModule.ScrapeTokenKey] = ScrapeToken };

    [Test]
    public async Task A_journey_is_counted_once_per_step_and_scraped_by_Prometheus()
    {
        using var recorded = new Recorded(Host.Service<IMeterFactory>());
        await using var webhook = await WebhookReceiver.StartAsync(failFirst: 1);
        const string region = "330482";
        var slow = await RegisterInstitutionAsync(region, "平湖慢速银行", webhook.Url);
        var careful = await RegisterInstitutionAsync(region, "平湖稳健银行");
        await ListProductAsync(slow, p => p["minRate"] = 3.0m);
        await ListProductAsync(careful, p => p["minRate"] = 4.0m);
        var owner = await RegisterEnterpriseAsync(region);

        var request = await SubmitRequestAsync(owner, 900_000m);
        var dispatched = await ReadOnceJobsRanAsync(owner, request, "dispatched");
        var carefulDispatch = (string)DispatchOf(dispatched, careful)["id"]!;
        await InstitutionClient(careful).PostJsonAsync($"/api/v1/dispatches/{carefulDispatch}/accept", new { }).ShouldBe(HttpStatusCode.OK);
        Host.Clock.Advance(TimeSpan.FromDays(2));
        (await SuperviseAsync()).Overdue.ShouldBe(1);
        await Host.RunDueJobsAsync();
        await InstitutionClient(careful).PostJsonAsync($"/api/v1/dispatches/{carefulDispatch}/feedback",
            new { outcome = "approved", amount = 850_000m, rate = 4.1m, termMonths = 12 }).ShouldBe(HttpStatusCode.OK);
        await Host.RunDueJobsAsync();
        // A step refused (the dispatch is no longer pending) changes nothing and counts nothing.
        await InstitutionClient(careful).PostJsonAsync($"/api/v1/dispatches/{carefulDispatch}/accept", new { }).ShouldBe(HttpStatusCode.Conflict);

        recorded.Sum("finance_supermarket.requests.submitted").ShouldBe(1);
        recorded.Sum("finance_supermarket.dispatches", ("outcome", "dispatched")).ShouldBe(2);
        recorded.Sum("finance_supermarket.dispatches", ("outcome", "accepted")).ShouldBe(1);
        recorded.Sum("finance_supermarket.dispatches", ("outcome", "overdue")).ShouldBe(1);
        recorded.Sum("finance_supermarket.dispatches", ("outcome", "approved")).ShouldBe(1);
        recorded.Sum("finance_supermarket.dispatches.overdue", ("stage", "answer")).ShouldBe(1);
        // Dispatched in the same moment of the test's clock as it was submitted.
        recorded.Values("finance_supermarket.requests.time_to_dispatch").ShouldBe([0.0]);
        // The slow bank's system refused the first post; the retry was delivered.
        recorded.Sum("finance_supermarket.webhooks.failures", ("final", false)).ShouldBe(1);
        recorded.Sum("finance_supermarket.webhooks.failures", ("final", true)).ShouldBe(0);
        webhook.Deliveries.Count.ShouldBe(2);

        // Prometheus' view. Every host of the test run exports the platform's Meter by name, so the scrape holds at least this journey.
        var scrape = await (await Admin.GetAsync("/metrics").ShouldBe(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Sample(scrape, "finance_supermarket_requests_submitted_total").ShouldBeGreaterThanOrEqualTo(1);
        Sample(scrape, "finance_supermarket_dispatches_total", "outcome=\"approved\"").ShouldBeGreaterThanOrEqualTo(1);
        Sample(scrape, "finance_supermarket_dispatches_overdue_total", "stage=\"answer\"").ShouldBeGreaterThanOrEqualTo(1);
        Sample(scrape, "finance_supermarket_requests_time_to_dispatch_seconds_count").ShouldBeGreaterThanOrEqualTo(1);
        Sample(scrape, "finance_supermarket_webhooks_failures_total", "final=\"false\"").ShouldBeGreaterThanOrEqualTo(1);
        // ASP.NET Core's own, beside the platform's.
        scrape.ShouldContain("http_server_request_duration_seconds_count");
    }

    [Test]
    public async Task Prometheus_scrapes_with_the_configured_token()
    {
        var prometheus = Host.ClientAs(null);
        prometheus.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken);

        var response = await prometheus.GetAsync("/metrics").ShouldBe(HttpStatusCode.OK);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
    }

    [Test]
    public async Task Nobody_else_reads_the_metrics()
    {
        await Anonymous.GetAsync("/metrics").ShouldBe(HttpStatusCode.Unauthorized);
        var wrongToken = Host.ClientAs(null);
        wrongToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken + "x");
        await wrongToken.GetAsync("/metrics").ShouldBe(HttpStatusCode.Unauthorized);
        await EnterpriseClient(Guid.NewGuid().ToString()).GetAsync("/metrics").ShouldBe(HttpStatusCode.Forbidden);
        await InstitutionClient(Guid.NewGuid().ToString()).GetAsync("/metrics").ShouldBe(HttpStatusCode.Forbidden);
        await RegulatorClient("33").GetAsync("/metrics").ShouldBe(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task The_scrape_token_opens_the_metrics_and_nothing_else()
    {
        var prometheus = Host.ClientAs(null);
        prometheus.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken);

        await prometheus.GetAsync("/api/v1/admin/people").ShouldBe(HttpStatusCode.Unauthorized);
        await prometheus.GetAsync("/jobs").ShouldBe(HttpStatusCode.Unauthorized);
    }

    /// <summary>The value of a sample line ("name{labels} value"); the labels named must be among the sample's.</summary>
    private static double Sample(string scrape, string name, string label = "")
    {
        var pattern = $@"^{Regex.Escape(name)}(\{{[^}}\n]*\}})? (?<value>\S+)";
        var values = Regex.Matches(scrape, pattern, RegexOptions.Multiline)
            .Where(match => match.Value.Contains(label, StringComparison.Ordinal))
            .Select(match => double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture))
            .ToArray();
        values.ShouldNotBeEmpty($"{name} {label} in the scrape:\n{scrape}");
        return values.Sum();
    }

    /// <summary>What this host's instruments of the platform's Meter record while the test runs (other hosts' are other scopes).</summary>
    private sealed class Recorded : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

        public Recorded(IMeterFactory hostMeters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PlatformMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, hostMeters))
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.Start();
        }

        public double Sum(string name, params (string Key, object Value)[] tags) =>
            _measurements.Where(m => m.Name == name && tags.All(tag => m.Tags.Any(t => t.Key == tag.Key && Equals(t.Value, tag.Value)))).Sum(m => m.Value);

        public double[] Values(string name) => [.. _measurements.Where(m => m.Name == name).Select(m => m.Value)];

        public void Dispose() => _listener.Dispose();
    }
}
