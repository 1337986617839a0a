using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Numerics;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>
/// The public shelves in memory: every listed product as <see cref="BrowseProducts"/> shows it, in the shelves' order
/// (min rate, then id), with its filter fields packed beside it. Kept by <see cref="Matching.MatchingIndex"/> from the same
/// product rows as the matching index, after commit on this node and from the catalog version on the others.
/// The products lie in blocks of about 1,024, each with its own postings: a bitset per kind, guarantee
/// mode and policy support (and per asked-for region, made when first asked); beside them each institution's products
/// in order. A request intersects a block's bitsets word by word and tests the ranges (amount, term) and the name only on
/// the products they leave (issue 13: thousands of requests a second at 100,000 products). A change copies the block it touches (and the
/// short list of blocks), never the whole shelves: O(block), well under a millisecond at 100,000 products (issue 13).
/// Readers take one immutable snapshot (the list of blocks), so they never see a half-applied change.
/// </summary>
public sealed class ShelfCatalogue
{
    /// <summary>
    /// Products per block as loaded (configuration "Shelves:BlockSize", 4–4,096; tests take small ones): a block that grows
    /// to twice this splits, one that shrinks below a quarter joins a neighbour. A change copies one block of about 1,024
    /// products (about 70 KB) and a reader's work per block is a few words per bitset: both stay small at 100,000 products.
    /// </summary>
    private readonly int _blockSize;
    private readonly ReferenceData _codes;

