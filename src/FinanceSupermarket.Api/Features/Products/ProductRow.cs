using System.Text.Json.Serialization;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>A products row as Dapper reads it (with its institution's name and regions), and its JSON view.</summary>
public sealed class ProductRow
{
    public const string SelectSql = """
        SELECT p.id, p.institution_id AS InstitutionId, i.name AS InstitutionName, i.region_codes AS InstitutionRegionCodes,
               p.name, p.kind, p.min_amount AS MinAmount, p.max_amount AS MaxAmount, p.min_term_months AS MinTermMonths,
               p.max_term_months AS MaxTermMonths, p.min_rate AS MinRate, p.max_rate AS MaxRate, p.guarantee_modes AS GuaranteeModes,
               p.region_codes AS RegionCodes, p.industry_codes AS IndustryCodes, p.enterprise_sizes AS EnterpriseSizes,
               p.required_tags AS RequiredTags, p.min_years_in_business AS MinYearsInBusiness, p.min_tax_credit_level AS MinTaxCreditLevel,
               p.first_loan_friendly AS FirstLoanFriendly, p.policy_support AS PolicySupport, p.approval_days AS ApprovalDays,
               p.description, p.status, p.row_version AS RowVersion
        FROM products p
        JOIN institutions i ON i.id = p.institution_id
        """;

    public string Id { get; set; } = "";
    public string InstitutionId { get; set; } = "";
    public string InstitutionName { get; set; } = "";
    public string InstitutionRegionCodes { get; set; } = "";
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "";
    public decimal MinAmount { get; set; }
    public decimal MaxAmount { get; set; }
    public int MinTermMonths { get; set; }
    public int MaxTermMonths { get; set; }
    public decimal MinRate { get; set; }
    public decimal MaxRate { get; set; }
    public string GuaranteeModes { get; set; } = "";
    public string RegionCodes { get; set; } = "";
    public string IndustryCodes { get; set; } = "";
    public string EnterpriseSizes { get; set; } = "";
    public string RequiredTags { get; set; } = "";
    public int MinYearsInBusiness { get; set; }
    public string? MinTaxCreditLevel { get; set; }
    public bool FirstLoanFriendly { get; set; }
    public string PolicySupport { get; set; } = "";
    public int ApprovalDays { get; set; }
    public string? Description { get; set; }
    public string Status { get; set; } = "";
    public long RowVersion { get; set; }

    public ProductView ToView() => new(
        Id, InstitutionId, InstitutionName, Name, EnumText.Parse<ProductKind>(Kind), MinAmount, MaxAmount, MinTermMonths, MaxTermMonths,
        MinRate, MaxRate, EnumText.Split<GuaranteeMode>(GuaranteeModes), SplitCodes(RegionCodes), SplitCodes(IndustryCodes),
        EnumText.Split<EnterpriseSize>(EnterpriseSizes), EnumText.Split<EnterpriseTag>(RequiredTags), MinYearsInBusiness,
        MinTaxCreditLevel is null ? null : EnumText.Parse<TaxCreditLevel>(MinTaxCreditLevel), FirstLoanFriendly,
        EnumText.Split<PolicySupport>(PolicySupport), ApprovalDays, Description, EnumText.Parse<ProductStatus>(Status)) { Version = RowVersion };

    public static IReadOnlyList<string> SplitCodes(string joined) => joined.Length == 0 ? [] : joined.Split(',');
}

public sealed record ProductView(
    string Id, string InstitutionId, string InstitutionName, string Name, ProductKind Kind, decimal MinAmount, decimal MaxAmount,
    int MinTermMonths, int MaxTermMonths, decimal MinRate, decimal MaxRate, IReadOnlyList<GuaranteeMode> GuaranteeModes,
    IReadOnlyList<string> RegionCodes, IReadOnlyList<string> IndustryCodes, IReadOnlyList<EnterpriseSize> EnterpriseSizes,
    IReadOnlyList<EnterpriseTag> RequiredTags, int MinYearsInBusiness, TaxCreditLevel? MinTaxCreditLevel, bool FirstLoanFriendly,
    IReadOnlyList<PolicySupport> PolicySupport, int ApprovalDays, string? Description, ProductStatus Status)
{
    /// <summary>The regions served, with their names (filled by <see cref="Named"/>).</summary>
    public IReadOnlyList<NamedCode> Regions { get; init; } = [];

    /// <summary>The industries served, with their names (filled by <see cref="Named"/>).</summary>
    public IReadOnlyList<NamedCode> Industries { get; init; } = [];

    /// <summary>The row version the view was read at: its ETag (a header, not a field).</summary>
    [JsonIgnore]
    public long Version { get; init; }

    /// <summary>The view as the shelves show it: every region and industry code beside its name.</summary>
    public ProductView Named(ReferenceData codes) =>
        this with { Regions = NamedCode.Regions(codes, RegionCodes), Industries = NamedCode.Industries(codes, IndustryCodes) };
}
