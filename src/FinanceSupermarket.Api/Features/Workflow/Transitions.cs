using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>What a request's step is about: the request, and the facts the handler that moves it supplies.</summary>
public sealed record RequestStep(string RequestId, string EnterpriseId, string RegionCode)
{
    /// <summary>When the request was submitted: set for the steps whose figures count the hours since (submission, result).</summary>
    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>What the timeline and the notifications say of this step (a reason, the terms, a count of matches).</summary>
    public string? Detail { get; init; }

    /// <summary>Values of the columns the transition sets beyond the status (named in its <see cref="RequestTransition.Set"/>).</summary>
    public object? Values { get; init; }

    /// <summary>The approval that resolves the request.</summary>
    public Approval? Approval { get; init; }

    /// <summary>Whether the enterprise asked without loan history (首贷户), fixed at submission.</summary>
    public bool FirstLoan { get; init; }
}

/// <summary>What a dispatch's step is about: the dispatch, its request, and the facts the handler supplies.</summary>
public sealed record DispatchStep(
    string DispatchId, string RequestId, string InstitutionId, string InstitutionName, string EnterpriseId, string RegionCode, DateTimeOffset SubmittedAt)
{
    public string? Detail { get; init; }
    public object? Values { get; init; }

    /// <summary>Whether the answer came by its deadline (限时答复).</summary>
    public bool OnTime { get; init; }

    /// <summary>The status the dispatch is moved from, where the transition allows several (an overdue answer or an overdue result).</summary>
    public DispatchStatus? From { get; init; }

    /// <summary>The deadline the step sets: the answer's for a new dispatch, the result's for an accepted one.</summary>
    public DateTimeOffset? Due { get; init; }

    /// <summary>The approved terms of a final result.</summary>
    public ApprovedTerms? Terms { get; init; }

    /// <summary>What an institution's own system is sent with the notification (the webhook payload's data).</summary>
    public object? Data { get; init; }
}

public sealed record ApprovedTerms(decimal Amount, decimal Rate, int TermMonths)
{
    public override string ToString() => $"{Amount:N2} yuan at {Rate:0.###}% for {TermMonths} months";
}

/// <summary>A step the workflow takes after a transition has committed, as a background job.</summary>
public enum NextStep { None, Publish, Dispatch }

/// <summary>
/// One step of a request's life: the states it may leave (none: the step creates the row, and its writer inserts it),
/// the state it enters (none: the status stays), the columns it writes, its timeline entry (none without a Detail),
/// its figures, whom it tells, and the workflow step that follows it.
/// </summary>
public sealed record RequestTransition(
    string Event, RequestStatus[] From, RequestStatus? To, string Set, Func<RequestStep, string?>? Detail,
    Func<UnitOfWork, RequestStep, DateTimeOffset, Task>? Figures, Func<RequestStep, DateTimeOffset, IEnumerable<Notification>> Notify,
    NextStep Next = NextStep.None, string Condition = "")
{
    /// <summary>The conditional update that takes the step: zero rows means the request was not in a state that allows it.</summary>
    public string? Sql { get; } = From.Length == 0 ? null :
        $"UPDATE financing_requests SET {(To is { } to ? $"status = '{EnumText.ToText(to)}', " : "")}{Set}{(Set.Length > 0 ? ", " : "")}updated_at = @Now " +
        $"WHERE id = @Id AND status IN ({string.Join(", ", From.Select(s => $"'{EnumText.ToText(s)}'"))}){Condition}";
}

/// <summary>One step of a dispatch's life, read the same way as <see cref="RequestTransition"/>.</summary>
public sealed record DispatchTransition(
    string Event, DispatchStatus[] From, DispatchStatus To, string Set, Func<DispatchStep, string?>? Detail,
    Func<UnitOfWork, DispatchStep, DateTimeOffset, Task>? Figures, Func<DispatchStep, DateTimeOffset, IEnumerable<Notification>> Notify,
    NextStep Next = NextStep.None)
{
    public string? Sql { get; } = From.Length == 0 ? null :
        $"UPDATE dispatches SET status = '{EnumText.ToText(To)}', {Set}{(Set.Length > 0 ? ", " : "")}updated_at = @Now " +
        $"WHERE id = @Id AND status {(From.Length == 1 ? $"= '{EnumText.ToText(From[0])}'" : "= @From")}";
}

