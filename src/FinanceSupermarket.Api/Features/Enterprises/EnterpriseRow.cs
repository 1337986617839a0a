using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.Enterprises;

/// <summary>An enterprises row as Dapper reads it, and its JSON view.</summary>
public sealed class EnterpriseRow
{
    public const string SelectSql = """
        SELECT id, credit_code AS CreditCode, name, region_code AS RegionCode, industry_code AS IndustryCode, size,
               employees, annual_revenue AS AnnualRevenue, established_on AS EstablishedOn, tags,
               tax_credit_level AS TaxCreditLevel, has_loan_history AS HasLoanHistory
        FROM enterprises
        """;

    public string Id { get; set; } = "";
    public string CreditCode { get; set; } = "";
    public string Name { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public string IndustryCode { get; set; } = "";
    public string Size { get; set; } = "";
    public int? Employees { get; set; }
    public decimal? AnnualRevenue { get; set; }
    public DateOnly EstablishedOn { get; set; }
    public string Tags { get; set; } = "";
    public string TaxCreditLevel { get; set; } = "";
    public bool HasLoanHistory { get; set; }

    public EnterpriseView ToView() => new(Id, CreditCode, Name, RegionCode, IndustryCode, EnumText.Parse<EnterpriseSize>(Size),
        Employees, AnnualRevenue, EstablishedOn, EnumText.Split<EnterpriseTag>(Tags), EnumText.Parse<TaxCreditLevel>(TaxCreditLevel), HasLoanHistory);
}

public sealed record EnterpriseView(
    string Id, string CreditCode, string Name, string RegionCode, string IndustryCode, EnterpriseSize Size, int? Employees,
    decimal? AnnualRevenue, DateOnly EstablishedOn, IReadOnlyList<EnterpriseTag> Tags, TaxCreditLevel TaxCreditLevel, bool HasLoanHistory);
