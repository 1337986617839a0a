using Dapper;
using FinanceSupermarket.Api.Features.Institutions;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain.Reference;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>
/// An institution's own products, listed and delisted, for the institution itself (and admins): the shelves show only the
/// listed ones. Listed first, then by name.
/// </summary>
public sealed record ListInstitutionProducts(string InstitutionId) : IQuery<IReadOnlyList<ProductView>>
{
    public sealed class Handler(Db db, CurrentUser user, ReferenceData codes) : IQueryHandler<ListInstitutionProducts, IReadOnlyList<ProductView>>
    {
        private const string OwnSql = ProductRow.SelectSql + " WHERE p.institution_id = @InstitutionId ORDER BY p.status DESC, p.name, p.id";

        public async ValueTask<IReadOnlyList<ProductView>> Handle(ListInstitutionProducts query, CancellationToken cancellationToken)
        {
            user.RequireOwnOrAdmin(query.InstitutionId);
            await using var connection = await db.OpenAsync(cancellationToken);
            return (await connection.QueryAsync<ProductRow>(OwnSql, new { query.InstitutionId })).Select(row => row.ToView().Named(codes)).ToArray();
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}/products", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListInstitutionProducts(id), ct)))
            .ForTheInstitutionOrAdmins()
            .WithName("listInstitutionProducts")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The institution's own products, listed and delisted (the institution, admins)")
            .WithDescription("Every product of the institution with its status, listed first: what its own systems reconcile against. Another institution's list is a 404.");
}