/// <summary>
/// Every transition of a financing request (DESIGN.md: submitted → published → dispatched → resolved | cancelled | expired)
/// and of a dispatch (pending → accepted | declined | overdue | superseded | closed), in one table. Handlers load the
/// facts and name the transition; <see cref="WorkflowSteps"/> does the rest.
/// </summary>
public static class Transitions
{
    private static readonly RequestStatus[] Open = [RequestStatus.Submitted, RequestStatus.Published, RequestStatus.Dispatched];
    private static readonly RequestStatus[] Dispatchable = [RequestStatus.Published, RequestStatus.Dispatched];
    private static readonly DispatchStatus[] Working = [DispatchStatus.Pending, DispatchStatus.Accepted];

    private static IEnumerable<Notification> Nobody<T>(T step, DateTimeOffset now) => [];

    // ------------------------------------------------------------------ the request

    /// <summary>第一时间发布 (seeds/002 task 6): publishing starts as soon as the request is stored.</summary>
    public static readonly RequestTransition Submitted = new("submitted", [], RequestStatus.Submitted, "", step => step.Detail,
        (unit, step, _) => RequestFigures.SubmittedAsync(unit, step.RequestId, step.SubmittedAt.PlatformDay(), step.FirstLoan), Nobody,
        NextStep.Publish);

    /// <summary>
    /// A second open request of the enterprise for the same purpose and about the same amount is held, linked to the first,
    /// until the enterprise says it is a new need (<see cref="NewNeedConfirmed"/>): institutions never see one need twice.
    /// </summary>
    public static readonly RequestTransition SubmittedAsDuplicate = new("submitted", [], RequestStatus.Submitted, "",
        step => step.Detail,
        (unit, step, _) => RequestFigures.SubmittedAsync(unit, step.RequestId, step.SubmittedAt.PlatformDay(), step.FirstLoan),
        (step, _) => [new(Recipient.Enterprise(step.EnterpriseId, step.RegionCode), "held_as_duplicate",
            "该需求与您未完成的需求相似，请确认是否为新的融资需求。This request looks like one you have open: confirm it is a new need to publish it.",
            step.RequestId)]);

    /// <summary>The enterprise says a held request is a new need: it is published like any other.</summary>
    public static readonly RequestTransition NewNeedConfirmed = new("new_need_confirmed", [RequestStatus.Submitted], null, "duplicate_of = NULL",
        _ => "企业确认为新需求 / confirmed as a new need", null, Nobody, NextStep.Publish, Condition: " AND duplicate_of IS NOT NULL");

    /// <summary>The need is on the platform with its ranking stored; 第一时间督导: dispatch follows at once.</summary>
    public static readonly RequestTransition Published = new("published", [RequestStatus.Submitted], RequestStatus.Published, "published_at = @Now",
        step => step.Detail, null,
        (step, _) => [new(Recipient.Enterprise(step.EnterpriseId, step.RegionCode), "published",
            $"您的融资需求已发布，{step.Detail}。Your financing request is published: {step.Detail}.", step.RequestId)],
        NextStep.Dispatch);

    /// <summary>The first dispatches went out (the timeline names each, see <see cref="FirstDispatch"/>).</summary>
    public static readonly RequestTransition Dispatched = new("dispatched", [RequestStatus.Published], RequestStatus.Dispatched, "dispatched_at = @Now",
        null, null, Nobody);

    /// <summary>The ranking is exhausted with nothing open: the request expires, saying why.</summary>
    public static readonly RequestTransition Expired = new("expired", Dispatchable, RequestStatus.Expired, "status_reason = @Detail, resolved_at = @Now",
        step => step.Detail, (unit, step, now) => RequestFigures.ExpiredAsync(unit, step.RequestId, step.SubmittedAt, now),
        (step, _) =>
        [
            new(Recipient.Enterprise(step.EnterpriseId, step.RegionCode), "expired", $"融资需求已失效：{step.Detail}", step.RequestId),
            new(Recipient.Regulators(step.RegionCode), "expired", $"融资需求 {step.RequestId} 已失效：{step.Detail}", step.RequestId),
        ]);

