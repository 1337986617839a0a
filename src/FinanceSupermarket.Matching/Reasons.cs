using System.Collections;
using System.Globalization;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Matching;

/// <summary>
/// The reasons of one returned product, written only when first read: ranking a request allocates no strings,
/// and a caller that only needs the top product (dispatch) never pays for the text of the others.
/// </summary>
internal sealed class ReasonList(ProductListing product, MatchQuery query, InstitutionTrackRecord? trackRecord, Rule failed)
    : IReadOnlyList<MatchReason>
{
    private MatchReason[]? _items;

    private MatchReason[] Items
    {
        get
        {
            var items = Volatile.Read(ref _items);
            if (items is not null) return items;
            Interlocked.CompareExchange(ref _items, ReasonText.Met(product, query, trackRecord, failed), null);
            return _items!;
        }
    }

    public MatchReason this[int index] => Items[index];
    public int Count => Items.Length;
    public IEnumerator<MatchReason> GetEnumerator() => ((IEnumerable<MatchReason>)Items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => string.Join("; ", Items.Select(r => r.En));
}

internal static class ReasonText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static readonly MatchReason Blacklisted = new(ReasonCodes.Blacklisted,
        "the enterprise is on the platform's blacklist, so no financing product can be matched",
        "企业已被列入黑名单，平台不为其匹配金融产品");

    private static readonly MatchReason AllIndustries = new(ReasonCodes.IndustryEligible, "open to all industries", "不限行业");
    private static readonly MatchReason AnySize = new(ReasonCodes.SizeEligible, "open to enterprises of any size", "不限企业规模");
    private static readonly MatchReason FirstLoanFriendly = new(ReasonCodes.FirstLoanFriendly, "welcomes first-time borrowers", "支持首贷户");

    public static MatchReason[] Met(ProductListing p, MatchQuery q, InstitutionTrackRecord? track, Rule failed)
    {
        var e = q.Enterprise;
        var reasons = new List<MatchReason>(14);
        if (failed != Rule.Amount)
            reasons.Add(new(ReasonCodes.AmountInRange,
                string.Create(Invariant, $"amount {q.Amount:#,0.##} within {p.MinAmount:#,0.##}–{p.MaxAmount:#,0.##}"),
                string.Create(Invariant, $"金额 {q.Amount:#,0.##} 在产品额度 {p.MinAmount:#,0.##}–{p.MaxAmount:#,0.##} 范围内")));
        if (failed != Rule.Term)
            reasons.Add(new(ReasonCodes.TermInRange,
                $"term {q.TermMonths} months within {p.MinTermMonths}–{p.MaxTermMonths} months",
                $"期限 {q.TermMonths} 个月在产品期限 {p.MinTermMonths}–{p.MaxTermMonths} 个月范围内"));
        reasons.Add(new(ReasonCodes.RegionServed, $"serves region {e.RegionCode}", $"服务地区覆盖 {e.RegionCode}"));
        if (failed != Rule.Industry)
            reasons.Add(p.IndustryCodes is { Count: > 0 }
                ? new(ReasonCodes.IndustryEligible, $"open to industry {e.IndustryCode}", $"适用行业 {e.IndustryCode}")
                : AllIndustries);
        if (failed != Rule.EnterpriseSize)
            reasons.Add(p.EnterpriseSizes is { Count: > 0 }
                ? new(ReasonCodes.SizeEligible, $"open to {Words.En(e.Size)} enterprises", $"适用{Words.Zh(e.Size)}企业")
                : AnySize);
        if (failed != Rule.RequiredTags && p.RequiredTags is { Count: > 0 })
            reasons.Add(new(ReasonCodes.RequiredTagsHeld,
                $"holds the required qualifications: {Join(p.RequiredTags, Words.En, ", ")}",
                $"具备所需资质：{Join(p.RequiredTags, Words.Zh, "、")}"));
        if (failed != Rule.YearsInBusiness && p.MinYearsInBusiness > 0)
        {
            var years = QueryContext.WholeYears(e.EstablishedOn, q.Today);
            reasons.Add(new(ReasonCodes.YearsInBusinessMet,
                $"{years} years in business, at least {p.MinYearsInBusiness} required",
                $"经营 {years} 年，满足至少 {p.MinYearsInBusiness} 年的要求"));
        }
        if (failed != Rule.TaxCreditLevel && p.MinTaxCreditLevel is { } minLevel)
            reasons.Add(new(ReasonCodes.TaxCreditLevelMet,
                $"tax credit level {e.TaxCreditLevel}, at least {minLevel} required",
                $"纳税信用等级 {e.TaxCreditLevel} 级，满足 {minLevel} 级及以上要求"));
        if (failed != Rule.GuaranteeMode)
        {
            var common = p.GuaranteeModes.Where(q.GuaranteeModes.Contains).Distinct().ToArray();
            reasons.Add(new(ReasonCodes.GuaranteeModeAccepted,
                $"accepts {Join(common, Words.En, ", ")}", $"接受{Join(common, Words.Zh, "、")}方式"));
        }
        if (failed != Rule.MaxRate && q.MaxRate is { } maxRate)
            reasons.Add(new(ReasonCodes.RateWithinMax,
                string.Create(Invariant, $"rate from {p.MinRate:0.###}% within your maximum {maxRate:0.###}%"),
                string.Create(Invariant, $"利率 {p.MinRate:0.###}% 起，不高于您可接受的 {maxRate:0.###}%")));

        reasons.Add(new(ReasonCodes.RateRange, string.Create(Invariant, $"annual rate {p.MinRate:0.###}%–{p.MaxRate:0.###}%"),
            string.Create(Invariant, $"年利率 {p.MinRate:0.###}%–{p.MaxRate:0.###}%")));
        if (Scoring.PurposeFit(q.Purpose, p.Kind) >= 1)
            reasons.Add(new(ReasonCodes.PurposeFit,
                $"a {Words.En(p.Kind)} suits {Words.En(q.Purpose)} financing", $"{Words.Zh(p.Kind)}适合{Words.Zh(q.Purpose)}融资"));
        if (!e.HasLoanHistory && (p.FirstLoanFriendly || p.Kind == ProductKind.FirstLoan))
            reasons.Add(FirstLoanFriendly);
        if (p.PolicySupport is { Count: > 0 })
            reasons.Add(new(ReasonCodes.PolicySupport,
                $"policy support: {Join(p.PolicySupport, Words.En, ", ")}", $"政策支持：{Join(p.PolicySupport, Words.Zh, "、")}"));
        reasons.Add(new(ReasonCodes.ApprovalSpeed, $"approval in about {p.ApprovalDays} days", $"约 {p.ApprovalDays} 天完成审批"));
        if (track is { AnsweredCount: > 0 })
            reasons.Add(new(ReasonCodes.InstitutionTrackRecord,
                $"the institution answered {Percent(track.OnTimeAnswerRate)} of {track.AnsweredCount} requests on time and approved {Percent(track.ApprovalRate)}",
                $"该机构 {track.AnsweredCount} 笔申请按时答复率 {Percent(track.OnTimeAnswerRate)}，审批通过率 {Percent(track.ApprovalRate)}"));
        return reasons.ToArray();
    }

    // Texts that depend only on small enum sets are written once and shared: a near miss then costs no strings
    // but for the amounts, terms and rates that are the request's own.
    private static readonly MatchReason?[] GuaranteeFailures = new MatchReason?[256];
    private static readonly MatchReason?[] SizeFailures = new MatchReason?[8 * 256];
    private static readonly MatchReason?[] TagFailures = new MatchReason?[256];
    private static readonly MatchReason?[] TaxFailures = new MatchReason?[8 * 8];
    private static readonly MatchReason?[] YearFailures = new MatchReason?[64 * 64];

    private static readonly MatchReason FirstLoanOnly = new(ReasonCodes.LoanHistory,
        "a first-loan product is for enterprises that have never borrowed", "首贷产品仅适用于无贷款记录的企业");
    private static readonly MatchReason RenewalOnly = new(ReasonCodes.LoanHistory,
        "a renewal product is for enterprises with a loan to renew", "续贷产品仅适用于有存量贷款的企业");

    public static MatchReason Failed(Rule rule, ProductListing p, MatchQuery q)
    {
        var e = q.Enterprise;
        switch (rule)
        {
            case Rule.Amount:
                return new(ReasonCodes.Amount,
                    string.Create(Invariant, $"amount {q.Amount:#,0.##} outside {p.MinAmount:#,0.##}–{p.MaxAmount:#,0.##}"),
                    string.Create(Invariant, $"金额 {q.Amount:#,0.##} 不在产品额度 {p.MinAmount:#,0.##}–{p.MaxAmount:#,0.##} 范围内"));
            case Rule.Term:
                return new(ReasonCodes.Term,
                    string.Create(Invariant, $"term {q.TermMonths} months outside {p.MinTermMonths}–{p.MaxTermMonths} months"),
                    string.Create(Invariant, $"期限 {q.TermMonths} 个月不在产品期限 {p.MinTermMonths}–{p.MaxTermMonths} 个月范围内"));
            case Rule.MaxRate:
                return new(ReasonCodes.MaxRate,
                    string.Create(Invariant, $"rate from {p.MinRate:0.###}% above your maximum {q.MaxRate ?? 0:0.###}%"),
                    string.Create(Invariant, $"最低利率 {p.MinRate:0.###}% 高于您可接受的 {q.MaxRate ?? 0:0.###}%"));
            case Rule.Industry:
                return new(ReasonCodes.Industry,
                    $"not open to industry {e.IndustryCode} (only {string.Join(", ", p.IndustryCodes)})",
                    $"不适用行业 {e.IndustryCode}（仅限 {string.Join("、", p.IndustryCodes)}）");
            case Rule.GuaranteeMode:
            {
                var modes = Entry.Mask(p.GuaranteeModes, emptyMeansAll: false);
                return GuaranteeFailures[modes] ??= new(ReasonCodes.GuaranteeMode,
                    "needs " + Join(Bits<GuaranteeMode>(modes), Words.Needs, " or "), "需要" + Join(Bits<GuaranteeMode>(modes), Words.Zh, "或"));
            }
            case Rule.EnterpriseSize when (uint)e.Size < 8:
            {
                var sizes = Entry.Mask(p.EnterpriseSizes, emptyMeansAll: true);
                return SizeFailures[(int)e.Size * 256 + sizes] ??= new(ReasonCodes.EnterpriseSize,
                    $"not open to {Words.En(e.Size)} enterprises (only {Join(Bits<EnterpriseSize>(sizes), Words.En, ", ")})",
                    $"不适用{Words.Zh(e.Size)}企业（仅限{Join(Bits<EnterpriseSize>(sizes), Words.Zh, "、")}企业）");
            }
            case Rule.RequiredTags:
            {
                var missing = Entry.Mask(p.RequiredTags, emptyMeansAll: false) & ~Entry.Mask(e.Tags, emptyMeansAll: false);
                return TagFailures[missing] ??= new(ReasonCodes.RequiredTags,
                    $"requires the qualifications: {Join(Bits<EnterpriseTag>(missing), Words.En, ", ")}",
                    $"需要资质：{Join(Bits<EnterpriseTag>(missing), Words.Zh, "、")}");
            }
            case Rule.TaxCreditLevel when p.MinTaxCreditLevel is { } min && (uint)min < 8 && (uint)e.TaxCreditLevel < 8:
                return TaxFailures[(int)min * 8 + (int)e.TaxCreditLevel] ??= new(ReasonCodes.TaxCreditLevel,
                    $"needs tax credit level {min} or better, has {e.TaxCreditLevel}",
                    $"需纳税信用等级 {min} 级及以上，当前 {e.TaxCreditLevel} 级");
            case Rule.YearsInBusiness:
            {
                var years = QueryContext.WholeYears(e.EstablishedOn, q.Today);
                var min = p.MinYearsInBusiness;
                return (uint)min < 64 && (uint)years < 64
                    ? YearFailures[min * 64 + years] ??= YearsReason(min, years)
                    : YearsReason(min, years);
            }
            case Rule.EnterpriseSize:
                return new(ReasonCodes.EnterpriseSize, $"not open to {e.Size} enterprises", $"不适用{e.Size}企业");
            case Rule.LoanHistory:
                return e.HasLoanHistory ? FirstLoanOnly : RenewalOnly;
            case Rule.TaxCreditLevel:
                return new(ReasonCodes.TaxCreditLevel, $"needs tax credit level {p.MinTaxCreditLevel} or better, has {e.TaxCreditLevel}",
                    $"需纳税信用等级 {p.MinTaxCreditLevel} 级及以上，当前 {e.TaxCreditLevel} 级");
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule, null);
        }

        static MatchReason YearsReason(int min, int years) => new(ReasonCodes.YearsInBusiness,
            $"needs {min} years in business, has {years}", $"需经营满 {min} 年，当前 {years} 年");
    }

    private static IEnumerable<T> Bits<T>(int mask) where T : struct, Enum
    {
        for (var bit = 0; bit < 8; bit++)
            if ((mask & (1 << bit)) != 0) yield return (T)Enum.ToObject(typeof(T), bit);
    }

    private static string Percent(double share) => (Math.Clamp(double.IsNaN(share) ? 0 : share, 0, 1) * 100).ToString("0", Invariant) + "%";
    private static string Join<T>(IEnumerable<T> values, Func<T, string> word, string separator) => string.Join(separator, values.Select(word));
}

