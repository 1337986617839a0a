using FinanceSupermarket.Api.Infrastructure.UnitOfWork;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>The request's timeline: every step the enterprise, its institutions and the regulator see, in order.</summary>
public static class RequestTimeline
{
    private const string AppendSql = """
        INSERT INTO request_events (request_id, at, event, detail, institution_id, actor_id, actor_name, actor_organisation)
        VALUES (@RequestId, @At, @Event, @Detail, @InstitutionId, @ActorId, @ActorName, @ActorOrganisation)
        """;

    /// <summary>
    /// Adds a step taken by the unit's actor (none for the platform's own steps); one that concerns a single institution
    /// names it, so that other institutions do not see it.
    /// </summary>
    public static void Append(UnitOfWork unit, string requestId, DateTimeOffset at, string @event, string? detail = null, string? institutionId = null)
    {
        unit.WriteLater(AppendSql, requestId, at, @event, detail, institutionId, unit.Actor?.Id, unit.Actor?.Name, unit.Actor?.Organisation);
        unit.AddToAuditTrail(AuditTrail.Entry(at, AuditTrail.Timeline, "financing_request", requestId, @event,
            [("detail", detail), ("institutionId", institutionId), .. AuditTrail.ActorFacts(unit.Actor)]));
    }
}
