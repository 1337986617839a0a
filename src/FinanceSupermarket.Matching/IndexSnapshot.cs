using System.Buffers;
using System.Runtime.CompilerServices;

namespace FinanceSupermarket.Matching;

/// <summary>
/// An immutable view of every listed product, built by the writer and read lock-free by any number of requests.
/// <para>
/// Layout: the entries array holds each product once per effective region prefix, grouped so that the products
/// serving one prefix are a contiguous run. A request for region "330421" visits the runs of "", "3", "33", "330",
/// "3304", "33042" and "330421" and nothing else: products of other regions cost nothing, and a product is met at
/// most once because its prefixes never cover one another. Within a run the checks are integer compares and
/// bitmask tests on one packed struct that also holds the product's precomputed scoring data, so the scan
/// reads memory strictly in order (measured: splitting the scoring data into a second array was slower, as
/// thousands of near misses and eligible products then cost a random access each); the product object is
/// touched only for products kept in the top N.
/// </para>
/// </summary>
internal sealed class IndexSnapshot
{
    private const int StackCandidates = 64;

    public static readonly IndexSnapshot Empty = new([], [], [], [],
        new Dictionary<string, int>(StringComparer.Ordinal), new Dictionary<string, int>(StringComparer.Ordinal),
        new Dictionary<string, InstitutionTrackRecord>(StringComparer.Ordinal));

    private readonly ProductListing[] _products;
    private readonly Entry[] _entries;
    private readonly (int Start, int Count)[] _regionRuns;      // by region id
    private readonly int[] _industryIds;                        // the products' industry prefix ids, end to end
    private readonly Dictionary<string, int> _regionIdsTable, _industryIdsTable;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _regionIdsBySpan, _industryIdsBySpan;
    private readonly Dictionary<string, InstitutionTrackRecord> _trackRecords;

    public IndexSnapshot(ProductListing[] products, Entry[] entries, (int Start, int Count)[] regionRuns, int[] industryIds,
        Dictionary<string, int> regionIds, Dictionary<string, int> industryIdsTable, Dictionary<string, InstitutionTrackRecord> trackRecords)
    {
        _products = products;
        _entries = entries;
        _regionRuns = regionRuns;
        _industryIds = industryIds;
        _regionIdsTable = regionIds;
        _industryIdsTable = industryIdsTable;
        _regionIdsBySpan = regionIds.GetAlternateLookup<ReadOnlySpan<char>>();
        _industryIdsBySpan = industryIdsTable.GetAlternateLookup<ReadOnlySpan<char>>();
        _trackRecords = trackRecords;
    }

    public int Count => _products.Length;

    /// <summary>
    /// Writer side: one pass over the compiled products, no string hashing; the run sizes are kept up to date by the
    /// writer (<paramref name="regionCounts"/>, <paramref name="industryTotal"/>), so nothing is counted here.
    /// </summary>
    public static IndexSnapshot Build(List<CompiledProduct> all, List<int> regionCounts, int industryTotal,
        InternTable regions, InternTable industries, InternTable institutions,
        Dictionary<string, InstitutionTrackRecord> trackRecords, IndexSnapshot previous)
    {
        var trackParts = new double[institutions.Count];
        for (var i = 0; i < trackParts.Length; i++)
            trackParts[i] = Scoring.TrackRecordPart(trackRecords.GetValueOrDefault(institutions[i]));

        var runs = new (int Start, int Count)[regions.Count];
        var cursor = new int[runs.Length];
        var total = 0;
        for (var r = 0; r < runs.Length; r++)
        {
            runs[r] = (total, regionCounts[r]);
            cursor[r] = total;
            total += regionCounts[r];
        }

        var products = new ProductListing[all.Count];
        // Every element is written below: no need to zero 10 MB first.
        var entries = GC.AllocateUninitializedArray<Entry>(total);
        var industryIds = GC.AllocateUninitializedArray<int>(industryTotal);
        var industryAt = 0;
        for (var i = 0; i < products.Length; i++)
        {
            var cp = all[i];
            products[i] = cp.Product;
            var e = cp.Template;
            e.Ordinal = i;
            e.StaticScore = cp.StaticPart + trackParts[cp.InstitutionSlot];
            e.IndustryStart = industryAt;
            e.IndustryCount = (ushort)cp.IndustryIds.Length;
            foreach (var id in cp.IndustryIds) industryIds[industryAt++] = id;
            foreach (var r in cp.RegionIds) entries[cursor[r]++] = e;
        }

        System.Diagnostics.Debug.Assert(industryAt == industryTotal, "industry prefix count out of step");
        for (var r = 0; r < runs.Length; r++)
            System.Diagnostics.Debug.Assert(cursor[r] == runs[r].Start + runs[r].Count, "region run sizes out of step");

        var regionTable = regions.Count == previous._regionIdsTable.Count ? previous._regionIdsTable : regions.Frozen();
        var industryTable = industries.Count == previous._industryIdsTable.Count ? previous._industryIdsTable : industries.Frozen();
        return new IndexSnapshot(products, entries, runs, industryIds, regionTable, industryTable, trackRecords);
    }

