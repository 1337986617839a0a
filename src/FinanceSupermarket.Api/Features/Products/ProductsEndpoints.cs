namespace FinanceSupermarket.Api.Features.Products;

public static class ProductsEndpoints
{
    public static void MapProducts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/products").WithTags("Products");
        BrowseProducts.Map(group);
        GetProduct.Map(group);
        ListProduct.Map(group);
        ChangeProduct.Map(group);
        DelistProduct.Map(group);
        PreviewProductTerms.Map(group);
    }
}
