using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FinanceSupermarket.Matching;

/// <summary>
/// An immutable view of every listed product, published by the writer and read lock-free by any number of requests.
/// <para>
/// Layout: products sit in slots of <see cref="Block"/>s, each block holding the products of one home region, with a
/// bitset per region prefix, industry prefix and bucketed attribute (<see cref="Attributes"/>). A request takes the blocks
/// listed under its region's prefixes ("", "3", "33", … "330421"; no other block is touched), bounds the best score each
/// could give it (<see cref="Block.MaxStatic"/>) and visits them best first, stopping at the first block whose bound is
/// below the worst score of its top N: at a million products most blocks of a region are never read. In a block it ORs
/// the bitsets of its region's prefixes, ANDs those of its amount bucket, term bucket, guarantee modes, size, loan
/// history, tax level, years in business, rate bucket and industry prefixes, a few words each, and scores only the
/// products left, reading their packed <see cref="Entry"/> and checking every rule again (the buckets are supersets).
/// With near misses the bitsets instead count each product's failed rules (twice-failed ones are dropped).
/// </para>
/// <para>
/// A product change copies the one or two blocks it touches — their tables of references, the 64-slot chunk of entries
/// and the bitsets it writes, all small objects — and publishes a new snapshot sharing every other block: O(number of
/// blocks) reference copies and O(chunk) data, whatever the catalogue's size.
/// </para>
/// </summary>
internal sealed class IndexSnapshot
{
    private const int StackCandidates = 64;

    public static readonly IndexSnapshot Empty = new([], [], 0, [],
        new Dictionary<string, int>(StringComparer.Ordinal), new Dictionary<string, int>(StringComparer.Ordinal),
        new Dictionary<string, InstitutionTrackRecord>(StringComparer.Ordinal));

    private readonly Block[] _blocks;
    private readonly int[]?[] _blocksByRegion;                 // by region prefix id: the blocks holding a product served there
    private readonly double[] _trackParts;                      // Scoring.TrackRecordPart by institution slot
    private readonly Dictionary<string, int> _regionIdsTable, _industryIdsTable;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _regionIdsBySpan, _industryIdsBySpan;
    private readonly Dictionary<string, InstitutionTrackRecord> _trackRecords;

    public IndexSnapshot(Block[] blocks, int[]?[] blocksByRegion, int count, double[] trackParts, Dictionary<string, int> regionIds,
        Dictionary<string, int> industryIds, Dictionary<string, InstitutionTrackRecord> trackRecords)
    {
        _blocks = blocks;
        _blocksByRegion = blocksByRegion;
        Count = count;
        _trackParts = trackParts;
        _regionIdsTable = regionIds;
        _industryIdsTable = industryIds;
        _regionIdsBySpan = regionIds.GetAlternateLookup<ReadOnlySpan<char>>();
        _industryIdsBySpan = industryIds.GetAlternateLookup<ReadOnlySpan<char>>();
        _trackRecords = trackRecords;
    }

    /// <summary>Listed products (also those served nowhere, which no block holds).</summary>
    public int Count { get; }

    /// <summary>Writer side: the next snapshot. The blocks must be frozen; the code tables are copied only when they grew.</summary>
    public IndexSnapshot Next(Block[] blocks, int[]?[] blocksByRegion, int count, double[] trackParts, InternTable regions,
        InternTable industries, Dictionary<string, InstitutionTrackRecord> trackRecords) =>
        new(blocks, blocksByRegion, count, trackParts,
            regions.Count == _regionIdsTable.Count ? _regionIdsTable : regions.Frozen(),
            industries.Count == _industryIdsTable.Count ? _industryIdsTable : industries.Frozen(),
            trackRecords);

    public MatchResult Match(MatchQuery query)
    {
        var work = new MatchWork();
        return Match(query, ref work);
    }