    public MatchResult Match(MatchQuery query)
    {
        var capacity = Math.Min(query.Limit, _products.Length);
        if (capacity <= 0) return new MatchResult([], [], null);
        var q = new QueryContext(query);

        Candidate[]? rentedMatches = null, rentedNear = null;
        Span<Candidate> matchStorage = capacity <= StackCandidates
            ? stackalloc Candidate[capacity]
            : (rentedMatches = ArrayPool<Candidate>.Shared.Rent(capacity)).AsSpan(0, capacity);
        var nearCapacity = query.IncludeNearMisses ? capacity : 0;
        Span<Candidate> nearStorage = nearCapacity <= StackCandidates
            ? stackalloc Candidate[nearCapacity]
            : (rentedNear = ArrayPool<Candidate>.Shared.Rent(nearCapacity)).AsSpan(0, nearCapacity);
        try
        {
            var industry = (query.Enterprise.IndustryCode ?? "").AsSpan().Trim();
            Span<int> industryMatches = industry.Length < StackCandidates ? stackalloc int[industry.Length + 1] : new int[industry.Length + 1];
            var industryCount = 0;
            for (var length = 1; length <= industry.Length; length++)
                if (_industryIdsBySpan.TryGetValue(industry[..length], out var id)) industryMatches[industryCount++] = id;
            industryMatches = industryMatches[..industryCount];

            var matches = new TopN(matchStorage, _products);
            var nearMisses = new TopN(nearStorage, _products);
            var region = (query.Enterprise.RegionCode ?? "").AsSpan().Trim();
            for (var length = 0; length <= region.Length; length++)
            {
                if (!_regionIdsBySpan.TryGetValue(region[..length], out var regionId)) continue;
                var (start, count) = _regionRuns[regionId];
                var run = new ReadOnlySpan<Entry>(_entries, start, count);
                if (query.IncludeNearMisses) ScanWithNearMisses(run, in q, query, industryMatches, ref matches, ref nearMisses);
                else Scan(run, in q, query, industryMatches, ref matches);
            }
            return new MatchResult(ToMatches(ref matches, query), ToNearMisses(ref nearMisses, query), null);
        }
        finally
        {
            if (rentedMatches is not null) ArrayPool<Candidate>.Shared.Return(rentedMatches);
            if (rentedNear is not null) ArrayPool<Candidate>.Shared.Return(rentedNear);
        }
    }

    // The hot loop: cheapest and most selective checks first, each a compare or a mask test.
    private void Scan(ReadOnlySpan<Entry> run, in QueryContext q, MatchQuery query, ReadOnlySpan<int> industryMatches, ref TopN top)
    {
        foreach (ref readonly var e in run)
        {
            if (q.AmountFloor < e.MinAmount || q.AmountCeiling > e.MaxAmount || q.MaxRateFloor < e.MinRate)
            {
                if ((e.Flags & Entry.InexactFlag) == 0 || !ExactAmount(in e, query) || !ExactRate(in e, query)) continue;
            }
            if (q.TermMonths < e.MinTerm || q.TermMonths > e.MaxTerm) continue;
            if ((e.GuaranteeMask & q.GuaranteeMask) == 0 || (e.Flags & q.ExcludedByLoanHistory) != 0) continue;
            if ((e.SizeMask & q.SizeBit) == 0 || (e.RequiredTags & ~q.Tags) != 0) continue;
            if (q.YearsInBusiness < e.MinYears || q.TaxLevel < e.MinTaxLevel) continue;
            if (e.IndustryCount != 0 && !IndustryAllowed(in e, industryMatches)) continue;
            var score = Scoring.Total(in e, in q);
            if (score < top.Threshold) continue;
            top.Offer(new Candidate { Score = score, MinRate = e.MinRate, Ordinal = e.Ordinal });
        }
    }

