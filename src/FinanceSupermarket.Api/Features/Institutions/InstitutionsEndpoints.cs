namespace FinanceSupermarket.Api.Features.Institutions;

public static class InstitutionsEndpoints
{
    public static void MapInstitutions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/institutions").WithTags("Institutions");
        RegisterInstitution.Map(group);
        GetInstitution.Map(group);
        ListInstitutions.Map(group);
        ChangeInstitution.Map(group);
        DeactivateInstitution.Map(group);
        GetWebhook.Map(group);
        SetWebhook.Map(group);
        RotateWebhookSecret.Map(group);
        RemoveWebhook.Map(group);
        SendTestWebhook.Map(group);
        GetWebhookDelivery.Map(group);
        ListWebhookDeliveries.Map(group);
        GetInstitutionFigures.Map(group);
        Products.ListInstitutionProducts.Map(group);
    }
}
