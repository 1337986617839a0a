namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>The workflow's knobs (configuration section "Workflow").</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflow";

    /// <summary>How many institutions a request is dispatched to at once (the best-ranked, one dispatch each).</summary>
    public int InstitutionsPerRequest { get; set; } = 3;

    /// <summary>Working days an institution has to accept or decline (贷款申请限时答复制, seeds/002 task 10).</summary>
    public int AnswerWorkingDays { get; set; } = 1;

    /// <summary>Cap on the working days for the final feedback; otherwise the product's approvalDays.</summary>
    public int MaxFeedbackWorkingDays { get; set; } = 10;

    /// <summary>How many ranked products the published snapshot keeps for dispatch and re-dispatch.</summary>
    public int RankingDepth { get; set; } = 20;

    /// <summary>Run a Hangfire server in this node (off for nodes that only serve HTTP).</summary>
    public bool RunJobs { get; set; } = true;

    /// <summary>
    /// Hangfire workers in this node. A workflow job spends most of its time waiting on the database, so the default is
    /// Hangfire's own (5 per core, at most 20): with 2 per core a 2-core node fell behind at 50 submissions a second.
    /// </summary>
    public int WorkerCount { get; set; } = Math.Min(Environment.ProcessorCount * 5, 20);

    /// <summary>A step still not done this long after it became due is re-driven by the supervisor.</summary>
    public TimeSpan RedriveAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Waits between webhook attempts; after the last one the delivery is marked failed.</summary>
    public int[] WebhookRetryDelaysSeconds { get; set; } = [5, 30, 120, 600, 3600];

    /// <summary>A data folder of extra working-day calendar files (cn-2027.json …), beside the shipped ones.</summary>
    public string? CalendarFolder { get; set; }
}