    // The same rules, counted without branches (most products fail two or more, so the count is what matters);
    // which rule failed is worked out only for the few that fail exactly one.
    private void ScanWithNearMisses(ReadOnlySpan<Entry> run, in QueryContext q, MatchQuery query, ReadOnlySpan<int> industryMatches,
        ref TopN matches, ref TopN nearMisses)
    {
        foreach (ref readonly var e in run)
        {
            var amount = (q.AmountFloor < e.MinAmount) | (q.AmountCeiling > e.MaxAmount);
            var rate = q.MaxRateFloor < e.MinRate;
            if ((e.Flags & Entry.InexactFlag) != 0)
            {
                amount = amount && !ExactAmount(in e, query);
                rate = rate && !ExactRate(in e, query);
            }
            var term = (q.TermMonths < e.MinTerm) | (q.TermMonths > e.MaxTerm);
            var guarantee = (e.GuaranteeMask & q.GuaranteeMask) == 0;
            var size = (e.SizeMask & q.SizeBit) == 0;
            var tags = (e.RequiredTags & ~q.Tags) != 0;
            var years = q.YearsInBusiness < e.MinYears;
            var tax = q.TaxLevel < e.MinTaxLevel;
            var history = (e.Flags & q.ExcludedByLoanHistory) != 0;
            var failures = Bit(amount) + Bit(rate) + Bit(term) + Bit(guarantee) + Bit(size) + Bit(tags) + Bit(years) + Bit(tax) + Bit(history);
            if (failures > 1) continue;
            var industry = e.IndustryCount != 0 && !IndustryAllowed(in e, industryMatches);
            failures += Bit(industry);
            if (failures > 1) continue;

            var score = Scoring.Total(in e, in q);
            ref var top = ref failures == 0 ? ref matches : ref nearMisses;
            if (score < top.Threshold) continue;
            var failed = failures == 0 ? Rule.None
                : amount ? Rule.Amount : term ? Rule.Term : guarantee ? Rule.GuaranteeMode : rate ? Rule.MaxRate
                : size ? Rule.EnterpriseSize : tags ? Rule.RequiredTags : years ? Rule.YearsInBusiness
                : tax ? Rule.TaxCreditLevel : history ? Rule.LoanHistory : Rule.Industry;
            top.Offer(new Candidate { Score = score, MinRate = e.MinRate, Ordinal = e.Ordinal, FailedRule = failed });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bit(bool value) => value ? 1 : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IndustryAllowed(in Entry e, ReadOnlySpan<int> industryMatches)
    {
        var allowed = new ReadOnlySpan<int>(_industryIds, e.IndustryStart, e.IndustryCount);
        foreach (var id in allowed)
            if (industryMatches.Contains(id)) return true;
        return false;
    }

    private bool ExactAmount(in Entry e, MatchQuery query)
    {
        var p = _products[e.Ordinal];
        return query.Amount >= p.MinAmount && query.Amount <= p.MaxAmount;
    }

    private bool ExactRate(in Entry e, MatchQuery query) => query.MaxRate is not { } max || max >= _products[e.Ordinal].MinRate;

    private IReadOnlyList<Match> ToMatches(ref TopN top, MatchQuery query)
    {
        if (top.Count == 0) return [];
        var result = new Match[top.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            var c = top.PopWorst();
            var product = _products[c.Ordinal];
            result[i] = new Match(product, c.Score, new ReasonList(product, query, TrackRecordOf(product), Rule.None));
        }
        return result;
    }

    private IReadOnlyList<NearMiss> ToNearMisses(ref TopN top, MatchQuery query)
    {
        if (top.Count == 0) return [];
        var result = new NearMiss[top.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            var c = top.PopWorst();
            var product = _products[c.Ordinal];
            result[i] = new NearMiss(product, c.Score, ReasonText.Failed(c.FailedRule, product, query),
                new ReasonList(product, query, TrackRecordOf(product), c.FailedRule));
        }
        return result;
    }

    private InstitutionTrackRecord? TrackRecordOf(ProductListing product) =>
        _trackRecords.Count == 0 ? null : _trackRecords.GetValueOrDefault(product.InstitutionId ?? "");
}
