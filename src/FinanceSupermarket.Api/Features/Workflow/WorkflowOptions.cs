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

    /// <summary>A step still not done this long after it became due is re-driven by the supervisor.</summary>
    public TimeSpan RedriveAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A new request of an enterprise with another open request for the same purpose and an amount within this fraction of
    /// it is held as a near duplicate until the enterprise says it is a new need; 0 holds none.
    /// </summary>
    public decimal NearDuplicateTolerance { get; set; } = 0.2m;

    /// <summary>A data folder of extra working-day calendar files (cn-2027.json …), beside the shipped ones.</summary>
    public string? CalendarFolder { get; set; }
}