    private readonly Lock _writer = new();
    private readonly Dictionary<string, Shelved> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal), _regionSets = new(StringComparer.Ordinal);
    private readonly Numbered<string> _lowerNames = new();
    private readonly Numbered<string[]> _offeredPrefixes = new();
    private readonly RegionServing _serving = new();
    private ImmutableDictionary<string, Shelved[]> _byInstitution = ImmutableDictionary.Create<string, Shelved[]>(StringComparer.Ordinal);
    private volatile Snapshot _snapshot;

    public ShelfCatalogue(ReferenceData codes, IConfiguration configuration)
    {
        _codes = codes;
        _blockSize = Math.Clamp(configuration.GetValue("Shelves:BlockSize", 1024), 4, 4096);
        _snapshot = new Snapshot([], [], 0, _lowerNames.Items, _byInstitution, Offered());
    }

    // The filter fields of one product; names and offered regions are shared by many products, so they are numbered.
    private readonly record struct Key(
        decimal MinAmount, decimal MaxAmount, int MinTermMonths, int MaxTermMonths, int Name, int RegionSet,
        ProductKind Kind, byte GuaranteeModes, byte PolicySupport);

    private sealed record Shelved(ProductView View, Key Key);

    // The shelves' SQL order: ORDER BY p.min_rate, p.id (ids compared as their bytes).
    private static int Compare(ProductView a, ProductView b) => a.MinRate != b.MinRate
        ? a.MinRate.CompareTo(b.MinRate)
        : string.CompareOrdinal(a.Id, b.Id);

    private static readonly Comparer<ProductView> Order = Comparer<ProductView>.Create(Compare);

    /// <summary>Replaces the whole catalogue (the first load, or a change too large to apply product by product).</summary>
    public void Load(IEnumerable<ProductRow> listed)
    {
        lock (_writer)
        {
            _byId.Clear();
            foreach (var row in listed)
                if (Shelve(row) is { } shelved) _byId[row.Id] = shelved;
            var all = _byId.Values.ToArray();
            Array.Sort(all, (a, b) => Compare(a.View, b.View));
            var views = all.Select(s => s.View).ToArray();
            var keys = all.Select(s => s.Key).ToArray();
            _byInstitution = all.GroupBy(s => s.View.InstitutionId, StringComparer.Ordinal)
                .ToImmutableDictionary(own => own.Key, own => own.ToArray(), StringComparer.Ordinal);
            var blocks = new List<Block>();
            for (var start = 0; start < all.Length; start += _blockSize)
                blocks.Add(NewBlock(views[start..Math.Min(all.Length, start + _blockSize)], keys[start..Math.Min(all.Length, start + _blockSize)]));
            Publish(blocks);
        }
    }

    /// <summary>
    /// Products written since the last load: listed ones replace their old version, the others leave the shelves. Each
    /// product's old version leaves its block and the new one enters the block of its place: only those blocks are copied.
    /// </summary>
    public void Apply(IEnumerable<ProductRow> changed)
    {
        lock (_writer)
        {
            var blocks = _snapshot.Blocks.ToList();
            // Each product once, as last read.
            foreach (var row in changed.GroupBy(row => row.Id, StringComparer.Ordinal).Select(rows => rows.Last()))
            {
                if (_byId.Remove(row.Id, out var old))
                {
                    Remove(blocks, old.View);
                    Unlist(old);
                }
                if (Shelve(row) is { } shelved)
                {
                    _byId[row.Id] = shelved;
                    Insert(blocks, shelved);
                    List(shelved);
                }
            }
            Publish(blocks);
        }
    }

    private void Publish(List<Block> blocks)
    {
        var starts = new int[blocks.Count];
        var count = 0;
        for (var i = 0; i < blocks.Count; i++)
        {
            starts[i] = count;
            count += blocks[i].Count;
        }
        _snapshot = new Snapshot([.. blocks], starts, count, _lowerNames.Items, _byInstitution, Offered());
    }

    private ArraySegment<string[]> Offered() => new(_offeredPrefixes.Items, 0, _offeredPrefixes.Count);

    /// <summary>The institution's products without <paramref name="old"/> (an institution has tens of products: copied whole).</summary>
    private void Unlist(Shelved old)
    {
        var institutionId = old.View.InstitutionId;
        Shelved[] rest = [.. _byInstitution[institutionId].Where(own => own != old)];
        _byInstitution = rest.Length == 0 ? _byInstitution.Remove(institutionId) : _byInstitution.SetItem(institutionId, rest);
    }

    /// <summary>The institution's products with <paramref name="shelved"/> in its place.</summary>
    private void List(Shelved shelved)
    {
        var own = _byInstitution.GetValueOrDefault(shelved.View.InstitutionId) ?? [];
        var at = 0;
        while (at < own.Length && Compare(own[at].View, shelved.View) < 0) at++;
        _byInstitution = _byInstitution.SetItem(shelved.View.InstitutionId, [.. own.AsSpan(0, at), shelved, .. own.AsSpan(at)]);
    }

    /// <summary>The block whose place holds <paramref name="view"/>: the last one starting at or before it (the first if none).</summary>
    private static int BlockOf(List<Block> blocks, ProductView view)
    {
        int low = 0, high = blocks.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (Compare(blocks[middle].Views[0], view) <= 0) low = middle;
            else high = middle - 1;
        }
        return low;
    }

    private void Remove(List<Block> blocks, ProductView view)
    {
        var index = BlockOf(blocks, view);
        var block = blocks[index];
        var at = Array.BinarySearch(block.Views, view, Order);
        if (block.Count == 1)
        {
            blocks.RemoveAt(index);
            return;
        }
        ProductView[] views = [.. block.Views.AsSpan(0, at), .. block.Views.AsSpan(at + 1)];
        Key[] keys = [.. block.Keys.AsSpan(0, at), .. block.Keys.AsSpan(at + 1)];
        // A block left small joins a neighbour, so that many delists do not leave many tiny blocks behind.
        if (views.Length < _blockSize / 4 && blocks.Count > 1)
        {
            var (first, second) = index + 1 < blocks.Count ? (index, index + 1) : (index - 1, index);
            var (before, after) = first == index ? ((views, keys), (blocks[second].Views, blocks[second].Keys)) : ((blocks[first].Views, blocks[first].Keys), (views, keys));
            blocks[first] = NewBlock([.. before.Item1, .. after.Item1], [.. before.Item2, .. after.Item2]);
            blocks.RemoveAt(second);
            SplitIfLarge(blocks, first);
            return;
        }
        blocks[index] = NewBlock(views, keys);
    }

    private void Insert(List<Block> blocks, Shelved shelved)
    {
        if (blocks.Count == 0)
        {
            blocks.Add(NewBlock([shelved.View], [shelved.Key]));
            return;
        }
        var index = BlockOf(blocks, shelved.View);
        var block = blocks[index];
        var at = ~Array.BinarySearch(block.Views, shelved.View, Order);
        blocks[index] = NewBlock([.. block.Views.AsSpan(0, at), shelved.View, .. block.Views.AsSpan(at)],
            [.. block.Keys.AsSpan(0, at), shelved.Key, .. block.Keys.AsSpan(at)]);
        SplitIfLarge(blocks, index);
    }

    private void SplitIfLarge(List<Block> blocks, int index)
    {
        var block = blocks[index];
        if (block.Count < 2 * _blockSize) return;
        var half = block.Count / 2;
        blocks[index] = NewBlock(block.Views[..half], block.Keys[..half]);
        blocks.Insert(index + 1, NewBlock(block.Views[half..], block.Keys[half..]));
    }

    private Block NewBlock(ProductView[] views, Key[] keys) => new(views, keys, Offered(), _serving);

    /// <summary>The product as the shelves keep it, or null when it is not listed.</summary>
    private Shelved? Shelve(ProductRow row)
    {
        if (row.Status != EnumText.ToText(ProductStatus.Listed)) return null;
        var view = row.ToView().Named(_codes);
        // Where the product is offered, as product_regions holds it: its own regions, else all its institution's, as prefixes.
        var offered = (view.RegionCodes.Count > 0 ? view.RegionCodes : ProductRow.SplitCodes(row.InstitutionRegionCodes))
            .Select(Codes.NormaliseRegionPrefix).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new Shelved(view, new Key(view.MinAmount, view.MaxAmount, view.MinTermMonths, view.MaxTermMonths, Name(view.Name),
            RegionSet(offered), view.Kind, Mask(view.GuaranteeModes), Mask(view.PolicySupport)));
    }

    /// <summary>One page of the listed products passing every filter given, and how many pass them: what the shelves' SQL answers.</summary>
    public Paged<ProductView> Browse(BrowseProducts query)
    {
        var snapshot = _snapshot;
        var window = PageWindow.Of(query);
        var page = new List<ProductView>(Math.Min(window.Take, snapshot.Count));
        var filter = new Filter(query, snapshot.LowerNames);
        if (filter.None) return window.With(page, 0);

        long total = 0;
        if (filter.InstitutionId is { } institutionId)
        {
            // An institution's own products, in the shelves' order: tens of them, each tested on its key.
            if (!snapshot.ByInstitution.TryGetValue(institutionId, out var own)) return window.With(page, 0);
            var serves = filter.Region is { } region ? _serving.Of(region, snapshot.OfferedPrefixes) : null;
            foreach (var (view, key) in own)
                if (filter.Admits(key, serves) && filter.Passes(key))
                {
                    if (total >= window.Skip && page.Count < window.Take) page.Add(view);
                    total++;
                }
            return window.With(page, total);
        }

        if (filter is { Selective: false, HasTests: false })
        {
            // Every product passes: the page starts in the block that holds the first product skipped past.
            var index = Array.BinarySearch(snapshot.Starts, window.Skip);
            for (index = index >= 0 ? index : ~index - 1; index >= 0 && index < snapshot.Blocks.Length && page.Count < window.Take; index++)
            {
                var views = snapshot.Blocks[index].Views;
                for (var position = Math.Max(0, window.Skip - snapshot.Starts[index]); position < views.Length && page.Count < window.Take; position++)
                    page.Add(views[position]);
            }
            return window.With(page, snapshot.Count);
        }

        Span<ulong> words = stackalloc ulong[2 * 4096 / 64];
        foreach (var block in snapshot.Blocks)
        {
            var views = block.Views;
            void Take(int position)
            {
                if (total >= window.Skip && page.Count < window.Take) page.Add(views[position]);
                total++;
            }

            if (!filter.Selective)
            {
                for (var position = 0; position < views.Length; position++)
                    if (filter.Passes(block.Keys[position])) Take(position);
                continue;
            }
            var bitsets = filter.Sets(block, words);
            for (var word = 0; word < bitsets.Length; word++)
            {
                var bits = bitsets[word];
                // Without tests every product of the word passes: count them at once, and visit them only for the page.
                if (!filter.HasTests && (total + BitOperations.PopCount(bits) <= window.Skip || page.Count == window.Take))
                {
                    total += BitOperations.PopCount(bits);
                    continue;
                }
                for (; bits != 0; bits &= bits - 1)
                {
                    var position = word * 64 + BitOperations.TrailingZeroCount(bits);
                    if (filter.Passes(block.Keys[position])) Take(position);
                }
            }
        }
        return window.With(page, total);
    }

    /// <summary>The shelves at one moment: the blocks in order, where each starts, and how many products they hold.</summary>
    private sealed record Snapshot(Block[] Blocks, int[] Starts, int Count, string[] LowerNames,
        ImmutableDictionary<string, Shelved[]> ByInstitution, ArraySegment<string[]> OfferedPrefixes);

    /// <summary>
    /// A run of products in the shelves' order, never changed once made (a change makes a new block), with the postings
    /// that narrow a filter to its products. <paramref name="offeredPrefixes"/> holds (at least) every region set its keys name.
    /// </summary>
    private sealed class Block
    {
        // Region bitsets kept per asked-for region; the codes are validated, but a bound keeps a crawler from filling memory.
        private const int RegionsKept = 512;
        private readonly ConcurrentDictionary<string, ulong[]> _byRegion = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<int, ulong[]> _byTerm = new();
        private readonly ArraySegment<string[]> _offeredPrefixes;
        private readonly RegionServing _serving;
        private int _regionsKept;

        public Block(ProductView[] views, Key[] keys, ArraySegment<string[]> offeredPrefixes, RegionServing serving)
        {
            _offeredPrefixes = offeredPrefixes;
            _serving = serving;
            Views = views;
            Keys = keys;
            var words = (Keys.Length + 63) / 64;
            ByKind = [.. Enum.GetValues<ProductKind>().Select(_ => new ulong[words])];
            ByGuaranteeMode = [.. Enumerable.Range(0, 8).Select(_ => new ulong[words])];
            BySupport = [.. Enumerable.Range(0, 8).Select(_ => new ulong[words])];
            for (var position = 0; position < Keys.Length; position++)
            {
                var key = Keys[position];
                var bit = 1UL << position;
                ByKind[(int)key.Kind][position >> 6] |= bit;
                for (var mode = 0; mode < 8; mode++)
                    if ((key.GuaranteeModes & 1 << mode) != 0) ByGuaranteeMode[mode][position >> 6] |= bit;
                for (var support = 0; support < 8; support++)
                    if ((key.PolicySupport & 1 << support) != 0) BySupport[support][position >> 6] |= bit;
            }
        }

        public ProductView[] Views { get; }
        public Key[] Keys { get; }
        public int Count => Keys.Length;
        public ulong[][] ByKind { get; }
        public ulong[][] ByGuaranteeMode { get; }
        public ulong[][] BySupport { get; }

        /// <summary>The products whose term range holds the term asked for (a few dozen terms are asked: kept like the regions).</summary>
        public ulong[] ForTerm(int term)
        {
            if (_byTerm.TryGetValue(term, out var kept)) return kept;
            var bits = new ulong[(Keys.Length + 63) / 64];
            for (var position = 0; position < Keys.Length; position++)
                if (Keys[position].MinTermMonths <= term && Keys[position].MaxTermMonths >= term) bits[position >> 6] |= 1UL << position;
            if (_byTerm.Count < RegionsKept) _byTerm.TryAdd(term, bits);
            return bits;
        }

        /// <summary>The products offered in the region: an offered prefix is one of the region's province, city or county, or lies inside it.</summary>
        public ulong[] ServingRegion(string region)
        {
            if (_byRegion.TryGetValue(region, out var kept)) return kept;
            var serves = _serving.Of(region, _offeredPrefixes);
            var bits = new ulong[(Keys.Length + 63) / 64];
            for (var position = 0; position < Keys.Length; position++)
                if (serves[Keys[position].RegionSet]) bits[position >> 6] |= 1UL << position;
            if (Volatile.Read(ref _regionsKept) < RegionsKept && _byRegion.TryAdd(region, bits)) Interlocked.Increment(ref _regionsKept);
            return bits;
        }
    }

    /// <summary>
    /// Which region sets serve an asked-for region, worked out once per region for every block: redone only when a block
    /// names a region set newer than the answer kept.
    /// </summary>
    private sealed class RegionServing
    {
        private const int RegionsKept = 4096;
        private readonly ConcurrentDictionary<string, bool[]> _byRegion = new(StringComparer.Ordinal);

        public bool[] Of(string region, ArraySegment<string[]> offeredPrefixes)
        {
            if (_byRegion.TryGetValue(region, out var kept) && kept.Length >= offeredPrefixes.Count) return kept;
            string[] ancestors = [.. new[] { 2, 4, 6 }.Where(length => region.Length >= length).Select(length => region[..length])];
            var serves = offeredPrefixes.Select(offered => offered.Any(prefix =>
                ancestors.Contains(prefix) || prefix.StartsWith(region, StringComparison.Ordinal))).ToArray();
            if (_byRegion.Count < RegionsKept) _byRegion[region] = serves;
            return serves;
        }
    }

    /// <summary>
    /// Values numbered in the order they were first seen, shared by every snapshot: a value is written before the
    /// snapshot that names it is published, and a grown array keeps the older ones, so readers never lock.
    /// </summary>
    private sealed class Numbered<T>
    {
        private T[] _items = new T[64];
        private int _count;

        /// <summary>Every value numbered so far (and room after them); read only at the numbers a published key holds.</summary>
        public T[] Items => _items;

        public int Count => _count;

        public void Add(T value)
        {
            if (_count == _items.Length)
            {
                var grown = new T[_items.Length * 2];
                Array.Copy(_items, grown, _count);
                _items = grown;
            }
            _items[_count++] = value;
        }
    }

    /// <summary>The filters of one request: which postings to intersect, and the tests left for the products they leave.</summary>
    private sealed class Filter
    {
        private readonly decimal? _amount;
        private readonly int? _termMonths;
        private readonly string? _lowerQ;
        private readonly string[] _lowerNames;
        private readonly Dictionary<int, bool> _namePasses = [];
        private readonly int _kind = -1, _guaranteeMode = -1, _support = -1;

        public Filter(BrowseProducts query, string[] lowerNames)
        {
            _lowerNames = lowerNames;
            _amount = query.Amount;
            _termMonths = query.TermMonths;
            if (query.Kind is not null)
            {
                if (EnumText.TryParse<ProductKind>(query.Kind, out var kind)) _kind = (int)kind;
                else None = true;
            }
            if (query.GuaranteeMode is not null)
            {
                if (EnumText.TryParse<GuaranteeMode>(query.GuaranteeMode, out var mode)) _guaranteeMode = (int)mode;
                else None = true;
            }
            if (query.PolicySupport is not null)
            {
                if (EnumText.TryParse<PolicySupport>(query.PolicySupport, out var support)) _support = (int)support;
                else None = true;
            }
            Region = query.Region;
            InstitutionId = query.InstitutionId;
            if (query.Q is { Length: > 0 } q) _lowerQ = q.ToLowerInvariant();
            Selective = _kind >= 0 || _guaranteeMode >= 0 || _support >= 0 || Region is not null || _termMonths is not null;
            HasTests = _amount is not null || _lowerQ is not null;
        }

        /// <summary>Some filter names a value no listed product can have.</summary>
        public bool None { get; }

        /// <summary>Some filter has a bitset (kind, guarantee mode, policy support, region, term).</summary>
        public bool Selective { get; }

        /// <summary>The region the products must be offered in.</summary>
        public string? Region { get; }

        /// <summary>The institution whose products alone are asked for.</summary>
        public string? InstitutionId { get; }

        public bool HasTests { get; }

        /// <summary>The block's bitsets of this filter intersected into <paramref name="words"/> (empty when none applies).</summary>
        public ReadOnlySpan<ulong> Sets(Block block, Span<ulong> words)
        {
            if (!Selective) return [];
            var used = words[..((block.Count + 63) / 64)];
            used.Fill(ulong.MaxValue);
            if (_kind >= 0) And(used, block.ByKind[_kind]);
            if (_guaranteeMode >= 0) And(used, block.ByGuaranteeMode[_guaranteeMode]);
            if (_support >= 0) And(used, block.BySupport[_support]);
            if (Region is not null) And(used, block.ServingRegion(Region));
            if (_termMonths is { } term) And(used, block.ForTerm(term));
            return used;
        }

        private static void And(Span<ulong> into, ulong[] set)
        {
            for (var word = 0; word < into.Length; word++) into[word] &= set[word];
        }

        /// <summary>The product's kind, guarantee modes, policy support and regions (<paramref name="serves"/>, by region set) as asked.</summary>
        public bool Admits(in Key key, bool[]? serves) =>
            (_kind < 0 || (int)key.Kind == _kind) && (_guaranteeMode < 0 || (key.GuaranteeModes & 1 << _guaranteeMode) != 0)
            && (_support < 0 || (key.PolicySupport & 1 << _support) != 0) && (serves is null || serves[key.RegionSet])
            && (_termMonths is not { } term || (key.MinTermMonths <= term && key.MaxTermMonths >= term));

        /// <summary>The amount within the product's range, and the search text in its name (the term is a bitset, or <see cref="Admits"/>).</summary>
        public bool Passes(in Key key)
        {
            if (_amount is { } amount && (key.MinAmount > amount || key.MaxAmount < amount)) return false;
            if (_lowerQ is not null)
            {
                if (!_namePasses.TryGetValue(key.Name, out var passes))
                    _namePasses[key.Name] = passes = _lowerNames[key.Name].Contains(_lowerQ, StringComparison.Ordinal);
                return passes;
            }
            return true;
        }
    }

    private int Name(string name)
    {
        var number = Number(_names, name);
        if (number == _lowerNames.Count) _lowerNames.Add(name.ToLowerInvariant());
        return number;
    }

    private int RegionSet(string[] offered)
    {
        var number = Number(_regionSets, string.Join(',', offered));
        if (number == _offeredPrefixes.Count) _offeredPrefixes.Add(offered);
        return number;
    }

    private static int Number(Dictionary<string, int> numbers, string value)
    {
        if (!numbers.TryGetValue(value, out var number)) numbers.Add(value, number = numbers.Count);
        return number;
    }

    private static byte Mask<T>(IReadOnlyList<T> values) where T : struct, Enum =>
        (byte)values.Aggregate(0, (mask, value) => mask | 1 << Convert.ToInt32(value));
}
