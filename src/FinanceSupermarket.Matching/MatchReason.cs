namespace FinanceSupermarket.Matching;

/// <summary>One criterion in plain words: a stable snake_case <see cref="Code"/>, English and Chinese text.</summary>
public sealed record MatchReason(string Code, string En, string Zh);

/// <summary>
/// The stable reason codes. A <see cref="NearMiss.FailedRule"/> carries the name of the hard rule it failed
/// (<c>amount</c>, <c>guarantee_mode</c>, …); a <see cref="Match"/> lists the criteria it met.
/// </summary>
public static class ReasonCodes
{
    // Hard rules, as met by a match.
    public const string AmountInRange = "amount_in_range";
    public const string TermInRange = "term_in_range";
    public const string RegionServed = "region_served";
    public const string IndustryEligible = "industry_eligible";
    public const string SizeEligible = "size_eligible";
    public const string RequiredTagsHeld = "required_tags_held";
    public const string YearsInBusinessMet = "years_in_business_met";
    public const string TaxCreditLevelMet = "tax_credit_level_met";
    public const string GuaranteeModeAccepted = "guarantee_mode_accepted";
    public const string RateWithinMax = "rate_within_max";

    // Ranking criteria worth telling.
    public const string RateRange = "rate_range";
    public const string PurposeFit = "purpose_fit";
    public const string FirstLoanFriendly = "first_loan_friendly";
    public const string PolicySupport = "policy_support";
    public const string ApprovalSpeed = "approval_speed";
    public const string InstitutionTrackRecord = "institution_track_record";

    // Hard rules, as failed by a near miss.
    public const string Amount = "amount";
    public const string Term = "term";
    public const string Industry = "industry";
    public const string EnterpriseSize = "enterprise_size";
    public const string RequiredTags = "required_tags";
    public const string YearsInBusiness = "years_in_business";
    public const string TaxCreditLevel = "tax_credit_level";
    public const string GuaranteeMode = "guarantee_mode";
    public const string MaxRate = "max_rate";
    public const string LoanHistory = "loan_history";

    public const string Blacklisted = "blacklisted";
}

/// <summary>The hard rules a near miss may fail (region is a precondition, not a near miss: see ProductIndex).</summary>
internal enum Rule : byte
{
    None, Amount, Term, Industry, EnterpriseSize, RequiredTags, YearsInBusiness, TaxCreditLevel, GuaranteeMode, MaxRate, LoanHistory,
}
