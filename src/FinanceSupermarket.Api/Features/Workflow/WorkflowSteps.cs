using Dapper;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>A workflow step of a request is due once the transition before it has committed.</summary>
public sealed record WorkflowStepDue(string RequestId, NextStep Step) : Mediator.INotification;

/// <summary>A step of a request was taken and committed (the platform's metrics count it).</summary>
public sealed record RequestStepTaken(RequestTransition Transition, RequestStep Step, DateTimeOffset At) : Mediator.INotification;

/// <summary>A step of a dispatch was taken and committed (the platform's metrics count it).</summary>
public sealed record DispatchStepTaken(DispatchTransition Transition, DispatchStep Step, DateTimeOffset At) : Mediator.INotification;

/// <summary>
/// Takes a transition of <see cref="Transitions"/> inside the command's unit of work: the conditional update, the
/// timeline entry, the figures, the notifications, and the next step raised for after commit. The one place where a
/// request or a dispatch changes state.
/// </summary>
public sealed class WorkflowSteps(UnitOfWork unit, Notifier notifier)
{
    private const string OpenDispatchesSql = """
        SELECT d.id, d.institution_id AS InstitutionId, i.name AS InstitutionName, d.status
        FROM dispatches d JOIN institutions i ON i.id = d.institution_id
        WHERE d.request_id = @RequestId AND d.status IN ('pending', 'accepted')
        """;

    /// <summary>False, with nothing written, when the request is not in a state the transition leaves.</summary>
    public async Task<bool> TryMoveAsync(RequestTransition transition, RequestStep step, DateTimeOffset now)
    {
        if (transition.Sql is { } sql && await unit.ExecuteAsync(sql, Parameters(step.Values, step.RequestId, step.Detail, now)) == 0) return false;
        if (transition.Detail is { } detail) RequestTimeline.Append(unit, step.RequestId, now, transition.Event, detail(step));
        if (transition.Figures is { } figures) await figures(unit, step, now);
        await notifier.NotifyAsync(now, transition.Notify(step, now));
        Follow(step.RequestId, transition.Next);
        unit.Raise(new RequestStepTaken(transition, step, now));
        return true;
    }

    /// <summary>False, with nothing written, when the dispatch is not in a state the transition leaves.</summary>
    public async Task<bool> TryMoveAsync(DispatchTransition transition, DispatchStep step, DateTimeOffset now)
    {
        if (transition.Sql is { } sql)
        {
            var parameters = Parameters(step.Values, step.DispatchId, step.Detail, now);
            parameters.Add("OnTime", step.OnTime);
            parameters.Add("Due", step.Due);
            if (step.From is { } from) parameters.Add("From", EnumText.ToText(from));
            if (await unit.ExecuteAsync(sql, parameters) == 0) return false;
        }
        // A step about one dispatch names its institution, so that the request's other institutions do not see it.
        if (transition.Detail is { } detail)
            RequestTimeline.Append(unit, step.RequestId, now, transition.Event, detail(step), step.InstitutionId);
        if (transition.Figures is { } figures) await figures(unit, step, now);
        await notifier.NotifyAsync(now, transition.Notify(step, now));
        Follow(step.RequestId, transition.Next);
        unit.Raise(new DispatchStepTaken(transition, step, now));
        return true;
    }

    /// <summary>Moves every dispatch of the request still pending or accepted, but <paramref name="except"/>, by the transition.</summary>
    public async Task MoveOpenDispatchesAsync(DispatchTransition transition, RequestStep request, string? except, DateTimeOffset now)
    {
        foreach (var open in await unit.QueryAsync<OpenDispatch>(OpenDispatchesSql, new { request.RequestId }))
            if (open.Id != except)
                await TryMoveAsync(transition, new DispatchStep(open.Id, request.RequestId, open.InstitutionId, open.InstitutionName,
                    request.EnterpriseId, request.RegionCode, request.SubmittedAt) { From = EnumText.Parse<DispatchStatus>(open.Status) }, now);
    }

    private void Follow(string requestId, NextStep next)
    {
        if (next != NextStep.None) unit.Raise(new WorkflowStepDue(requestId, next));
    }

    private static DynamicParameters Parameters(object? values, string id, string? detail, DateTimeOffset now)
    {
        var parameters = new DynamicParameters();
        parameters.AddDynamicParams(values);
        parameters.Add("Id", id);
        parameters.Add("Detail", detail);
        parameters.Add("Now", now);
        return parameters;
    }

    private sealed class OpenDispatch
    {
        public string Id { get; set; } = "";
        public string InstitutionId { get; set; } = "";
        public string InstitutionName { get; set; } = "";
        public string Status { get; set; } = "";
    }
}
