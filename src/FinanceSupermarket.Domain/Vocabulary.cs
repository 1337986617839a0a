using System.Text.Json.Serialization;

namespace FinanceSupermarket.Domain;

// The domain's words (DESIGN.md vocabulary). JSON and the database carry them as snake_case strings
// ("r_and_d", "credit_loan"); see EnumText for the one mapping both use.

public enum EnterpriseSize { Micro, Small, Medium, Large }

public enum EnterpriseTag { Specialized, HighTech, TechSme, TaiwanFunded, ForeignTrade, Green }

/// <summary>纳税信用等级. Declared lowest first so that a plain comparison reads "at least".</summary>
public enum TaxCreditLevel
{
    [JsonStringEnumMemberName("D")] D,
    [JsonStringEnumMemberName("C")] C,
    [JsonStringEnumMemberName("M")] M,
    [JsonStringEnumMemberName("B")] B,
    [JsonStringEnumMemberName("A")] A,
}

public enum InstitutionKind { Bank, Guarantee, Insurance, SmallLoan, Leasing, Fund }

public enum ProductKind
{
    CreditLoan, MortgageLoan, IpPledge, Receivables, WarehouseReceipt, SupplyChain, GovProcurement,
    TaxCredit, TechLoan, TalentLoan, GreenLoan, FirstLoan, Renewal, Guarantee, Insurance,
}

public enum GuaranteeMode { Credit, Mortgage, Pledge, Guarantee }

public enum PolicySupport { InterestSubsidy, RiskCompensation, GovGuarantee }

public enum FinancingPurpose { WorkingCapital, Equipment, RAndD, Trade, Expansion, Refinancing }

public enum ProductStatus { Listed, Delisted }

public enum RequestStatus { Submitted, Published, Dispatched, Resolved, Cancelled, Expired }

public enum DispatchStatus { Pending, Accepted, Declined, Overdue, Superseded, Closed }

public enum Role { Enterprise, Institution, Regulator, Admin }
