using FinanceSupermarket.Api.Infrastructure.Auth;

namespace FinanceSupermarket.Api.Features.Statistics;

public static class StatisticsEndpoints
{
    public static void MapStatistics(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/statistics").WithTags("Statistics").RequireAuthorization(AuthModule.Policies.Regulator);
        ListOverdue.Map(group);
    }
}
