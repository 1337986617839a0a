using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>The owning institution takes a product off the shelves: it is matched no more.</summary>
public sealed record DelistProduct(string Id) : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<DelistProduct>
    {
        private const string StatusSql = "SELECT status FROM products WHERE id = @Id AND institution_id = @InstitutionId";
        private const string DelistSql = "UPDATE products SET status = @Delisted, updated_at = @Now WHERE id = @Id AND status = @Listed";

        public async ValueTask<Unit> Handle(DelistProduct command, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            var status = await unit.QuerySingleOrDefaultAsync<string>(StatusSql, new { command.Id, InstitutionId = institutionId })
                         ?? throw new NotFoundException("The product");
            var delisted = await unit.ExecuteAsync(DelistSql, new
            {
                command.Id, Delisted = EnumText.ToText(ProductStatus.Delisted), Listed = EnumText.ToText(ProductStatus.Listed), Now = clock.GetUtcNow(),
            });
            if (delisted == 0) throw new ConflictException(RuleTexts.Say("ProductNotListed", status));
            await ProductStore.StampCatalogVersionAsync(unit, command.Id);
            unit.Record(clock.GetUtcNow(), "product", command.Id, "delisted");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/delist", async (string id, HttpResponse response, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new DelistProduct(id), ct);
                var delisted = await mediator.Send(new GetProduct(id), ct);
                return response.OkWithETag(delisted, delisted.Version);
            })
            .RequireAuthorization(AuthModule.Policies.Institution)
            .WithEntityTag()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("The owning institution takes a product off the shelves: it is matched no more. The answer carries the product's new ETag.")
            .WithSummary("Take a product off the shelves (owning institution)");
}
