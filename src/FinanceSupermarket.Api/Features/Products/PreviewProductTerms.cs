using Dapper;
using FinanceSupermarket.Api.Features.Matching;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FinanceSupermarket.Matching;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>
/// Before listing or changing a product: how many of the platform's open needs (submitted, published or dispatched, not yet
/// resolved) the terms would match, by the same engine and rules as the shelves' matching, and — for a change — how many the
/// product as listed matches now. Nothing is stored; needs already dispatched keep the ranking they were published with.
/// </summary>
public sealed record PreviewProductTerms(string? ProductId, ProductTerms Body) : IQuery<PreviewProductTerms.View>
{
    /// <param name="OpenNeeds">The open needs in the regions the institution serves (everywhere when it names none).</param>
    /// <param name="Matching">Those the terms would match.</param>
    /// <param name="MatchingNow">Those the product matches as it is listed now; null for a new product or a delisted one.</param>
    public sealed record View(int OpenNeeds, int Matching, int? MatchingNow);

    public sealed class Validator : AbstractValidator<PreviewProductTerms>
    {
        // No "body." prefix: the terms' fields are the top-level fields of the JSON the client sent.
        public Validator(ReferenceData codes)
        {
            RuleFor(x => x.Body).SetValidator(new ProductTerms.Validator(codes)).OverridePropertyName(string.Empty);
            RuleFor(x => x.ProductId).MaximumLength(36);
        }
    }

    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock) : IQueryHandler<PreviewProductTerms, View>
    {
        private const string InstitutionSql = "SELECT region_codes FROM institutions WHERE id = @InstitutionId";
        private const string ProductSql = ProductRow.SelectSql + " WHERE p.id = @Id AND p.institution_id = @InstitutionId";

        public async ValueTask<View> Handle(PreviewProductTerms query, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            await using var connection = await db.OpenAsync(cancellationToken);
            var served = ProductRow.SplitCodes(await connection.QuerySingleAsync<string>(InstitutionSql, new { InstitutionId = institutionId }));
            ProductIndex? now = null;
            if (query.ProductId is { } id)
            {
                var product = await connection.QuerySingleOrDefaultAsync<ProductRow>(ProductSql, new { Id = id, InstitutionId = institutionId })
                              ?? throw new NotFoundException("The product");
                now = product.Status == EnumText.ToText(ProductStatus.Listed) ? ProductIndex.Build([MatchingIndex.ToListing(product)]) : null;
            }
            var proposed = ProductIndex.Build([Listing(query.ProductId ?? "preview", institutionId, query.Body, served)]);

            var today = clock.PlatformToday();
            int open = 0, matching = 0, matchingNow = 0;
            foreach (var need in await connection.QueryAsync<MatchSubject>(MatchSubject.OpenSql))
            {
                if (served.Count > 0 && !served.Any(prefix => need.RegionCode.StartsWith(Codes.NormaliseRegionPrefix(prefix), StringComparison.Ordinal))) continue;
                open++;
                var question = need.ToQuery(today, 1, includeNearMisses: false);
                if (proposed.Match(question).Matches.Count > 0) matching++;
                if (now?.Match(question).Matches.Count > 0) matchingNow++;
            }
            return new View(open, matching, now is null ? null : matchingNow);
        }

        private static ProductListing Listing(string id, string institutionId, ProductTerms terms, IReadOnlyList<string> served) => new(
            id, institutionId, terms.Name, terms.Kind!.Value, terms.MinAmount, terms.MaxAmount, terms.MinTermMonths, terms.MaxTermMonths,
            terms.MinRate, terms.MaxRate, terms.GuaranteeModes, terms.RegionCodes ?? [], terms.IndustryCodes ?? [], terms.EnterpriseSizes ?? [],
            terms.RequiredTags ?? [], terms.MinYearsInBusiness, terms.MinTaxCreditLevel, terms.FirstLoanFriendly!.Value, terms.PolicySupport ?? [],
            terms.ApprovalDays, ProductStatus.Listed, served);
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/preview", async (string? productId, ProductTerms body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new PreviewProductTerms(productId, body), ct)))
            .RequireAuthorization(AuthModule.Policies.Institution)
            .WithName("previewProductTerms")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("How many open needs these product terms would match (?productId= compares with the product as listed); nothing is stored")
            .WithDescription("The caller's institution tries terms before listing a product or changing one: the open needs in the regions it serves, how many the terms would match, and for `productId` how many the product matches now. The same engine and rules as matching; nothing is stored.");
}
