using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Matching;

/// <summary>
/// A listed product as the engine sees it: the product row plus the regions its institution serves.
/// Region codes are GB/T 2260 prefixes ("33" Zhejiang, "3304" Jiaxing, "330421" Jiashan); a six-digit code
/// ending in "00" names the city or province it stands for ("330100" = Hangzhou = prefix "3301").
/// </summary>
public sealed record ProductListing(
    string Id, string InstitutionId, string Name, ProductKind Kind,
    decimal MinAmount, decimal MaxAmount, int MinTermMonths, int MaxTermMonths, decimal MinRate, decimal MaxRate,
    IReadOnlyList<GuaranteeMode> GuaranteeModes, IReadOnlyList<string> RegionCodes, IReadOnlyList<string> IndustryCodes,
    IReadOnlyList<EnterpriseSize> EnterpriseSizes, IReadOnlyList<EnterpriseTag> RequiredTags,
    int MinYearsInBusiness, TaxCreditLevel? MinTaxCreditLevel, bool FirstLoanFriendly,
    IReadOnlyList<PolicySupport> PolicySupport, int ApprovalDays, ProductStatus Status,
    IReadOnlyList<string> InstitutionRegionCodes);

/// <summary>The enterprise behind a request. <c>HasLoanHistory == false</c> marks a 首贷户.</summary>
public sealed record EnterpriseProfile(
    string Id, string RegionCode, string IndustryCode, EnterpriseSize Size,
    DateOnly EstablishedOn, IReadOnlyList<EnterpriseTag> Tags, TaxCreditLevel TaxCreditLevel, bool HasLoanHistory, bool Blacklisted);

/// <summary>How an institution has answered dispatches so far (rates are 0..1).</summary>
public sealed record InstitutionTrackRecord(int AnsweredCount, double OnTimeAnswerRate, double ApprovalRate);
