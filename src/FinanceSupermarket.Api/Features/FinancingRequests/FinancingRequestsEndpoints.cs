namespace FinanceSupermarket.Api.Features.FinancingRequests;

public static class FinancingRequestsEndpoints
{
    public static void MapFinancingRequests(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/financing-requests").WithTags("Financing requests");
        SubmitRequest.Map(group);
        PreviewMatches.Map(group);
        GetRequest.Map(group);
        ListRequests.Map(group);
        CancelRequest.Map(group);
        GetMatches.Map(group);
        RateService.Map(group);
        ConfirmResult.Map(group);
        DisputeResult.Map(group);
        ConfirmNewNeed.Map(group);
        PreviewPanel.Map(app);
    }
}
