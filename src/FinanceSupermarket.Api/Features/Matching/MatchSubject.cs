using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Api.Features.Matching;

/// <summary>A request with its enterprise's profile and blacklist mark: what the matching engine ranks products against.</summary>
public sealed class MatchSubject
{
    private const string RequestsSql = """
        SELECT r.id, r.enterprise_id AS EnterpriseId, r.region_code AS RegionCode, r.amount, r.term_months AS TermMonths, r.purpose,
               r.guarantee_modes AS GuaranteeModes, r.max_rate AS MaxRate, r.status, e.industry_code AS IndustryCode, e.size,
               e.established_on AS EstablishedOn, e.tags, e.tax_credit_level AS TaxCreditLevel, e.has_loan_history AS HasLoanHistory,
               (SELECT COUNT(*) FROM blacklist b WHERE b.credit_code = e.credit_code) AS BlacklistCount
        FROM financing_requests r
        JOIN enterprises e ON e.id = r.enterprise_id
        """;

    public const string SelectSql = RequestsSql + " WHERE r.id = @Id";

    /// <summary>The needs still looking for an answer: submitted, published or dispatched and not resolved.</summary>
    public const string OpenSql = RequestsSql + " WHERE r.status IN ('submitted', 'published', 'dispatched')";

    /// <summary>The enterprise alone, for terms not yet submitted (the request form's preview); the terms are set after.</summary>
    public const string EnterpriseSql = """
        SELECT e.id AS EnterpriseId, e.region_code AS RegionCode, e.industry_code AS IndustryCode, e.size,
               e.established_on AS EstablishedOn, e.tags, e.tax_credit_level AS TaxCreditLevel, e.has_loan_history AS HasLoanHistory,
               (SELECT COUNT(*) FROM blacklist b WHERE b.credit_code = e.credit_code) AS BlacklistCount
        FROM enterprises e
        WHERE e.id = @EnterpriseId
        """;

    public string Id { get; set; } = "";
    public string EnterpriseId { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public decimal Amount { get; set; }
    public int TermMonths { get; set; }
    public string Purpose { get; set; } = "";
    public string GuaranteeModes { get; set; } = "";
    public decimal? MaxRate { get; set; }
    public string Status { get; set; } = "";
    public string IndustryCode { get; set; } = "";
    public string Size { get; set; } = "";
    public DateOnly EstablishedOn { get; set; }
    public string Tags { get; set; } = "";
    public string TaxCreditLevel { get; set; } = "";
    public bool HasLoanHistory { get; set; }
    public long BlacklistCount { get; set; }

    public MatchQuery ToQuery(DateOnly today, int limit, bool includeNearMisses) => new(
        Amount, TermMonths, EnumText.Parse<FinancingPurpose>(Purpose), EnumText.Split<GuaranteeMode>(GuaranteeModes), MaxRate,
        new EnterpriseProfile(EnterpriseId, RegionCode, IndustryCode, EnumText.Parse<EnterpriseSize>(Size), EstablishedOn,
            EnumText.Split<EnterpriseTag>(Tags), EnumText.Parse<TaxCreditLevel>(TaxCreditLevel), HasLoanHistory, BlacklistCount > 0),
        today, limit, includeNearMisses);
}
