using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Testing;

/// <summary>
/// Realistic, reproducible products, enterprises and requests for benchmarks and property tests (one generator,
/// shared by the unit tests and the benchmarks). Regions are real GB/T 2260 codes of the four provinces in the seeds (Zhejiang
/// incl. Jiashan, Jiangsu incl. Kunshan, Shandong incl. Qingdao Huangdao, Guangdong incl. Jiangmen Jianghai);
/// industries are GB/T 4754-2017 classes; product kinds and their guarantee modes follow the seeds' products.
/// </summary>
public sealed class ProductGenerator(int seed)
{
    private readonly Random _random = new(seed);
    private readonly List<Institution> _institutions = [];

    private sealed record Institution(string Id, string Name, string[] RegionCodes);

    // County-level codes, each with a weight (busier places have more enterprises).
    public static readonly (string Code, int Weight)[] Counties =
    [
        ("330421", 12), ("330402", 3), ("330411", 3), ("330424", 2), ("330481", 3), ("330482", 2), ("330483", 2),   // Jiaxing, Jiashan first
        ("330106", 4), ("330110", 4), ("330102", 2), ("330212", 4), ("330602", 2), ("330782", 3),                   // Hangzhou, Ningbo, Shaoxing, Yiwu
        ("320583", 12), ("320581", 3), ("320582", 3), ("320585", 2), ("320505", 3), ("320506", 3),                   // Kunshan first, Suzhou
        ("320102", 2), ("320115", 3), ("320214", 2), ("320412", 3),                                                  // Nanjing, Wuxi, Changzhou
        ("370211", 12), ("370202", 2), ("370212", 3), ("370281", 3), ("370102", 2), ("370613", 2), ("370702", 2),   // Qingdao Huangdao first
        ("440704", 12), ("440703", 3), ("440705", 3), ("440781", 2), ("440784", 2),                                  // Jiangmen Jianghai first
        ("440106", 3), ("440305", 4), ("440604", 2), ("440606", 3), ("441900", 3),                                   // Guangzhou, Shenzhen, Foshan, Dongguan
    ];

    public static readonly string[] Provinces = ["33", "32", "37", "44"];

    // GB/T 4754-2017 classes an enterprise may have.
    public static readonly string[] IndustryClasses =
    [
        "C3911", "C3982", "C3976", "C3841", "C3811", "C3499", "C3411", "C3311", "C3670", "C3511", "C2651", "C3021",
        "C1713", "C1810", "F5131", "F5171", "F5261", "I6513", "I6450", "A0111", "A0412", "G5431", "M7320", "E4710",
        "H6210", "D4416",
    ];

    // Prefixes a product may be restricted to: sections, divisions, groups, classes.
    private static readonly string[] IndustryPrefixes =
    [
        "C", "C39", "C38", "C34", "C35", "C36", "C33", "C26", "C17", "C18", "C391", "C3911", "C384", "F51", "F52", "I65", "I64",
        "I", "A01", "A04", "A", "G54", "M73", "M", "E47", "H62", "D44",
    ];

    private static readonly string[] Banks =
    [
        "嘉善农商银行", "浙商银行嘉兴分行", "昆山农商银行", "苏州银行昆山支行", "青岛银行西海岸分行", "青岛农商银行黄岛支行",
        "江门农商银行", "工商银行江门分行", "建设银行", "农业银行", "中国银行", "交通银行", "邮储银行", "兴业银行", "招商银行",
        "嘉兴融资担保", "鼎诚融资担保", "人保财险", "江门小额贷款", "远东租赁",
    ];

    private static readonly (ProductKind Kind, int Weight)[] Kinds =
    [
        (ProductKind.CreditLoan, 18), (ProductKind.TaxCredit, 10), (ProductKind.TechLoan, 9), (ProductKind.IpPledge, 5),
        (ProductKind.Receivables, 6), (ProductKind.SupplyChain, 7), (ProductKind.MortgageLoan, 12), (ProductKind.FirstLoan, 6),
        (ProductKind.Renewal, 6), (ProductKind.GreenLoan, 5), (ProductKind.GovProcurement, 4), (ProductKind.TalentLoan, 4),
        (ProductKind.WarehouseReceipt, 3), (ProductKind.Guarantee, 3), (ProductKind.Insurance, 2),
    ];

