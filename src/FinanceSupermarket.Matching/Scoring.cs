using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Matching;

/// <summary>
/// The soft ranking of products that passed every hard rule: a weighted sum, 0..100, rounded to 2 decimals.
/// This is the one place where the ranking is defined; each component is a value in 0..1 times its weight.
/// <code>
/// component        weight  value 0..1
/// ---------------  ------  ------------------------------------------------------------------------------
/// rate                 30  (15% − MinRate) / (15% − 2.5%), clamped: the cheaper the product's floor rate, the better
/// amount fit            8  where the amount sits in [MinAmount, MaxAmount] on a log scale: 1 when at least 25% of
///                          the range away from both edges, falling linearly to 0 at an edge; 1 when Min == Max
/// term fit              7  the same on the linear scale of months in [MinTermMonths, MaxTermMonths]
/// approval speed       10  (30 − ApprovalDays) / 29, clamped: 1 day or less = 1, 30 days or more = 0
/// purpose fit          15  1 for the kinds made for the purpose (table below), 0.5 for general-purpose kinds
///                          (credit_loan, first_loan, tax_credit, guarantee, insurance), else 0
/// first loan           10  for a 首贷户 (HasLoanHistory == false): 1 when FirstLoanFriendly or kind first_loan,
///                          else 0; for an enterprise with loan history it is no differentiator: 1 for all
/// policy support       10  distinct supports / 3: 贴息 interest_subsidy, 风险补偿 risk_compensation,
///                          政府性融资担保 gov_guarantee
/// track record         10  0.5 × on-time answer rate + 0.5 × approval rate, shrunk towards 0.5 by 5 pseudo-answers
///                          (n answers: (n·raw + 5·0.5) / (n + 5)); neutral 0.5 with no record or no answers
///
/// purpose          kinds made for it (value 1)
/// ---------------  ------------------------------------------------------------------------------
/// working_capital  credit_loan, tax_credit, supply_chain, gov_procurement, first_loan
/// equipment        mortgage_loan, green_loan (energy-saving upgrades; leasing is an institution kind, not a product kind)
/// r_and_d          tech_loan, ip_pledge, talent_loan
/// trade            receivables, supply_chain, warehouse_receipt
/// expansion        credit_loan, green_loan, mortgage_loan, tech_loan
/// refinancing      renewal (无还本续贷)
/// </code>
/// Ties break by MinRate ascending, then product Id (ordinal) ascending, so rankings are deterministic.
/// Near misses are scored the same way (an amount or term outside the range simply has fit 0).
/// </summary>
public static class Scoring
{
    public const double RateWeight = 30;
    public const double AmountFitWeight = 8;
    public const double TermFitWeight = 7;
    public const double ApprovalSpeedWeight = 10;
    public const double PurposeFitWeight = 15;
    public const double FirstLoanWeight = 10;
    public const double PolicySupportWeight = 10;
    public const double TrackRecordWeight = 10;

    /// <summary>The band the rate value is measured in: 2.5% and below scores 1, 15% and above 0 (annual percent).</summary>
    public const double BestRate = 2.5, WorstRate = 15;
    /// <summary>Approval within this many days scores 1; this many days or more scores 0.</summary>
    public const int FastestApprovalDays = 1, SlowestApprovalDays = 30;
    /// <summary>Share of the range, from each edge, under which an amount or term counts as less than comfortably inside.</summary>
    public const double ComfortMargin = 0.25;
    public const double GeneralPurposeFit = 0.5;
    /// <summary>Answers worth of neutral prior mixed into a track record, so that two lucky answers do not dominate.</summary>
    public const double TrackRecordPriorAnswers = 5;
    public const double NeutralTrackRecord = 0.5;

    private const int KindCount = (int)ProductKind.Insurance + 1;
    private const int PurposeCount = (int)FinancingPurpose.Refinancing + 1;
    // One extra column and row of zeros for values outside the enums, so the hot path needs no range checks.
    internal const int TableColumns = KindCount + 1;

    // [purpose * TableColumns + kind]
    private static readonly double[] PurposeFitTable = BuildPurposeFitTable();