    /// <summary>
    /// 第一时间反馈 (seeds/002 task 6): the first approval resolves the request; its amount is the matchmaking amount
    /// (撮合融资金额) regulators count.
    /// </summary>
    public static readonly RequestTransition Resolved = new("resolved", [RequestStatus.Dispatched], RequestStatus.Resolved,
        "resolved_at = @Now, result_status = 'posted'",
        step => $"融资对接成功 / matched: {step.Detail}",
        (unit, step, now) => RequestFigures.ApprovedAsync(unit, step.RequestId, step.SubmittedAt, now, step.Approval!), Nobody);

    /// <summary>The enterprise confirms the posted result (after a dispute too: the amount then counts again).</summary>
    public static readonly RequestTransition ResultConfirmed = new("result_confirmed", [RequestStatus.Resolved], null, "result_status = 'confirmed'",
        _ => "企业确认结果 / result confirmed", (unit, step, _) => RequestFigures.SettledAsync(unit, step.RequestId), Nobody,
        Condition: " AND result_status IN ('posted', 'disputed')");

    /// <summary>The enterprise disputes the posted result: listed for the regulator and counted apart until settled.</summary>
    public static readonly RequestTransition ResultDisputed = new("result_disputed", [RequestStatus.Resolved], null,
        "result_status = 'disputed', dispute_reason = @Detail, disputed_at = @Now", step => $"企业对结果有异议 / result disputed: {step.Detail}",
        (unit, step, _) => RequestFigures.DisputedAsync(unit, step.RequestId),
        (step, _) => [new(Recipient.Regulators(step.RegionCode), "result_disputed", $"企业对撮合结果有异议（{step.Detail}）。", step.RequestId)],
        Condition: " AND result_status = 'posted'");

    /// <summary>
    /// The approving institution corrected its result (<see cref="ResultCorrectedByInstitution"/> tells): the figures follow
    /// the corrected terms, and the result awaits the enterprise's word again.
    /// </summary>
    public static readonly RequestTransition ResultCorrected = new("result_corrected", [RequestStatus.Resolved], null,
        "result_status = 'posted', dispute_reason = NULL, disputed_at = NULL", null,
        (unit, step, _) => RequestFigures.CorrectedAsync(unit, step.RequestId, step.Approval!.Amount, step.Approval.Rate), Nobody);

    /// <summary>An enterprise on the blacklist: its open requests end, saying why, and nothing new reaches institutions.</summary>
    public static readonly RequestTransition Blacklisted = new("blacklisted", Open, RequestStatus.Expired, "status_reason = @Detail, resolved_at = @Now",
        step => step.Detail, (unit, step, now) => RequestFigures.ExpiredAsync(unit, step.RequestId, step.SubmittedAt, now),
        (step, _) => [new(Recipient.Regulators(step.RegionCode), "expired", $"融资需求 {step.RequestId} 已终止：{step.Detail}", step.RequestId)]);

    /// <summary>The enterprise withdraws its need while it is open; the institutions still working on it are told by <see cref="ClosedByCancel"/>.</summary>
    public static readonly RequestTransition Cancelled = new("cancelled", Open, RequestStatus.Cancelled, "status_reason = @Detail", step => step.Detail,
        null, Nobody);

    /// <summary>The enterprise rates the service once, when its request is settled (贷款满意度, seeds/001).</summary>
    public static readonly RequestTransition Rated = new("rated", [RequestStatus.Resolved, RequestStatus.Expired], null,
        "rating = @Score, rating_comment = @Comment, rated_at = @Now", step => step.Detail, null, Nobody, Condition: " AND rating IS NULL");

    // ------------------------------------------------------------------ a dispatch

    /// <summary>
    /// A dispatch to one institution, with its answer deadline (贷款申请限时答复制, seeds/002 task 10); Detail names the
    /// product. The dispatcher inserts the row.
    /// </summary>
    private static DispatchTransition Opening(string @event) => new(@event, [], DispatchStatus.Pending, "",
        step => $"{step.InstitutionName} · {step.Detail}, answer due {step.Due!.Value.PlatformText()} / 答复期限 {step.Due!.Value.PlatformText()}", null,
        (step, _) => [new(Recipient.Institution(step.InstitutionId, step.RegionCode), "dispatched",
            $"新的融资需求派单（{step.Detail}），请于 {step.Due!.Value.PlatformText()} 前答复。A financing request was dispatched to you; answer by {step.Due!.Value.PlatformText()}.",
            step.RequestId, step.Data)]);