    // Shared, immutable lists: 100,000 products do not need 100,000 copies of [credit].
    private static readonly GuaranteeMode[] Credit = [GuaranteeMode.Credit];
    private static readonly GuaranteeMode[] CreditOrGuarantee = [GuaranteeMode.Credit, GuaranteeMode.Guarantee];
    private static readonly GuaranteeMode[] Mortgage = [GuaranteeMode.Mortgage];
    private static readonly GuaranteeMode[] MortgageOrGuarantee = [GuaranteeMode.Mortgage, GuaranteeMode.Guarantee];
    private static readonly GuaranteeMode[] Pledge = [GuaranteeMode.Pledge];
    private static readonly GuaranteeMode[] CreditOrPledge = [GuaranteeMode.Credit, GuaranteeMode.Pledge];
    private static readonly GuaranteeMode[] GuaranteeOnly = [GuaranteeMode.Guarantee];
    private static readonly GuaranteeMode[] AnyMode = [GuaranteeMode.Credit, GuaranteeMode.Mortgage, GuaranteeMode.Pledge, GuaranteeMode.Guarantee];
    private static readonly EnterpriseSize[][] SizeSets =
    [
        [], [], [], [EnterpriseSize.Micro, EnterpriseSize.Small], [EnterpriseSize.Micro, EnterpriseSize.Small, EnterpriseSize.Medium],
        [EnterpriseSize.Small, EnterpriseSize.Medium], [EnterpriseSize.Medium, EnterpriseSize.Large],
    ];
    private static readonly int[] TermFloors = [1, 3, 3, 6, 6, 12];
    private static readonly int[] TermCeilings = [12, 12, 24, 36, 36, 60];
    private static readonly int[] RequestTerms = [3, 6, 12, 12, 12, 24, 36, 60];

    public IReadOnlyList<string> InstitutionIds => _institutions.Select(i => i.Id).ToArray();

    /// <summary><paramref name="count"/> products (ids P000001…) of about count / 50 institutions (at least 20).</summary>
    public List<ProductListing> Products(int count, double delistedShare = 0)
    {
        var institutionCount = Math.Max(20, count / 50);
        while (_institutions.Count < institutionCount) _institutions.Add(NewInstitution(_institutions.Count + 1));
        var products = new List<ProductListing>(count);
        for (var i = 1; i <= count; i++) products.Add(Product($"P{i:D6}", delistedShare));
        return products;
    }

    public ProductListing Product(string id, double delistedShare = 0)
    {
        if (_institutions.Count == 0) _institutions.Add(NewInstitution(1));
        var institution = _institutions[_random.Next(_institutions.Count)];
        var kind = Weighted(Kinds);
        var minAmount = RoundTo(LogUniform(100_000, 5_000_000), 10_000);
        var maxAmount = Math.Min(50_000_000m, RoundTo(minAmount * (decimal)LogUniform(2, 60), 100_000));
        if (maxAmount < minAmount) maxAmount = minAmount;
        var minTerm = Pick(TermFloors);
        var maxTerm = Math.Max(minTerm, Pick(TermCeilings));
        var minRate = Math.Round((decimal)(2.8 + 5.2 * Math.Pow(_random.NextDouble(), 1.5)), 2);
        var maxRate = Math.Min(12m, minRate + Math.Round((decimal)(0.5 + 3.5 * _random.NextDouble()), 2));
        var (modes, tags, taxLevel) = KindRules(kind);
        var friendly = kind == ProductKind.FirstLoan || Chance(0.2);
        return new ProductListing(
            id, institution.Id, $"{institution.Name}·{KindName(kind)}", kind,
            minAmount, maxAmount, minTerm, maxTerm, minRate, maxRate,
            modes, ProductRegions(institution), ProductIndustries(), Pick(SizeSets), tags,
            Chance(0.5) ? 0 : _random.Next(1, 4), taxLevel, friendly, PolicySupports(),
            (int)Math.Round(LogUniform(1, 30)), Chance(delistedShare) ? ProductStatus.Delisted : ProductStatus.Listed,
            institution.RegionCodes);
    }