    /// <summary>
    /// The score <see cref="ProductIndex.Match"/> gives this product for this query (whether or not it is eligible),
    /// computed by the same code. <paramref name="trackRecord"/> is the product's institution's record, if any.
    /// </summary>
    public static double Score(ProductListing product, MatchQuery query, InstitutionTrackRecord? trackRecord = null)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(query);
        var entry = Entry.Compile(product);
        var context = new QueryContext(query);
        return Total(in entry, TrackRecordPart(trackRecord), in context);
    }

    /// <summary>Purpose fit value 0..1 of a product kind for a purpose (the table above).</summary>
    public static double PurposeFit(FinancingPurpose purpose, ProductKind kind) =>
        PurposeFitTable[PurposeRow(purpose) + KindColumn(kind)];

    /// <summary>Track record value 0..1 (0.5 = neutral).</summary>
    public static double TrackRecordValue(InstitutionTrackRecord? record)
    {
        if (record is null || record.AnsweredCount <= 0) return NeutralTrackRecord;
        var raw = 0.5 * Unit(record.OnTimeAnswerRate) + 0.5 * Unit(record.ApprovalRate);
        double n = record.AnsweredCount;
        return (n * raw + TrackRecordPriorAnswers * NeutralTrackRecord) / (n + TrackRecordPriorAnswers);
    }

    public static double RateValue(decimal minRate) => Clamp01((WorstRate - (double)minRate) / (WorstRate - BestRate));

    public static double ApprovalSpeedValue(int approvalDays) =>
        Clamp01((SlowestApprovalDays - (double)approvalDays) / (SlowestApprovalDays - FastestApprovalDays));

    public static double PolicySupportValue(IReadOnlyList<PolicySupport> support)
    {
        var mask = 0;
        foreach (var s in support) if ((uint)s < 3) mask |= 1 << (int)s;
        return System.Numerics.BitOperations.PopCount((uint)mask) / 3.0;
    }

    /// <summary>The most the track record and the request-dependent parts can add to a product's static part.</summary>
    internal const double MaxRequestDependent = TrackRecordWeight + AmountFitWeight + TermFitWeight + PurposeFitWeight + FirstLoanWeight;

    /// <summary>
    /// By <see cref="Block.BoundCell"/> (kind, first-loan friendliness): the most a product's track record and this request's
    /// fits can add to its static part, plus a cent for the rounding to 2 decimals, so that a static part plus this bounds the
    /// score from above.
    /// </summary>
    internal static void MostAdded(in QueryContext q, Span<double> additions)
    {
        for (var kind = 0; kind < TableColumns; kind++)
        for (var friendly = 0; friendly < 2; friendly++)
            additions[kind * 2 + friendly] = TrackRecordWeight + AmountFitWeight + TermFitWeight
                + PurposeFitWeight * PurposeFitTable[q.PurposeRow + kind]
                + FirstLoanWeight * (!q.FirstLoanSeeker || friendly == 1 ? 1 : 0) + 0.02;
    }

    // The parts that depend only on the product: computed once per product, not per request.
    internal static double StaticPart(ProductListing p) =>
        RateWeight * RateValue(p.MinRate)
        + ApprovalSpeedWeight * ApprovalSpeedValue(p.ApprovalDays)
        + PolicySupportWeight * PolicySupportValue(p.PolicySupport ?? []);

    internal static double TrackRecordPart(InstitutionTrackRecord? record) => TrackRecordWeight * TrackRecordValue(record);

    /// <summary>
    /// The hot-path score: the product's precomputed part, its institution's track record part (kept apart so that new
    /// track records touch no product) and the request-dependent parts, always summed in this order.
    /// </summary>
    internal static double Total(in Entry e, double trackRecordPart, in QueryContext q)
    {
        double amountPosition = e.InvLogAmountSpan > 0
            ? (q.LogAmount - e.LogMinAmount) * e.InvLogAmountSpan
            : PointPosition(q.LogAmount, e.LogMinAmount);
        double termPosition = e.InvTermSpan > 0
            ? (q.TermMonths - e.MinTerm) * e.InvTermSpan
            : PointPosition(q.TermMonths, e.MinTerm);
        double firstLoan = !q.FirstLoanSeeker || (e.Flags & Entry.FirstLoanFriendlyFlag) != 0 ? 1 : 0;
        double raw = e.StaticPart + trackRecordPart
            + AmountFitWeight * Comfort(amountPosition)
            + TermFitWeight * Comfort(termPosition)
            + PurposeFitWeight * PurposeFitTable[q.PurposeRow + e.Kind]
            + FirstLoanWeight * firstLoan;
        return Math.Round(raw, 2, MidpointRounding.AwayFromZero);
    }

    // A range of one value: the request is at its centre when it equals it, outside otherwise.
    private static double PointPosition(double value, double only) => value == only ? 0.5 : -1;

    private static double Comfort(double position)
    {
        var edge = Math.Min(position, 1 - position);
        return edge >= ComfortMargin ? 1 : edge <= 0 ? 0 : edge / ComfortMargin;
    }

    internal static int PurposeRow(FinancingPurpose purpose) => ((uint)purpose < PurposeCount ? (int)purpose : PurposeCount) * TableColumns;
    internal static byte KindColumn(ProductKind kind) => (byte)((uint)kind < KindCount ? (int)kind : KindCount);

    private static double Clamp01(double v) => v >= 1 ? 1 : v > 0 ? v : 0;   // NaN → 0
    private static double Unit(double v) => double.IsNaN(v) ? NeutralTrackRecord : Clamp01(v);

    private static double[] BuildPurposeFitTable()
    {
        var table = new double[(PurposeCount + 1) * TableColumns];
        ProductKind[] general = [ProductKind.CreditLoan, ProductKind.FirstLoan, ProductKind.TaxCredit, ProductKind.Guarantee, ProductKind.Insurance];
        void Made(FinancingPurpose purpose, params ProductKind[] kinds)
        {
            foreach (var k in general) table[(int)purpose * TableColumns + (int)k] = GeneralPurposeFit;
            foreach (var k in kinds) table[(int)purpose * TableColumns + (int)k] = 1;
        }
        Made(FinancingPurpose.WorkingCapital, ProductKind.CreditLoan, ProductKind.TaxCredit, ProductKind.SupplyChain, ProductKind.GovProcurement, ProductKind.FirstLoan);
        Made(FinancingPurpose.Equipment, ProductKind.MortgageLoan, ProductKind.GreenLoan);
        Made(FinancingPurpose.RAndD, ProductKind.TechLoan, ProductKind.IpPledge, ProductKind.TalentLoan);
        Made(FinancingPurpose.Trade, ProductKind.Receivables, ProductKind.SupplyChain, ProductKind.WarehouseReceipt);
        Made(FinancingPurpose.Expansion, ProductKind.CreditLoan, ProductKind.GreenLoan, ProductKind.MortgageLoan, ProductKind.TechLoan);
        Made(FinancingPurpose.Refinancing, ProductKind.Renewal);
        return table;
    }
}