    /// <summary>The first round of dispatches of a published request.</summary>
    public static readonly DispatchTransition FirstDispatch = Opening("dispatched");

    /// <summary>A dispatch after a decline, a rejection or an escalation, to the next institution in the ranking.</summary>
    public static readonly DispatchTransition Redispatch = Opening("redispatched");

    /// <summary>The institution takes the request on; its result is then due.</summary>
    public static readonly DispatchTransition Accepted = new("accepted", [DispatchStatus.Pending], DispatchStatus.Accepted,
        "answered_at = @Now, answered_on_time = @OnTime, feedback_due_at = @Due",
        step => $"{step.InstitutionName} accepted; result due {step.Due!.Value.PlatformText()} / 已受理，反馈期限 {step.Due!.Value.PlatformText()}",
        (unit, step, now) => RequestFigures.AnsweredAsync(unit, step.RequestId, step.SubmittedAt, now, accepted: true, step.OnTime),
        (step, _) => [new(Recipient.Enterprise(step.EnterpriseId, step.RegionCode), "accepted",
            $"{step.InstitutionName} 已受理您的融资需求，将于 {step.Due!.Value.PlatformText()} 前反馈结果。{step.InstitutionName} accepted your request.", step.RequestId)]);

    /// <summary>The institution declines, saying why (a reason from the list and its words); the request goes on to the next institution in the ranking.</summary>
    public static readonly DispatchTransition Declined = new("declined", [DispatchStatus.Pending], DispatchStatus.Declined,
        "answered_at = @Now, answered_on_time = @OnTime, decline_reason = @Reason, decline_reason_code = @ReasonCode", step => $"{step.InstitutionName}: {step.Detail}",
        (unit, step, now) => RequestFigures.AnsweredAsync(unit, step.RequestId, step.SubmittedAt, now, accepted: false, step.OnTime),
        (step, _) => [new(Recipient.Enterprise(step.EnterpriseId, step.RegionCode), "declined",
            $"{step.InstitutionName} 未受理：{step.Detail}。平台将转派下一家机构。", step.RequestId)],
        NextStep.Dispatch);

    /// <summary>
    /// 督导: the answer or the result is overdue. The dispatch is listed for the regulator, both are told, and the request
    /// is re-dispatched. Only an overdue answer counts as an answer owed and not given in time.
    /// </summary>
    public static readonly DispatchTransition Overdue = new("overdue", Working, DispatchStatus.Overdue, "overdue_at = @Now",
        step => step.From == DispatchStatus.Pending
            ? $"{step.InstitutionName}: answer / 答复 deadline passed, escalated / 超时未答复，已督导"
            : $"{step.InstitutionName}: feedback / 反馈 deadline passed, escalated / 超时未反馈，已督导",
        (unit, step, _) => step.From == DispatchStatus.Pending ? RequestFigures.UnansweredAsync(unit, step.RequestId) : Task.CompletedTask,
        (step, _) =>
        {
            var stage = step.From == DispatchStatus.Pending ? "answer / 答复" : "feedback / 反馈";
            var missed = step.From == DispatchStatus.Pending ? "答复" : "反馈";
            return
            [
                new(Recipient.Institution(step.InstitutionId, step.RegionCode), "overdue",
                    $"派单已超时（{stage}），已上报监管并转派。The dispatch is overdue ({stage}); it was escalated and re-dispatched.", step.RequestId),
                new(Recipient.Regulators(step.RegionCode), "overdue", $"{step.InstitutionName} 超时未{missed}（派单 {step.DispatchId}）。", step.RequestId),
            ];
        },
        NextStep.Dispatch);

    private const string FeedbackColumns = """
        outcome = @Outcome, approved_amount = @Amount, approved_rate = @Rate, approved_term_months = @TermMonths, reject_reason = @Reason,
        reject_reason_code = @ReasonCode, feedback_at = @Now
        """;

    /// <summary>The institution's final result is an approval; the request is resolved by <see cref="Resolved"/>.</summary>
    public static readonly DispatchTransition Approved = new("approved", [DispatchStatus.Accepted], DispatchStatus.Closed, FeedbackColumns,
        step => $"{step.InstitutionName}: {step.Terms}", null,
        (step, _) =>
        [
            new(Recipient.Enterprise(step.EnterpriseId, step.RegionCode), "approved",
                $"{step.InstitutionName} 已批准：{step.Terms!.Amount:N2} 元，年利率 {step.Terms.Rate}%，期限 {step.Terms.TermMonths} 个月。", step.RequestId),
            new(Recipient.Regulators(step.RegionCode), "approved", $"撮合成功：{step.InstitutionName} 批准 {step.Terms.Amount:N2} 元。", step.RequestId),
        ]);