    public EnterpriseProfile Enterprise(DateOnly today, string? id = null)
    {
        var tags = new List<EnterpriseTag>();
        if (Chance(0.10)) tags.Add(EnterpriseTag.Specialized);
        if (Chance(0.15)) tags.Add(EnterpriseTag.HighTech);
        if (Chance(0.20)) tags.Add(EnterpriseTag.TechSme);
        if (Chance(0.05)) tags.Add(EnterpriseTag.TaiwanFunded);
        if (Chance(0.15)) tags.Add(EnterpriseTag.ForeignTrade);
        if (Chance(0.10)) tags.Add(EnterpriseTag.Green);
        var size = Weighted([(EnterpriseSize.Micro, 40), (EnterpriseSize.Small, 35), (EnterpriseSize.Medium, 20), (EnterpriseSize.Large, 5)]);
        var level = Weighted([(TaxCreditLevel.A, 25), (TaxCreditLevel.B, 40), (TaxCreditLevel.M, 20), (TaxCreditLevel.C, 10), (TaxCreditLevel.D, 5)]);
        return new EnterpriseProfile(id ?? $"E{_random.Next(1_000_000):D6}", Weighted(Counties), Pick(IndustryClasses), size,
            today.AddDays(-_random.Next(30, 25 * 365)), tags, level, HasLoanHistory: Chance(0.65), Blacklisted: false);
    }

    public MatchQuery Query(DateOnly today, int limit = 20, bool includeNearMisses = false)
    {
        GuaranteeMode[] modes = _random.Next(10) switch
        {
            < 4 => Credit, 4 or 5 => CreditOrGuarantee, 6 => Mortgage, 7 => [GuaranteeMode.Credit, GuaranteeMode.Mortgage], 8 => Pledge, _ => AnyMode,
        };
        decimal? maxRate = Chance(0.4) ? Math.Round((decimal)(3.5 + 4.5 * _random.NextDouble()), 1) : null;
        return new MatchQuery(RoundTo(LogUniform(100_000, 20_000_000), 10_000), Pick(RequestTerms),
            (FinancingPurpose)_random.Next(6), modes, maxRate, Enterprise(today), today, limit, includeNearMisses);
    }

    /// <summary>Records for about 70% of the institutions; the rest have none (neutral).</summary>
    public Dictionary<string, InstitutionTrackRecord> TrackRecords()
    {
        var records = new Dictionary<string, InstitutionTrackRecord>();
        foreach (var institution in _institutions)
            if (Chance(0.7))
                records[institution.Id] = new InstitutionTrackRecord(_random.Next(0, 200),
                    Math.Round(0.5 + 0.5 * _random.NextDouble(), 3), Math.Round(0.2 + 0.7 * _random.NextDouble(), 3));
        return records;
    }

    private Institution NewInstitution(int number)
    {
        var county = Weighted(Counties);
        string[] regions = _random.Next(20) switch
        {
            < 3 => [],                                   // national: no restriction
            3 => ["33", "32", "37", "44"],
            < 12 => [county[..2]],                       // a province
            < 15 => [county[..4]],                       // a city
            < 17 => [county[..4] + "00"],                // a city written as GB/T 2260 "330400"
            _ => [county],                               // a county (a rural bank, a small-loan company)
        };
        return new Institution($"I{number:D4}", Pick(Banks), regions);
    }

    private string[] ProductRegions(Institution institution)
    {
        var roll = _random.Next(20);
        if (roll < 9) return [];                                  // everywhere the institution serves
        var served = institution.RegionCodes.Length == 0 ? Provinces : institution.RegionCodes;
        var inside = Counties.Where(c => served.Any(s => c.Code.StartsWith(Codes.NormaliseRegionPrefix(s), StringComparison.Ordinal)))
            .Select(c => c.Code).ToArray();
        if (inside.Length == 0) inside = [Counties[0].Code];
        return roll switch
        {
            < 14 => [Pick(inside)[..4]],                          // a city
            < 17 => [Pick(inside)],                               // a county
            < 19 => [Pick(inside), Pick(inside)],                 // a few counties
            _ => [Weighted(Counties)[..2]],                       // a province, perhaps not the institution's: never matches there
        };
    }

    private string[] ProductIndustries() => _random.Next(10) switch
    {
        < 5 => [],
        < 8 => [Pick(IndustryPrefixes)],
        _ => [Pick(IndustryPrefixes), Pick(IndustryPrefixes), Pick(IndustryPrefixes)],
    };

