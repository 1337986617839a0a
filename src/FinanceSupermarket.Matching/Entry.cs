using System.Runtime.CompilerServices;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Matching;

/// <summary>
/// One product as the scoring loop reads it (80 bytes): the hard rules' fields as scaled integers and bitmasks, and the
/// request-independent part of its score, so that neither a rejection nor a score touches the
/// <see cref="ProductListing"/> object. It sits in its product's slot of a <see cref="Block"/>.
/// </summary>
internal struct Entry
{
    public const byte FirstLoanFriendlyFlag = 1;
    /// <summary>An amount or rate bound has more decimals than its scale: compare the decimals themselves.</summary>
    public const byte InexactFlag = 2;
    /// <summary>首贷: for enterprises without loan history only; 续贷: for those with one (a hard rule).</summary>
    public const byte FirstLoanOnlyFlag = 4;
    public const byte RenewalOnlyFlag = 8;

    public long MinAmount, MaxAmount;      // yuan × AmountScale
    public long MinRate;                   // percent × RateScale
    public double StaticPart;              // Scoring.StaticPart (the track record part is added per institution)
    public double LogMinAmount, InvLogAmountSpan, InvTermSpan;
    public int MinTerm, MaxTerm;
    public int InstitutionSlot;            // into IndexSnapshot's track record parts
    public ushort IndustryCount;           // 0 = all industries
    public short MinYears;
    public sbyte MinTaxLevel;              // -1 = no minimum
    public byte Kind;                      // Scoring.KindColumn
    public byte SizeMask, RequiredTags, GuaranteeMask, Flags;

    public const long AmountScale = 10_000, RateScale = 1_000_000;

    public static Entry Compile(ProductListing p)
    {
        var inexact = false;
        var e = new Entry
        {
            StaticPart = Scoring.StaticPart(p),
            MinAmount = ScaleUp(p.MinAmount, AmountScale, ref inexact),
            MaxAmount = ScaleDown(p.MaxAmount, AmountScale, ref inexact),
            MinRate = ScaleUp(p.MinRate, RateScale, ref inexact),
            MinTerm = p.MinTermMonths,
            MaxTerm = p.MaxTermMonths,
            InvTermSpan = p.MaxTermMonths > p.MinTermMonths ? 1.0 / (p.MaxTermMonths - p.MinTermMonths) : 0,
            MinYears = (short)Math.Clamp(p.MinYearsInBusiness, short.MinValue, short.MaxValue),
            MinTaxLevel = p.MinTaxCreditLevel is { } level ? (sbyte)level : (sbyte)-1,
            Kind = Scoring.KindColumn(p.Kind),
            SizeMask = Mask(p.EnterpriseSizes, emptyMeansAll: true),
            RequiredTags = Mask(p.RequiredTags, emptyMeansAll: false),
            GuaranteeMask = Mask(p.GuaranteeModes, emptyMeansAll: false),
        };
        e.LogMinAmount = LogAmount(p.MinAmount);
        var logSpan = LogAmount(p.MaxAmount) - e.LogMinAmount;
        e.InvLogAmountSpan = logSpan > 0 ? 1.0 / logSpan : 0;
        if (p.FirstLoanFriendly || p.Kind == ProductKind.FirstLoan) e.Flags |= FirstLoanFriendlyFlag;
        if (inexact) e.Flags |= InexactFlag;
        if (p.Kind == ProductKind.FirstLoan) e.Flags |= FirstLoanOnlyFlag;
        if (p.Kind == ProductKind.Renewal) e.Flags |= RenewalOnlyFlag;
        return e;
    }

    internal static double LogAmount(decimal amount) => Math.Log(Math.Max((double)amount, 1));

    internal static byte Mask<T>(IReadOnlyList<T>? values, bool emptyMeansAll) where T : struct, Enum
    {
        if (values is null || values.Count == 0) return emptyMeansAll ? byte.MaxValue : (byte)0;
        var mask = 0;
        foreach (var v in values)
        {
            var bit = Unsafe.As<T, int>(ref Unsafe.AsRef(in v));
            if ((uint)bit < 8) mask |= 1 << bit;
        }
        return (byte)mask;
    }

