namespace FinanceSupermarket.Api.Features.Enterprises;

public static class EnterprisesEndpoints
{
    public static void MapEnterprises(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/enterprises").WithTags("Enterprises");
        RegisterEnterprise.Map(group);
        GetEnterprise.Map(group);
    }
}