/// <summary>The vocabulary in English and Chinese words (DESIGN.md).</summary>
public static class Words
{
    public static string En(EnterpriseSize s) => s switch
    {
        EnterpriseSize.Micro => "micro", EnterpriseSize.Small => "small", EnterpriseSize.Medium => "medium",
        EnterpriseSize.Large => "large", _ => s.ToString(),
    };

    public static string Zh(EnterpriseSize s) => s switch
    {
        EnterpriseSize.Micro => "微型", EnterpriseSize.Small => "小型", EnterpriseSize.Medium => "中型",
        EnterpriseSize.Large => "大型", _ => s.ToString(),
    };

    public static string En(EnterpriseTag t) => t switch
    {
        EnterpriseTag.Specialized => "specialised and innovative SME", EnterpriseTag.HighTech => "high-tech enterprise",
        EnterpriseTag.TechSme => "tech-based SME", EnterpriseTag.TaiwanFunded => "Taiwan-funded enterprise",
        EnterpriseTag.ForeignTrade => "foreign trade enterprise", EnterpriseTag.Green => "green enterprise", _ => t.ToString(),
    };

    public static string Zh(EnterpriseTag t) => t switch
    {
        EnterpriseTag.Specialized => "专精特新", EnterpriseTag.HighTech => "高新技术企业", EnterpriseTag.TechSme => "科技型中小企业",
        EnterpriseTag.TaiwanFunded => "台资企业", EnterpriseTag.ForeignTrade => "外贸企业", EnterpriseTag.Green => "绿色企业",
        _ => t.ToString(),
    };