    /// <summary>A final result without an approval (rejected, or withdrawn by the institution): the request goes on to the next institution.</summary>
    private static DispatchTransition NotApproved(string @event) => new(@event, [DispatchStatus.Accepted], DispatchStatus.Closed, FeedbackColumns,
        step => $"{step.InstitutionName}: {step.Detail}", null,
        (step, _) => [new(Recipient.Enterprise(step.EnterpriseId, step.RegionCode), "rejected",
            $"{step.InstitutionName} 反馈：未获批准（{step.Detail}）。平台将转派下一家机构。", step.RequestId)],
        NextStep.Dispatch);

    public static readonly DispatchTransition Rejected = NotApproved("rejected");

    public static readonly DispatchTransition Withdrawn = NotApproved("withdrawn");

    /// <summary>Another institution's approval resolved the request: the dispatches still open are closed as superseded.</summary>
    public static readonly DispatchTransition Superseded = new("superseded", Working, DispatchStatus.Superseded, "", null, null,
        (step, _) => [new(Recipient.Institution(step.InstitutionId, step.RegionCode), "superseded",
            "该融资需求已由其他机构批准，派单关闭。Another institution approved this request; your dispatch is closed.", step.RequestId)]);

    /// <summary>A correction of a posted approval: who, when, old → new terms and why, for the enterprise and the regulator.</summary>
    public static readonly DispatchTransition ResultCorrectedByInstitution = new("result_corrected", [DispatchStatus.Closed], DispatchStatus.Closed,
        "approved_amount = @Amount, approved_rate = @Rate, approved_term_months = @TermMonths", step => $"{step.InstitutionName}: {step.Detail}", null,
        (step, _) =>
        [
            new(Recipient.Enterprise(step.EnterpriseId, step.RegionCode), "result_corrected", $"{step.InstitutionName} 更正了审批结果：{step.Detail}", step.RequestId),
            new(Recipient.Regulators(step.RegionCode), "result_corrected", $"{step.InstitutionName} 更正了审批结果：{step.Detail}", step.RequestId),
        ]);

    /// <summary>The enterprise was put on the blacklist: its dispatches still open are closed, saying why.</summary>
    public static readonly DispatchTransition ClosedByBlacklist = new("closed_blacklisted", Working, DispatchStatus.Closed, "", null, null,
        (step, _) => [new(Recipient.Institution(step.InstitutionId, step.RegionCode), "closed",
            $"该企业已列入名单，派单关闭：{step.Detail}。The enterprise was blacklisted; the dispatch is closed.", step.RequestId)]);

    /// <summary>An admin deactivated the institution: its open dispatches close and each request goes on to the next institution.</summary>
    public static readonly DispatchTransition ClosedByDeactivation = new("institution_deactivated", Working, DispatchStatus.Closed, "",
        step => $"{step.InstitutionName}: {step.Detail}", null, Nobody, NextStep.Dispatch);

    /// <summary>The enterprise cancelled: the dispatches still open are closed and their institutions told.</summary>
    public static readonly DispatchTransition ClosedByCancel = new("cancelled", Working, DispatchStatus.Closed, "", null, null,
        (step, _) => [new(Recipient.Institution(step.InstitutionId, step.RegionCode), "cancelled",
            "企业已撤回该融资需求。The enterprise withdrew this financing request.", step.RequestId)]);

    public static IEnumerable<RequestTransition> OfRequests =>
    [
        Submitted, SubmittedAsDuplicate, NewNeedConfirmed, Published, Dispatched, Expired, Resolved, ResultConfirmed, ResultDisputed, ResultCorrected,
        Blacklisted, Cancelled, Rated,
    ];

    public static IEnumerable<DispatchTransition> OfDispatches =>
    [
        FirstDispatch, Redispatch, Accepted, Declined, Overdue, Approved, Rejected, Withdrawn, ResultCorrectedByInstitution, Superseded,
        ClosedByBlacklist, ClosedByDeactivation, ClosedByCancel,
    ];
}