    private PolicySupport[] PolicySupports() => _random.Next(10) switch
    {
        < 7 => [],
        7 => [PolicySupport.InterestSubsidy],
        8 => [PolicySupport.RiskCompensation],
        _ => [PolicySupport.InterestSubsidy, PolicySupport.GovGuarantee],
    };

    private (GuaranteeMode[] Modes, EnterpriseTag[] Tags, TaxCreditLevel? MinTax) KindRules(ProductKind kind) => kind switch
    {
        ProductKind.CreditLoan => (Chance(0.7) ? Credit : CreditOrGuarantee, Chance(0.1) ? [EnterpriseTag.Specialized] : [], Chance(0.4) ? TaxCreditLevel.B : null),
        ProductKind.TaxCredit => (Credit, [], Chance(0.5) ? TaxCreditLevel.A : TaxCreditLevel.B),
        ProductKind.TechLoan => (Chance(0.5) ? CreditOrGuarantee : AnyMode, Chance(0.5) ? [Chance(0.5) ? EnterpriseTag.TechSme : EnterpriseTag.HighTech] : [], null),
        ProductKind.IpPledge => (Pledge, Chance(0.3) ? [EnterpriseTag.HighTech] : [], null),
        ProductKind.Receivables or ProductKind.WarehouseReceipt => (Pledge, [], Chance(0.2) ? TaxCreditLevel.M : null),
        ProductKind.SupplyChain => (CreditOrPledge, [], null),
        ProductKind.MortgageLoan => (Chance(0.8) ? Mortgage : MortgageOrGuarantee, [], null),
        ProductKind.FirstLoan => (CreditOrGuarantee, [], null),
        ProductKind.Renewal => ([GuaranteeMode.Credit, GuaranteeMode.Mortgage, GuaranteeMode.Guarantee], [], TaxCreditLevel.M),
        ProductKind.GreenLoan => (Chance(0.5) ? Credit : [GuaranteeMode.Credit, GuaranteeMode.Mortgage], Chance(0.6) ? [EnterpriseTag.Green] : [], null),
        ProductKind.GovProcurement => (Credit, [], TaxCreditLevel.B),
        ProductKind.TalentLoan => (Credit, Chance(0.3) ? [EnterpriseTag.HighTech] : [], null),
        ProductKind.Guarantee => (GuaranteeOnly, [], null),
        _ => (Credit, Chance(0.5) ? [EnterpriseTag.ForeignTrade] : [], null),
    };

    private static string KindName(ProductKind kind) => kind switch
    {
        ProductKind.CreditLoan => "信用贷", ProductKind.MortgageLoan => "抵押贷", ProductKind.IpPledge => "知识产权质押贷",
        ProductKind.Receivables => "应收账款融资", ProductKind.WarehouseReceipt => "仓单质押贷", ProductKind.SupplyChain => "供应链贷",
        ProductKind.GovProcurement => "政采贷", ProductKind.TaxCredit => "税银贷", ProductKind.TechLoan => "科技贷",
        ProductKind.TalentLoan => "人才贷", ProductKind.GreenLoan => "绿色贷", ProductKind.FirstLoan => "首贷通",
        ProductKind.Renewal => "无还本续贷", ProductKind.Guarantee => "政策性担保", _ => "出口信用保险",
    };

    private double LogUniform(double min, double max) => Math.Exp(Math.Log(min) + (Math.Log(max) - Math.Log(min)) * _random.NextDouble());
    private static decimal RoundTo(double value, decimal step) => Math.Max(step, Math.Round((decimal)value / step) * step);
    private static decimal RoundTo(decimal value, decimal step) => Math.Max(step, Math.Round(value / step) * step);
    private bool Chance(double p) => _random.NextDouble() < p;
    private T Pick<T>(T[] values) => values[_random.Next(values.Length)];

    private T Weighted<T>((T Value, int Weight)[] values)
    {
        var total = 0;
        foreach (var v in values) total += v.Weight;
        var roll = _random.Next(total);
        foreach (var v in values)
        {
            if (roll < v.Weight) return v.Value;
            roll -= v.Weight;
        }
        return values[^1].Value;
    }
}
