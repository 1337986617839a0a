using System.Numerics;

namespace FinanceSupermarket.Matching;

/// <summary>
/// The product attributes the index keeps a bitset of, so that a request narrows its candidates with a few word-wide
/// ANDs before any product is scored. Each bitset is exact or a superset of the products that pass its rule (amount,
/// term and rate are bucketed), so the scoring loop still checks every rule and the ranking is unchanged.
/// Region and industry prefixes have bitsets of their own (<see cref="Block.Regions"/>, <see cref="Block.Industries"/>).
/// </summary>
internal static class Attributes
{
    // Products accepting guarantee mode bit b; allowing enterprise size bit b.
    public const int Guarantee = 0, Size = Guarantee + 8;
    // Products only for first-time borrowers (首贷) and only for renewals (续贷): Entry's loan-history flags.
    public const int FirstLoanOnly = Size + 8, RenewalOnly = FirstLoanOnly + 1;
    public const int AllIndustries = RenewalOnly + 1;
    // Cumulative: TaxAtMost + (level + 1) holds the products whose minimum tax credit level is at most that level (−1 = none).
    public const int TaxAtMost = AllIndustries + 1, TaxLevels = 7;
    // Cumulative: YearsAtMost + y holds the products asking at most y years in business (y < YearsLevels).
    public const int YearsAtMost = TaxAtMost + TaxLevels, YearsLevels = 9;
    // A product is in every amount and term bucket its range meets.
    public const int Amount = YearsAtMost + YearsLevels, AmountBuckets = 1 + 63 * 4;
    public const int Term = Amount + AmountBuckets, TermBuckets = 29;
    // Cumulative: RateAtMost + b holds the products whose floor rate falls in bucket b or below.
    public const int RateAtMost = Term + TermBuckets, RateBuckets = 66;
    public const int Count = RateAtMost + RateBuckets;

    /// <summary>The fixed attributes of a product (not its regions or industries).</summary>
    public static int[] Of(in Entry e)
    {
        var ids = new List<int>(48);
        for (var b = 0; b < 8; b++)
        {
            if ((e.GuaranteeMask & (1 << b)) != 0) ids.Add(Guarantee + b);
            if ((e.SizeMask & (1 << b)) != 0) ids.Add(Size + b);
        }
        if ((e.Flags & Entry.FirstLoanOnlyFlag) != 0) ids.Add(FirstLoanOnly);
        if ((e.Flags & Entry.RenewalOnlyFlag) != 0) ids.Add(RenewalOnly);
        if (e.IndustryCount == 0) ids.Add(AllIndustries);
        for (var level = Math.Max(e.MinTaxLevel, (sbyte)-1) + 1; level < TaxLevels; level++) ids.Add(TaxAtMost + level);
        for (var years = Math.Max((int)e.MinYears, 0); years < YearsLevels; years++) ids.Add(YearsAtMost + years);

        // Bounds with more decimals than the scale are widened by one unit: the buckets must hold every product that may pass.
        var inexact = (e.Flags & Entry.InexactFlag) != 0 ? 1 : 0;
        var amountLow = AmountBucket(Widen(e.MinAmount, -inexact));
        var amountHigh = AmountBucket(Widen(e.MaxAmount, inexact));
        for (var b = amountLow; b <= amountHigh; b++) ids.Add(Amount + b);
        for (int b = TermBucket(e.MinTerm), high = TermBucket(e.MaxTerm); b <= high; b++) ids.Add(Term + b);
        for (var b = RateBucket(Widen(e.MinRate, -inexact)); b < RateBuckets; b++) ids.Add(RateAtMost + b);
        return ids.ToArray();
    }

    /// <summary>The bitset of tax levels at most <paramref name="level"/>, or −1 when the level is outside the table (no narrowing).</summary>
    public static int TaxPass(int level) => level is >= -1 and < TaxLevels - 1 ? TaxAtMost + level + 1 : -1;

    public static int YearsPass(int years) => years is >= 0 and < YearsLevels ? YearsAtMost + years : -1;

    /// <summary>Quarter-octave buckets of a scaled amount: 0 for none or less, then monotone in the amount.</summary>
    public static int AmountBucket(long scaled)
    {
        if (scaled <= 0) return 0;
        var leadingZeros = BitOperations.LeadingZeroCount((ulong)scaled);
        var octave = 63 - leadingZeros;
        var quarter = (int)(((ulong)scaled << leadingZeros) >> 61) & 3;
        return 1 + octave * 4 + quarter;   // octave ≤ 62 for a positive long
    }

    /// <summary>Months bucketed finely where requests cluster (a month each up to a year), coarsely beyond: monotone.</summary>
    public static int TermBucket(int months) => months switch
    {
        <= 0 => 0,
        <= 12 => months,
        <= 24 => 13 + (months - 13) / 3,
        <= 60 => 17 + (months - 25) / 6,
        <= 120 => 23 + (months - 61) / 12,
        _ => 28,
    };

    /// <summary>Buckets of a quarter percent point of a scaled rate: monotone.</summary>
    public static int RateBucket(long scaled) =>
        scaled <= 0 ? 0 : 1 + (int)Math.Min(scaled / (Entry.RateScale / 4), RateBuckets - 2);

    private static long Widen(long value, int by) =>
        by < 0 ? (value == long.MinValue ? value : value - 1) : by > 0 ? (value == long.MaxValue ? value : value + 1) : value;
}
