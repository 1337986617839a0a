using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;
using FluentValidation;
using FluentValidation.Results;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>The catalogue of listed products changed (a product listed, changed or delisted) and is committed.</summary>
public sealed record CatalogChanged : Mediator.INotification
{
    public static readonly CatalogChanged Instance = new();
}

/// <summary>
/// The writes that listing and changing a product share — the row's terms, its offered regions, the catalog version —
/// and that changing an institution's regions repeats for its listed products.
/// </summary>
internal static class ProductStore
{
    private const string InstitutionRegionsSql = "SELECT region_codes FROM institutions WHERE id = @InstitutionId AND deactivated_at IS NULL";
    private const string DeleteRegionsSql = "DELETE FROM product_regions WHERE product_id = @ProductId";
    private const string InsertRegionSql = "INSERT INTO product_regions (product_id, region_prefix) VALUES (@ProductId, @RegionPrefix)";
    private const string BumpCatalogVersionSql = "UPDATE catalog_version SET version = version + 1 WHERE id = 1";
    private const string StampProductSql = """
        UPDATE products SET catalog_version = (SELECT version FROM catalog_version WHERE id = 1), row_version = row_version + 1 WHERE id = @ProductId
        """;

    /// <summary>The terms as column parameters (lists joined as comma-separated words).</summary>
    public static object Columns(string id, string institutionId, ProductTerms terms, ProductStatus status, DateTimeOffset now) => new
    {
        Id = id, InstitutionId = institutionId, terms.Name, Kind = EnumText.ToText(terms.Kind!.Value), terms.MinAmount, terms.MaxAmount,
        terms.MinTermMonths, terms.MaxTermMonths, terms.MinRate, terms.MaxRate, GuaranteeModes = EnumText.Join(terms.GuaranteeModes),
        RegionCodes = string.Join(',', terms.RegionCodes ?? []), IndustryCodes = string.Join(',', terms.IndustryCodes ?? []),
        EnterpriseSizes = EnumText.Join(terms.EnterpriseSizes ?? []), RequiredTags = EnumText.Join(terms.RequiredTags ?? []),
        terms.MinYearsInBusiness, MinTaxCreditLevel = terms.MinTaxCreditLevel is { } level ? EnumText.ToText(level) : null,
        FirstLoanFriendly = terms.FirstLoanFriendly!.Value, PolicySupport = EnumText.Join(terms.PolicySupport ?? []),
        terms.ApprovalDays, terms.Description, Status = EnumText.ToText(status), Now = now,
    };

    /// <summary>
    /// Records where the product is offered: its own region prefixes, each inside a region its institution serves,
    /// or all the institution's regions when it names none.
    /// </summary>
    public static async Task SaveRegionsAsync(UnitOfWork unit, string productId, string institutionId, ProductTerms terms)
    {
        // A deactivated institution lists and changes nothing: nothing new reaches it or comes from it.
        var served = (await unit.QuerySingleOrDefaultAsync<string>(InstitutionRegionsSql, new { InstitutionId = institutionId })
                      ?? throw new ForbiddenException("The institution is deactivated; it can no longer list or change products.")).Split(',');
        var own = terms.RegionCodes ?? [];
        if (Outside(own, served) is { Length: > 0 } outside)
            throw new ValidationException([new ValidationFailure("RegionCodes",
                $"Your institution does not serve {string.Join(", ", outside)}; it serves {string.Join(", ", served)}.")]);
        await OfferAsync(unit, productId, own, served);
    }

    /// <summary>
    /// The product's own regions that none of its institution's regions covers, compared as the matching engine reads
    /// them: "440700" (GB/T 2260's way of writing a city) is the city "4407", so it serves 440781.
    /// </summary>
    public static string[] Outside(IEnumerable<string> own, IReadOnlyList<string> served) =>
        own.Where(code => !served.Any(region =>
            Codes.NormaliseRegionPrefix(code).StartsWith(Codes.NormaliseRegionPrefix(region), StringComparison.Ordinal))).ToArray();

    /// <summary>
    /// Writes where the product is offered — its own regions, or all those its institution serves when it names none —
    /// as the prefixes the shelves' region filter reads ("440700" stored as "4407"), and stamps it for the matching index.
    /// </summary>
    public static async Task OfferAsync(UnitOfWork unit, string productId, IReadOnlyList<string> own, IReadOnlyList<string> served)
    {
        var offered = own.Count > 0 ? own : served;
        await unit.ExecuteAsync(DeleteRegionsSql, new { ProductId = productId });
        await unit.ExecuteAsync(InsertRegionSql, offered.Select(Codes.NormaliseRegionPrefix).Distinct()
            .Select(prefix => new { ProductId = productId, RegionPrefix = prefix }));
        await StampCatalogVersionAsync(unit, productId);
    }

    /// <summary>
    /// Moves the catalog version on and stamps the product with it, so that every API node's matching index
    /// reloads exactly the products written since the version it has seen. The version row's lock orders writers.
    /// This node's index follows at once, after commit. Every write of a product comes here, so this is also where its
    /// row version (its ETag) moves on: a change, a delisting, its institution's new name or regions.
    /// </summary>
    public static async Task StampCatalogVersionAsync(UnitOfWork unit, string productId)
    {
        await unit.ExecuteAsync(BumpCatalogVersionSql);
        await unit.ExecuteAsync(StampProductSql, new { ProductId = productId });
        unit.Raise(CatalogChanged.Instance);
    }
}
