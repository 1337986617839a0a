using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Tests.Matching;

/// <summary>Test data: a product, an enterprise and a request that match one another; tests change one thing.</summary>
internal static class A
{
    public static readonly DateOnly Today = new(2025, 6, 30);

    public static ProductListing Product(string id = "p1", string institutionId = "i1") => new(
        id, institutionId, "嘉善农商银行·科技贷", ProductKind.CreditLoan,
        MinAmount: 1_000_000m, MaxAmount: 5_000_000m, MinTermMonths: 6, MaxTermMonths: 36, MinRate: 3.85m, MaxRate: 6.5m,
        GuaranteeModes: [GuaranteeMode.Credit], RegionCodes: [], IndustryCodes: [], EnterpriseSizes: [], RequiredTags: [],
        MinYearsInBusiness: 0, MinTaxCreditLevel: null, FirstLoanFriendly: false, PolicySupport: [], ApprovalDays: 7,
        Status: ProductStatus.Listed, InstitutionRegionCodes: ["33"]);

    public static EnterpriseProfile Enterprise() => new(
        "e1", RegionCode: "330421", IndustryCode: "C3911", EnterpriseSize.Small, EstablishedOn: new DateOnly(2015, 3, 1),
        Tags: [], TaxCreditLevel.B, HasLoanHistory: true, Blacklisted: false);

    public static MatchQuery Query(EnterpriseProfile? enterprise = null) => new(
        Amount: 3_000_000m, TermMonths: 12, FinancingPurpose.WorkingCapital, GuaranteeModes: [GuaranteeMode.Credit],
        MaxRate: null, enterprise ?? Enterprise(), Today);

    public static IReadOnlyList<Match> Matches(MatchQuery query, params ProductListing[] products) =>
        ProductIndex.Build(products).Match(query).Matches;

    public static bool IsMatched(ProductListing product, MatchQuery query) => Matches(query, product).Count == 1;
}