    public static string En(GuaranteeMode m) => m switch
    {
        GuaranteeMode.Credit => "credit (no collateral)", GuaranteeMode.Mortgage => "mortgage", GuaranteeMode.Pledge => "pledge",
        GuaranteeMode.Guarantee => "third-party guarantee", _ => m.ToString(),
    };

    /// <summary>What a product asks for, as in "needs collateral: mortgage".</summary>
    public static string Needs(GuaranteeMode m) => m switch
    {
        GuaranteeMode.Credit => "a credit (unsecured) application", GuaranteeMode.Mortgage => "collateral: mortgage",
        GuaranteeMode.Pledge => "a pledge", GuaranteeMode.Guarantee => "a guarantor", _ => m.ToString(),
    };

    public static string Zh(GuaranteeMode m) => m switch
    {
        GuaranteeMode.Credit => "信用", GuaranteeMode.Mortgage => "抵押", GuaranteeMode.Pledge => "质押",
        GuaranteeMode.Guarantee => "保证担保", _ => m.ToString(),
    };

    public static string En(PolicySupport s) => s switch
    {
        PolicySupport.InterestSubsidy => "interest subsidy", PolicySupport.RiskCompensation => "risk compensation",
        PolicySupport.GovGuarantee => "government financing guarantee", _ => s.ToString(),
    };