    public MatchResult Match(MatchQuery query, ref MatchWork work)
    {
        var capacity = Math.Min(query.Limit, Count);
        if (capacity <= 0) return new MatchResult([], [], null);
        var q = new QueryContext(query);

        Candidate[]? rentedMatches = null, rentedNear = null;
        ulong[]? rentedVisits = null;
        double[]? rentedBounds = null;
        int[]? rentedOrder = null;
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
            Span<int> industryIds = industry.Length < StackCandidates ? stackalloc int[industry.Length + 1] : new int[industry.Length + 1];
            var industryCount = 0;
            for (var length = 1; length <= industry.Length; length++)
                if (_industryIdsBySpan.TryGetValue(industry[..length], out var id)) industryIds[industryCount++] = id;

            var region = (query.Enterprise.RegionCode ?? "").AsSpan().Trim();
            Span<int> regionIds = region.Length < StackCandidates ? stackalloc int[region.Length + 1] : new int[region.Length + 1];
            var regionCount = 0;
            for (var length = 0; length <= region.Length; length++)
                if (_regionIdsBySpan.TryGetValue(region[..length], out var id)) regionIds[regionCount++] = id;

            var filter = new Filter(in q, query.MaxRate is not null, regionIds[..regionCount], industryIds[..industryCount]);
            var matches = new TopN(matchStorage, _blocks);
            var nearMisses = new TopN(nearStorage, _blocks);
            Span<ulong> candidates = stackalloc ulong[Block.Words], industryPass = stackalloc ulong[Block.Words];
            Span<ulong> scratch = stackalloc ulong[Block.Words * 3];

            // The blocks holding a product served in the request's region, each with the best score any of its products
            // could reach for this request (see Block.MaxStatic), visited best first: the top N fills with good products at
            // once, and the first block whose bound is below its worst score ends the search.
            Span<double> additions = stackalloc double[Block.BoundCells];
            Scoring.MostAdded(in q, additions);
            var visitWords = (_blocks.Length + 63) >> 6;
            var onStack = _blocks.Length <= 4096;
            Span<ulong> visits = onStack ? stackalloc ulong[visitWords] : (rentedVisits = ArrayPool<ulong>.Shared.Rent(visitWords)).AsSpan(0, visitWords);
            Span<double> bounds = onStack ? stackalloc double[_blocks.Length] : (rentedBounds = ArrayPool<double>.Shared.Rent(_blocks.Length)).AsSpan(0, _blocks.Length);
            Span<int> order = onStack ? stackalloc int[_blocks.Length] : (rentedOrder = ArrayPool<int>.Shared.Rent(_blocks.Length)).AsSpan(0, _blocks.Length);
            visits.Clear();
            foreach (var id in regionIds[..regionCount])
                if ((uint)id < (uint)_blocksByRegion.Length && _blocksByRegion[id] is { } served)
                    foreach (var b in served) visits[b >> 6] |= 1UL << b;
            var visitCount = 0;
            for (var v = 0; v < visits.Length; v++)
            {
                for (var word = visits[v]; word != 0; word &= word - 1)
                {
                    var blockNumber = (v << 6) | BitOperations.TrailingZeroCount(word);
                    bounds[visitCount] = -Bound(_blocks[blockNumber].MaxStatic, additions);   // negated: sorted ascending
                    order[visitCount++] = blockNumber;
                }
            }
            bounds[..visitCount].Sort(order[..visitCount]);

            for (var i = 0; i < visitCount; i++)
            {
                var threshold = query.IncludeNearMisses ? Math.Min(matches.Threshold, nearMisses.Threshold) : matches.Threshold;
                if (-bounds[i] < threshold) break;
                var blockNumber = order[i];
                var block = _blocks[blockNumber];
                if (i + 1 < visitCount) filter.Prefetch(_blocks[order[i + 1]]);
                if (!filter.Regions(block, candidates, ref work)) continue;
                if (query.IncludeNearMisses)
                {
                    filter.Industry(block, industryPass, ref work);
                    filter.AtMostOneFailure(block, candidates, industryPass, scratch, ref work);
                    ScanWithNearMisses(block, blockNumber << Block.Shift, candidates, industryPass, in q, query, ref matches, ref nearMisses, ref work);
                }
                else if (filter.Eligible(block, candidates, industryPass, scratch[..Block.Words], ref work))
                {
                    Scan(block, blockNumber << Block.Shift, candidates, in q, query, ref matches, ref work);
                }
            }
            return new MatchResult(ToMatches(ref matches, query), ToNearMisses(ref nearMisses, query), null);
        }
        finally
        {
            if (rentedMatches is not null) ArrayPool<Candidate>.Shared.Return(rentedMatches);
            if (rentedNear is not null) ArrayPool<Candidate>.Shared.Return(rentedNear);
            if (rentedVisits is not null) ArrayPool<ulong>.Shared.Return(rentedVisits);
            if (rentedBounds is not null) ArrayPool<double>.Shared.Return(rentedBounds);
            if (rentedOrder is not null) ArrayPool<int>.Shared.Return(rentedOrder);
        }
    }

    // The hot loop over the products the bitsets left (industry is exact there, so it is not checked again):
    // cheapest and most selective checks first, each a compare or a mask test.
    private void Scan(Block block, int firstSlot, ReadOnlySpan<ulong> candidates, in QueryContext q, MatchQuery query, ref TopN top, ref MatchWork work)
    {
        Prefetch(block, candidates);
        for (var w = 0; w < candidates.Length; w++)
        {
            var word = candidates[w];
            if (word == 0) continue;
            var entries = block.Entries[w]!;
            for (; word != 0; word &= word - 1)
            {
                var position = BitOperations.TrailingZeroCount(word);
                ref readonly var e = ref entries[position];
                var ordinal = firstSlot | (w << 6) | position;
                work.Entries++;
                if (q.AmountFloor < e.MinAmount || q.AmountCeiling > e.MaxAmount || q.MaxRateFloor < e.MinRate)
                {
                    if ((e.Flags & Entry.InexactFlag) == 0 || !ExactAmount(ordinal, query) || !ExactRate(ordinal, query)) continue;
                }
                if (q.TermMonths < e.MinTerm || q.TermMonths > e.MaxTerm) continue;
                if ((e.GuaranteeMask & q.GuaranteeMask) == 0 || (e.Flags & q.ExcludedByLoanHistory) != 0) continue;
                if ((e.SizeMask & q.SizeBit) == 0 || (e.RequiredTags & ~q.Tags) != 0) continue;
                if (q.YearsInBusiness < e.MinYears || q.TaxLevel < e.MinTaxLevel) continue;
                var score = Scoring.Total(in e, _trackParts[e.InstitutionSlot], in q);
                if (score < top.Threshold) continue;
                top.Offer(new Candidate { Score = score, MinRate = e.MinRate, Ordinal = ordinal });
            }
        }
    }

    // The same rules, counted without branches (most products fail two or more, so the count is what matters);
    // which rule failed is worked out only for the few that fail exactly one.
    private void ScanWithNearMisses(Block block, int firstSlot, ReadOnlySpan<ulong> candidates, ReadOnlySpan<ulong> industryPass,
        in QueryContext q, MatchQuery query, ref TopN matches, ref TopN nearMisses, ref MatchWork work)
    {
        for (var w = 0; w < candidates.Length; w++)
        {
            var word = candidates[w];
            if (word == 0) continue;
            var entries = block.Entries[w]!;
            for (; word != 0; word &= word - 1)
            {
                var bit = BitOperations.TrailingZeroCount(word);
                ref readonly var e = ref entries[bit];
                var ordinal = firstSlot | (w << 6) | bit;
                work.Entries++;
                var amount = (q.AmountFloor < e.MinAmount) | (q.AmountCeiling > e.MaxAmount);
                var rate = q.MaxRateFloor < e.MinRate;
                if ((e.Flags & Entry.InexactFlag) != 0)
                {
                    amount = amount && !ExactAmount(ordinal, query);
                    rate = rate && !ExactRate(ordinal, query);
                }
                var term = (q.TermMonths < e.MinTerm) | (q.TermMonths > e.MaxTerm);
                var guarantee = (e.GuaranteeMask & q.GuaranteeMask) == 0;
                var size = (e.SizeMask & q.SizeBit) == 0;
                var tags = (e.RequiredTags & ~q.Tags) != 0;
                var years = q.YearsInBusiness < e.MinYears;
                var tax = q.TaxLevel < e.MinTaxLevel;
                var history = (e.Flags & q.ExcludedByLoanHistory) != 0;
                var industry = (industryPass[w] & (1UL << bit)) == 0;
                var failures = Bit(amount) + Bit(rate) + Bit(term) + Bit(guarantee) + Bit(size) + Bit(tags) + Bit(years) + Bit(tax)
                               + Bit(history) + Bit(industry);
                if (failures > 1) continue;

                var score = Scoring.Total(in e, _trackParts[e.InstitutionSlot], in q);
                ref var top = ref failures == 0 ? ref matches : ref nearMisses;
                if (score < top.Threshold) continue;
                var failed = failures == 0 ? Rule.None
                    : amount ? Rule.Amount : term ? Rule.Term : guarantee ? Rule.GuaranteeMode : rate ? Rule.MaxRate
                    : size ? Rule.EnterpriseSize : tags ? Rule.RequiredTags : years ? Rule.YearsInBusiness
                    : tax ? Rule.TaxCreditLevel : history ? Rule.LoanHistory : Rule.Industry;
                top.Offer(new Candidate { Score = score, MinRate = e.MinRate, Ordinal = ordinal, FailedRule = failed });
            }
        }
    }

    // The entries of a block's candidates are scattered over its chunks, and each one's checks branch unpredictably, so read
    // one by one they would cost a memory latency each: asking for all of them first lets the memory fetch them together.
    private static unsafe void Prefetch(Block block, ReadOnlySpan<ulong> candidates)
    {
        if (!Sse.IsSupported) return;
        for (var w = 0; w < candidates.Length; w++)
        {
            var word = candidates[w];
            if (word == 0) continue;
            ref var first = ref MemoryMarshal.GetArrayDataReference(block.Entries[w]!);
            for (; word != 0; word &= word - 1)
            {
                var at = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref first, BitOperations.TrailingZeroCount(word)));
                Sse.Prefetch0(at);
                Sse.Prefetch0(at + Unsafe.SizeOf<Entry>() - 1);
            }
        }
    }

    // The best score a product of the block could reach: the largest over its cells of their best static part plus the most
    // the rest adds there. −∞ for an empty block.
    private static double Bound(double[] maxStatic, ReadOnlySpan<double> additions)
    {
        var best = double.NegativeInfinity;
        for (var cell = 0; cell < additions.Length; cell++) best = Math.Max(best, maxStatic[cell] + additions[cell]);
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bit(bool value) => value ? 1 : 0;

    private bool ExactAmount(int ordinal, MatchQuery query)
    {
        var p = TopN.Product(_blocks, ordinal);
        return query.Amount >= p.MinAmount && query.Amount <= p.MaxAmount;
    }

    private bool ExactRate(int ordinal, MatchQuery query) => query.MaxRate is not { } max || max >= TopN.Product(_blocks, ordinal).MinRate;

    private IReadOnlyList<Match> ToMatches(ref TopN top, MatchQuery query)
    {
        if (top.Count == 0) return [];
        var result = new Match[top.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            var c = top.PopWorst();
            var product = TopN.Product(_blocks, c.Ordinal);
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
            var product = TopN.Product(_blocks, c.Ordinal);
            result[i] = new NearMiss(product, c.Score, ReasonText.Failed(c.FailedRule, product, query),
                new ReasonList(product, query, TrackRecordOf(product), c.FailedRule));
        }
        return result;
    }

    private InstitutionTrackRecord? TrackRecordOf(ProductListing product) =>
        _trackRecords.Count == 0 ? null : _trackRecords.GetValueOrDefault(product.InstitutionId ?? "");

    /// <summary>The bitsets one request reads in each block, and the word-wide operations over them.</summary>
    private readonly ref struct Filter(in QueryContext q, bool hasMaxRate, ReadOnlySpan<int> regionIds, ReadOnlySpan<int> industryIds)
    {
        private readonly ReadOnlySpan<int> _regionIds = regionIds, _industryIds = industryIds;
        private readonly int _amount = Attributes.Amount + Attributes.AmountBucket(q.AmountFloor);
        private readonly int _term = Attributes.Term + Attributes.TermBucket(q.TermMonths);
        private readonly int _rate = hasMaxRate ? Attributes.RateAtMost + Attributes.RateBucket(q.MaxRateFloor) : -1;
        private readonly int _tax = Attributes.TaxPass(q.TaxLevel);
        private readonly int _years = Attributes.YearsPass(q.YearsInBusiness);
        // No size bit (a size outside the enum) passes no product: −1 reads as an empty bitset below.
        private readonly int _size = q.SizeBit == 0 ? int.MinValue : Attributes.Size + BitOperations.TrailingZeroCount((uint)q.SizeBit);
        private readonly int _excluded = q.FirstLoanSeeker ? Attributes.RenewalOnly : Attributes.FirstLoanOnly;
        private readonly byte _guarantee = q.GuaranteeMask;

        /// <summary>Asks the memory for the bitsets this request will read in <paramref name="block"/> (visited next).</summary>
        public void Prefetch(Block block)
        {
            if (!Sse.IsSupported) return;
            foreach (var id in _regionIds) PrefetchBits(Block.Of(block.Regions, id));
            var f = block.Fixed;
            PrefetchBits(f[_amount]);
            PrefetchBits(f[_term]);
            PrefetchBits(Fixed(f, _size));
            PrefetchBits(f[_excluded]);
            if (_tax >= 0) PrefetchBits(f[_tax]);
            if (_years >= 0) PrefetchBits(f[_years]);
            if (_rate >= 0) PrefetchBits(f[_rate]);
            for (var b = 0; b < 8; b++)
                if ((_guarantee & (1 << b)) != 0) PrefetchBits(f[Attributes.Guarantee + b]);
            PrefetchBits(f[Attributes.AllIndustries]);
            foreach (var id in _industryIds) PrefetchBits(Block.Of(block.Industries, id));
        }

        // A bitset's 128 bytes and the array's header: three cache lines at most. An array the collector moves meanwhile
        // only makes the hint useless.
        private static unsafe void PrefetchBits(ulong[]? bits)
        {
            if (bits is null) return;
            var at = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(bits));
            Sse.Prefetch0(at);
            Sse.Prefetch0(at + 64);
            Sse.Prefetch0(at + Block.Words * sizeof(ulong) - 1);
        }

        /// <summary>The block's products serving the request's region; false when there are none.</summary>
        public bool Regions(Block block, Span<ulong> into, ref MatchWork work)
        {
            var any = false;
            foreach (var id in _regionIds)
            {
                if (Block.Of(block.Regions, id) is not { } bits) continue;
                if (any) Or(into, bits);
                else bits.CopyTo(into);
                any = true;
                work.Bitsets++;
            }
            if (any) work.Blocks++;
            return any;
        }

        /// <summary>The block's products open to the request's industry (exact: no prefix is tested again).</summary>
        public ReadOnlySpan<ulong> Industry(Block block, Span<ulong> into, ref MatchWork work)
        {
            into.Clear();
            Or(into, Read(block.Fixed[Attributes.AllIndustries], ref work));
            foreach (var id in _industryIds) Or(into, Read(Block.Of(block.Industries, id), ref work));
            return into;
        }

        /// <summary>Narrows <paramref name="candidates"/> to the products passing every bitset; false when none is left.</summary>
        public bool Eligible(Block block, Span<ulong> candidates, Span<ulong> industryPass, Span<ulong> scratch, ref MatchWork work)
        {
            var f = block.Fixed;
            return And(candidates, Read(f[_amount], ref work)) && And(candidates, Read(f[_term], ref work))
                && And(candidates, Guarantees(block, scratch, ref work)) && And(candidates, Read(Fixed(f, _size), ref work))
                && AndNot(candidates, Read(f[_excluded], ref work))
                && (_tax < 0 || And(candidates, Read(f[_tax], ref work)))
                && (_years < 0 || And(candidates, Read(f[_years], ref work)))
                && (_rate < 0 || And(candidates, Read(f[_rate], ref work)))
                && And(candidates, Industry(block, industryPass, ref work));
        }

        /// <summary>Narrows <paramref name="candidates"/> to the products failing at most one of the bitsets' rules.</summary>
        public void AtMostOneFailure(Block block, Span<ulong> candidates, ReadOnlySpan<ulong> industryPass, Span<ulong> scratch, ref MatchWork work)
        {
            var f = block.Fixed;
            var once = scratch[..Block.Words];
            var twice = scratch.Slice(Block.Words, Block.Words);
            once.Clear();
            twice.Clear();
            Failing(once, twice, Read(f[_amount], ref work));
            Failing(once, twice, Read(f[_term], ref work));
            Failing(once, twice, Guarantees(block, scratch.Slice(2 * Block.Words, Block.Words), ref work));
            Failing(once, twice, Read(Fixed(f, _size), ref work));
            FailingWhereSet(once, twice, Read(f[_excluded], ref work));
            if (_tax >= 0) Failing(once, twice, Read(f[_tax], ref work));
            if (_years >= 0) Failing(once, twice, Read(f[_years], ref work));
            if (_rate >= 0) Failing(once, twice, Read(f[_rate], ref work));
            Failing(once, twice, industryPass);
            for (var w = 0; w < candidates.Length; w++) candidates[w] &= ~twice[w];
        }

        // The products accepting one of the request's guarantee modes (empty when it names none).
        private ReadOnlySpan<ulong> Guarantees(Block block, Span<ulong> into, ref MatchWork work)
        {
            into.Clear();
            for (var b = 0; b < 8; b++)
                if ((_guarantee & (1 << b)) != 0) Or(into, Read(block.Fixed[Attributes.Guarantee + b], ref work));
            return into;
        }

        private static ulong[]? Fixed(ulong[]?[] bitsets, int id) => id < 0 ? null : bitsets[id];

        private static ReadOnlySpan<ulong> Read(ulong[]? bits, ref MatchWork work)
        {
            if (bits is null) return default;
            work.Bitsets++;
            return bits;
        }

        // An empty span stands for an empty bitset (a null one: no product of the block has the attribute).
        // Block.Words is a multiple of 4: each operation is a few 256-bit vector operations.
        private static Span<Vector256<ulong>> Vectors(Span<ulong> words) => MemoryMarshal.Cast<ulong, Vector256<ulong>>(words);

        private static ReadOnlySpan<Vector256<ulong>> Vectors(ReadOnlySpan<ulong> words) => MemoryMarshal.Cast<ulong, Vector256<ulong>>(words);

        private static void Or(Span<ulong> into, ReadOnlySpan<ulong> bits)
        {
            if (bits.IsEmpty) return;
            var a = Vectors(into);
            var b = Vectors(bits);
            for (var i = 0; i < a.Length; i++) a[i] |= b[i];
        }

        private static bool And(Span<ulong> into, ReadOnlySpan<ulong> bits)
        {
            if (bits.IsEmpty) return false;
            var a = Vectors(into);
            var b = Vectors(bits);
            var any = Vector256<ulong>.Zero;
            for (var i = 0; i < a.Length; i++) any |= a[i] &= b[i];
            return any != Vector256<ulong>.Zero;
        }

        private static bool AndNot(Span<ulong> into, ReadOnlySpan<ulong> bits)
        {
            var a = Vectors(into);
            var any = Vector256<ulong>.Zero;
            if (bits.IsEmpty)
            {
                for (var i = 0; i < a.Length; i++) any |= a[i];
            }
            else
            {
                var b = Vectors(bits);
                for (var i = 0; i < a.Length; i++) any |= a[i] = Vector256.AndNot(a[i], b[i]);
            }
            return any != Vector256<ulong>.Zero;
        }

        // Counts a failure for every product outside a rule's passing bitset (once → twice).
        private static void Failing(Span<ulong> once, Span<ulong> twice, ReadOnlySpan<ulong> passing)
        {
            for (var w = 0; w < once.Length; w++)
            {
                var failed = passing.IsEmpty ? ulong.MaxValue : ~passing[w];
                twice[w] |= once[w] & failed;
                once[w] |= failed;
            }
        }

        private static void FailingWhereSet(Span<ulong> once, Span<ulong> twice, ReadOnlySpan<ulong> failing)
        {
            for (var w = 0; w < failing.Length; w++)
            {
                twice[w] |= once[w] & failing[w];
                once[w] |= failing[w];
            }
        }
    }
}

/// <summary>What one match read: blocks visited, bitsets read (<see cref="Block.Words"/> words each) and entries scored.</summary>
public struct MatchWork
{
    public int Blocks, Bitsets, Entries;

    /// <summary>Bytes the match read from the index: the bitsets and the entries it scored (block headers aside).</summary>
    public readonly long Bytes => (long)Bitsets * Block.Words * sizeof(ulong) + (long)Entries * Unsafe.SizeOf<Entry>();
}
