using FinanceSupermarket.Api.Infrastructure.Auth;

namespace FinanceSupermarket.Api.Features.Dispatches;

public static class DispatchesEndpoints
{
    public static void MapDispatches(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/dispatches").WithTags("Dispatches").RequireAuthorization(AuthModule.Policies.Institution);
        ListInbox.Map(group);
        GetDispatch.Map(group);
        AcceptDispatch.Map(group);
        DeclineDispatch.Map(group);
        GiveFeedback.Map(group);
        CorrectResult.Map(group);
    }
}
