using System.Diagnostics.Metrics;

namespace FinanceSupermarket.Api.Infrastructure.Operations;

/// <summary>
/// The platform's own instruments, in one Meter ("FinanceSupermarket") that OpenTelemetry exports beside ASP.NET Core's,
/// HttpClient's and Npgsql's. The workflow's steps are counted after their unit of work commits (<see cref="WorkflowMetrics"/>),
/// so a rolled-back step counts nothing. The names follow OpenTelemetry's conventions; Prometheus shows them with
/// underscores and a unit suffix (finance_supermarket_requests_submitted_total, …_time_to_dispatch_seconds).
/// </summary>
public sealed class PlatformMetrics
{
    public const string MeterName = "FinanceSupermarket";

    /// <summary>第一时间 (seeds/002 task 6) is counted in milliseconds to seconds; a step re-driven by the supervisor in minutes.</summary>
    private static readonly double[] DispatchSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

    private readonly Counter<long> _submitted;
    private readonly Counter<long> _dispatchSteps;
    private readonly Histogram<double> _timeToDispatch;
    private readonly Counter<long> _overdue;
    private readonly Counter<long> _webhookFailures;

    public PlatformMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _submitted = meter.CreateCounter<long>("finance_supermarket.requests.submitted", "{request}",
            "Financing requests submitted (a near duplicate held for the enterprise's word included).");
        _dispatchSteps = meter.CreateCounter<long>("finance_supermarket.dispatches", "{dispatch}",
            "Steps of dispatches by outcome: dispatched, redispatched, accepted, declined, overdue, approved, rejected, withdrawn, superseded, closed …");
        _timeToDispatch = meter.CreateHistogram("finance_supermarket.requests.time_to_dispatch", "s",
            "Time from a request's submission to its first dispatches.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = DispatchSeconds });
        _overdue = meter.CreateCounter<long>("finance_supermarket.dispatches.overdue", "{dispatch}",
            "Dispatches escalated as overdue (督导), by the deadline missed: answer (限时答复) or feedback.");
        _webhookFailures = meter.CreateCounter<long>("finance_supermarket.webhooks.failures", "{attempt}",
            "Webhook deliveries that failed an attempt; final=true when no retry is left.");
    }

    public void RequestSubmitted() => _submitted.Add(1);

    public void DispatchStep(string outcome) => _dispatchSteps.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void RequestDispatched(TimeSpan sinceSubmission) => _timeToDispatch.Record(Math.Max(0, sinceSubmission.TotalSeconds));

    public void DispatchOverdue(string stage) => _overdue.Add(1, new KeyValuePair<string, object?>("stage", stage));

    public void WebhookAttemptFailed(bool final) => _webhookFailures.Add(1, new KeyValuePair<string, object?>("final", final));
}
