using System.Text.Json.Serialization;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;

namespace FinanceSupermarket.Api.Features.Enterprises;

/// <summary>An enterprises row as Dapper reads it, and its JSON view.</summary>
public sealed class EnterpriseRow
{
    public const string SelectSql = """
        SELECT id, credit_code AS CreditCode, name, region_code AS RegionCode, industry_code AS IndustryCode, size,
               size_reason AS SizeReason, employees, annual_revenue AS AnnualRevenue, total_assets AS TotalAssets,
               established_on AS EstablishedOn, tags, tax_credit_level AS TaxCreditLevel, has_loan_history AS HasLoanHistory,
               registered_elsewhere_reason AS RegisteredElsewhereReason, row_version AS RowVersion
        FROM enterprises
        """;

    public string Id { get; set; } = "";
    public string CreditCode { get; set; } = "";
    public string Name { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public string IndustryCode { get; set; } = "";
    public string Size { get; set; } = "";
    public string? SizeReason { get; set; }
    public int? Employees { get; set; }
    public decimal? AnnualRevenue { get; set; }
    public decimal? TotalAssets { get; set; }
    public DateOnly EstablishedOn { get; set; }
    public string Tags { get; set; } = "";
    public string TaxCreditLevel { get; set; } = "";
    public bool HasLoanHistory { get; set; }
    public string? RegisteredElsewhereReason { get; set; }
    public long RowVersion { get; set; }

    public EnterpriseView ToView(ReferenceData codes) => new(Id, CreditCode, Name, RegionCode, codes.RegionName(RegionCode), IndustryCode,
        codes.IndustryName(IndustryCode), EnumText.Parse<EnterpriseSize>(Size), SizeReason, Employees, AnnualRevenue, TotalAssets, EstablishedOn,
        EnumText.Split<EnterpriseTag>(Tags), EnumText.Parse<TaxCreditLevel>(TaxCreditLevel), HasLoanHistory, RegisteredElsewhereReason) { Version = RowVersion };
}

/// <summary>
/// The profile with the names of its codes (嘉善县 330421, C39 计算机、通信和其他电子设备制造业), the size the rules gave it and
/// why, and, when its credit code was issued in another province, the enterprise's reason.
/// </summary>
public sealed record EnterpriseView(
    string Id, string CreditCode, string Name, string RegionCode, string? RegionName, string IndustryCode, string? IndustryName,
    EnterpriseSize Size, string? SizeReason, int? Employees, decimal? AnnualRevenue, decimal? TotalAssets, DateOnly EstablishedOn,
    IReadOnlyList<EnterpriseTag> Tags, TaxCreditLevel TaxCreditLevel, bool HasLoanHistory, string? RegisteredElsewhereReason)
{
    /// <summary>The row version the profile was read at: its ETag (a header, not a field), which a change names in If-Match.</summary>
    [JsonIgnore]
    public long Version { get; init; }
}