    public static string Zh(PolicySupport s) => s switch
    {
        PolicySupport.InterestSubsidy => "贴息", PolicySupport.RiskCompensation => "风险补偿",
        PolicySupport.GovGuarantee => "政府性融资担保", _ => s.ToString(),
    };

    public static string En(FinancingPurpose p) => p switch
    {
        FinancingPurpose.WorkingCapital => "working capital", FinancingPurpose.Equipment => "equipment",
        FinancingPurpose.RAndD => "R&D", FinancingPurpose.Trade => "trade", FinancingPurpose.Expansion => "expansion",
        FinancingPurpose.Refinancing => "refinancing", _ => p.ToString(),
    };

    public static string Zh(FinancingPurpose p) => p switch
    {
        FinancingPurpose.WorkingCapital => "流动资金", FinancingPurpose.Equipment => "设备购置", FinancingPurpose.RAndD => "研发",
        FinancingPurpose.Trade => "贸易", FinancingPurpose.Expansion => "扩大经营", FinancingPurpose.Refinancing => "续贷周转",
        _ => p.ToString(),
    };

    public static string En(ProductKind k) => k switch
    {
        ProductKind.CreditLoan => "credit loan", ProductKind.MortgageLoan => "mortgage loan", ProductKind.IpPledge => "IP pledge loan",
        ProductKind.Receivables => "receivables financing", ProductKind.WarehouseReceipt => "warehouse receipt loan",
        ProductKind.SupplyChain => "supply chain financing", ProductKind.GovProcurement => "government procurement loan",
        ProductKind.TaxCredit => "tax credit loan", ProductKind.TechLoan => "tech loan", ProductKind.TalentLoan => "talent loan",
        ProductKind.GreenLoan => "green loan", ProductKind.FirstLoan => "first loan", ProductKind.Renewal => "renewal loan",
        ProductKind.Guarantee => "financing guarantee", ProductKind.Insurance => "credit insurance", _ => k.ToString(),
    };

    public static string Zh(ProductKind k) => k switch
    {
        ProductKind.CreditLoan => "信用贷", ProductKind.MortgageLoan => "抵押贷", ProductKind.IpPledge => "知识产权质押贷",
        ProductKind.Receivables => "应收账款融资", ProductKind.WarehouseReceipt => "仓单/订单质押贷", ProductKind.SupplyChain => "供应链融资",
        ProductKind.GovProcurement => "政采贷", ProductKind.TaxCredit => "税银贷", ProductKind.TechLoan => "科技贷",
        ProductKind.TalentLoan => "人才贷", ProductKind.GreenLoan => "绿色贷", ProductKind.FirstLoan => "首贷",
        ProductKind.Renewal => "续贷", ProductKind.Guarantee => "融资担保", ProductKind.Insurance => "保险增信", _ => k.ToString(),
    };
}
