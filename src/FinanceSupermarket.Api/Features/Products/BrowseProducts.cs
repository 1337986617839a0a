using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>
/// The public shelves (金融超市): listed products, filtered by kind, region served, institution, name, an amount (yuan) and a
/// term (months) within the product's ranges, a guarantee mode it accepts and a policy support it carries; paged, cheapest
/// floor rate first (then by id).
/// </summary>
public sealed record BrowseProducts(
    string? Kind, string? Region, string? InstitutionId, string? Q, decimal? Amount, int? TermMonths, string? GuaranteeMode,
    string? PolicySupport, int? Page, int? PageSize) : IQuery<Paged<ProductView>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<BrowseProducts>
    {
        public Validator(ReferenceData codes)
        {
            RuleFor(x => x.Kind).Must(kind => kind is null || EnumText.TryParse<ProductKind>(kind, out _))
                .WithMessage($"Must be one of {string.Join(", ", EnumText.AllTexts<ProductKind>())}.");
            RuleFor(x => x.Region!).RegionPrefix(codes).When(x => x.Region is not null);
            RuleFor(x => x.InstitutionId).Text(36);
            RuleFor(x => x.Q).Text(100);
            RuleFor(x => x.Amount!.Value).Money().OverridePropertyName(nameof(Amount)).When(x => x.Amount is not null);
            RuleFor(x => x.TermMonths!.Value).TermMonths().OverridePropertyName(nameof(TermMonths)).When(x => x.TermMonths is not null);
            RuleFor(x => x.GuaranteeMode).Must(mode => mode is null || EnumText.TryParse<GuaranteeMode>(mode, out _))
                .WithMessage($"Must be one of {string.Join(", ", EnumText.AllTexts<GuaranteeMode>())}.");
            RuleFor(x => x.PolicySupport).Must(support => support is null || EnumText.TryParse<PolicySupport>(support, out _))
                .WithMessage($"Must be one of {string.Join(", ", EnumText.AllTexts<PolicySupport>())}.");
            this.AddPagingRules();
        }
    }

    /// <summary>
    /// Served from memory (<see cref="ShelfCatalogue"/>): the same products, total and order as the shelves' SQL gave
    /// (ShelvesTests compare them), at thousands of requests a second instead of a COUNT(*) and a sorted page per request.
    /// </summary>
    public sealed class Handler(ShelfCatalogue shelves) : IQueryHandler<BrowseProducts, Paged<ProductView>>
    {
        public ValueTask<Paged<ProductView>> Handle(BrowseProducts query, CancellationToken cancellationToken) =>
            ValueTask.FromResult(shelves.Browse(query));
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async ([AsParameters] BrowseProducts query, IMediator mediator, CancellationToken ct) =>
                // What people type in a search box often ends in a space: that is no reason to refuse the search.
                new ShelfPage(await mediator.Send(query with { Q = query.Q?.Trim() }, ct)))
            .WithDescription("The listed products, filtered by kind, region, institution, a search text, an amount (yuan) and term within the product's ranges, a guarantee mode it accepts or a policy support it carries; paged.")
            .WithSummary("The public shelves: listed products, filtered and paged");
}