    // Lower bounds round up, upper bounds round down: exact whenever the bound has at most the scale's decimals,
    // and flagged otherwise (the index then compares the decimals).
    private static long ScaleUp(decimal value, long scale, ref bool inexact)
    {
        var scaled = Saturate(value, scale) * scale;
        var whole = decimal.Ceiling(scaled);
        inexact |= whole != scaled;
        return ToLong(whole);
    }

    private static long ScaleDown(decimal value, long scale, ref bool inexact)
    {
        var scaled = Saturate(value, scale) * scale;
        var whole = decimal.Floor(scaled);
        inexact |= whole != scaled;
        return ToLong(whole);
    }

    internal static long ToLong(decimal whole) =>
        whole >= long.MaxValue ? long.MaxValue : whole <= long.MinValue ? long.MinValue : (long)whole;

    internal static long Floor(decimal value, long scale) => ToLong(decimal.Floor(Saturate(value, scale) * scale));
    internal static long Ceiling(decimal value, long scale) => ToLong(decimal.Ceiling(Saturate(value, scale) * scale));

    // Keeps value × scale inside decimal's range (≈ 7.9e28); any such value is beyond long anyway.
    private static decimal Saturate(decimal value, long scale)
    {
        var limit = decimal.MaxValue / scale;
        return value > limit ? limit : value < -limit ? -limit : value;
    }
}

/// <summary>A request turned into the same scaled integers and masks as <see cref="Entry"/>, once per request.</summary>
internal readonly struct QueryContext
{
    // Exactness: for an integer product bound m, m ≤ x ⇔ m ≤ ⌊x⌋ and x ≤ m ⇔ ⌈x⌉ ≤ m.
    public readonly long AmountFloor, AmountCeiling, MaxRateFloor;
    public readonly double LogAmount;
    public readonly int TermMonths, YearsInBusiness, TaxLevel, PurposeRow;
    public readonly byte SizeBit, Tags, GuaranteeMask;
    public readonly bool FirstLoanSeeker;

    /// <summary>The entry flag that rules a product out for this enterprise's loan history (renewals for a first-loan seeker, first loans otherwise).</summary>
    public readonly byte ExcludedByLoanHistory;

    public QueryContext(MatchQuery q)
    {
        var enterprise = q.Enterprise;
        AmountFloor = Entry.Floor(q.Amount, Entry.AmountScale);
        AmountCeiling = Entry.Ceiling(q.Amount, Entry.AmountScale);
        MaxRateFloor = q.MaxRate is { } max ? Entry.Floor(max, Entry.RateScale) : long.MaxValue;
        LogAmount = Entry.LogAmount(q.Amount);
        TermMonths = q.TermMonths;
        YearsInBusiness = WholeYears(enterprise.EstablishedOn, q.Today);
        TaxLevel = (int)enterprise.TaxCreditLevel;
        PurposeRow = Scoring.PurposeRow(q.Purpose);
        SizeBit = (uint)enterprise.Size < 8 ? (byte)(1 << (int)enterprise.Size) : (byte)0;
        Tags = Entry.Mask(enterprise.Tags, emptyMeansAll: false);
        GuaranteeMask = Entry.Mask(q.GuaranteeModes, emptyMeansAll: false);
        FirstLoanSeeker = !enterprise.HasLoanHistory;
        ExcludedByLoanHistory = FirstLoanSeeker ? Entry.RenewalOnlyFlag : Entry.FirstLoanOnlyFlag;
    }

    /// <summary>
    /// Whole years from establishment to today; an anniversary on 29 February falls on 28 February in other years
    /// (as <see cref="DateOnly.AddYears"/>). Not yet established counts as 0.
    /// </summary>
    public static int WholeYears(DateOnly establishedOn, DateOnly today)
    {
        if (today <= establishedOn) return 0;
        var years = today.Year - establishedOn.Year;
        if (establishedOn.AddYears(years) > today) years--;
        return years;
    }
}
