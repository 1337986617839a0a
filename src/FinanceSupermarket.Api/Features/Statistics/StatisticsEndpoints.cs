using FinanceSupermarket.Api.Infrastructure.Auth;

namespace FinanceSupermarket.Api.Features.Statistics;

public static class StatisticsEndpoints
{
    public static void MapStatistics(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/statistics").WithTags("Statistics").RequireAuthorization(AuthModule.Policies.Regulator);
        ListOverdue.Map(group);
        ExportOverdue.Map(group);
        ListDisputes.Map(group);
        GetSummary.Map(group);
        GetBreakdown.Map(group);
        ExportStatistics.Map(group);
        // Targets are set by admins, so those routes carry their own policy.
        var targets = app.MapGroup("/api/v1/statistics").WithTags("Statistics");
        SetTarget.Map(targets);
        ListTargets.Map(targets);
        // The portal cockpit's export buttons: the same files, for a browser's session.
        CockpitDownloads.Map(app);
    }
}
