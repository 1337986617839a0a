using FinanceSupermarket.Api.Features.Products;
using Mediator;

namespace FinanceSupermarket.Api.Features.Matching;

/// <summary>A product write on this node reaches its index as soon as it is committed (other nodes follow the catalog version).</summary>
public sealed class RefreshOnCatalogChange(MatchingIndex index) : INotificationHandler<CatalogChanged>
{
    public async ValueTask Handle(CatalogChanged notification, CancellationToken cancellationToken) => await index.RefreshAsync(cancellationToken);
}
