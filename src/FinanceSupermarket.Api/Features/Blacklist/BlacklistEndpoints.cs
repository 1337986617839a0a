using FinanceSupermarket.Api.Infrastructure.Auth;

namespace FinanceSupermarket.Api.Features.Blacklist;

public static class BlacklistEndpoints
{
    public static void MapBlacklist(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin/blacklist").WithTags("Administration").RequireAuthorization(AuthModule.Policies.Admin);
        ListBlacklist.Map(group);
        AddToBlacklist.Map(group);
        RemoveFromBlacklist.Map(group);
    }
}
