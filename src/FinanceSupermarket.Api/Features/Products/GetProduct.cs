using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>A listed product is public; a delisted one is visible to its institution and admins only.</summary>
public sealed record GetProduct(string Id) : IQuery<ProductView>
{
    public sealed class Handler(Db db, CurrentUser user, ReferenceData codes) : IQueryHandler<GetProduct, ProductView>
    {
        private const string ByIdSql = ProductRow.SelectSql + " WHERE p.id = @Id";

        public async ValueTask<ProductView> Handle(GetProduct query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<ProductRow>(ByIdSql, new { query.Id });
            var visible = row is not null && (row.Status == EnumText.ToText(ProductStatus.Listed) || user.Is(Role.Admin)
                                              || user.Is(Role.Institution) && user.InstitutionId == row.InstitutionId);
            return visible ? row!.ToView().Named(codes) : throw new NotFoundException("The product");
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}", async (string id, HttpResponse response, IMediator mediator, CancellationToken ct) =>
            {
                var product = await mediator.Send(new GetProduct(id), ct);
                return response.OkWithETag(product, product.Version);
            })
            .WithEntityTag()
            .WithDescription("One product as the shelves show it, with its institution, regions and industries by name. Its ETag is what a change names in If-Match.")
            .WithSummary("One product");
}
