using Dapper;
using FinanceSupermarket.Api.Features.Matching;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>The owning institution takes a product off the shelves: it is matched no more.</summary>
public sealed record DelistProduct(string Id) : Mediator.ICommand<ProductView>
{
    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock, MatchingIndex matching, IMediator mediator) : ICommandHandler<DelistProduct, ProductView>
    {
        private const string StatusSql = "SELECT status FROM products WHERE id = @Id AND institution_id = @InstitutionId";
        private const string DelistSql = "UPDATE products SET status = @Delisted, updated_at = @Now WHERE id = @Id AND status = @Listed";

        public async ValueTask<ProductView> Handle(DelistProduct command, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            await db.InTransactionAsync(async (connection, transaction) =>
            {
                var status = await connection.QuerySingleOrDefaultAsync<string>(StatusSql, new { command.Id, InstitutionId = institutionId }, transaction)
                             ?? throw new NotFoundException("The product");
                var delisted = await connection.ExecuteAsync(DelistSql, new
                {
                    command.Id, Delisted = EnumText.ToText(ProductStatus.Delisted), Listed = EnumText.ToText(ProductStatus.Listed), Now = clock.GetUtcNow(),
                }, transaction);
                if (delisted == 0) throw new ConflictException($"The product is already {status}.");
                await ProductStore.StampCatalogVersionAsync(connection, transaction, command.Id);
                return delisted;
            }, cancellationToken);
            await matching.RefreshAsync(cancellationToken);
            return await mediator.Send(new GetProduct(command.Id), cancellationToken);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/delist", async (string id, IMediator mediator, CancellationToken ct) => Results.Ok(await mediator.Send(new DelistProduct(id), ct)))
            .RequireAuthorization(AuthModule.Policies.Institution)
            .WithSummary("Take a product off the shelves (owning institution)");
}
