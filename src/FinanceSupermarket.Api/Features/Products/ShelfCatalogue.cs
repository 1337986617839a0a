using System.Collections.Concurrent;
using System.Numerics;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>
/// The public shelves in memory: every listed product as <see cref="BrowseProducts"/> shows it, in the shelves' order
/// (min rate, then id), with its filter fields packed beside it. Kept by <see cref="Matching.MatchingIndex"/> from the same
/// product rows as the matching index, after commit on this node and from the catalog version on the others. Readers take
/// one immutable snapshot; a change publishes a new one, with the changed products merged into place (no sort).
/// A request reads only the products its filters leave: a bitset per kind, guarantee mode, policy support and asked-for
/// region (intersected word by word), or the institution's own products, and tests the ranges (amount, term) and the name
/// on those alone, instead of passing over all of them (issue 13: thousands of requests a second at 100,000 products).
/// </summary>
public sealed class ShelfCatalogue(ReferenceData codes)
{
    private readonly Lock _writer = new();
    private readonly Dictionary<string, Shelved> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal), _regionSets = new(StringComparer.Ordinal);
    private readonly List<string> _lowerNames = [];
    private readonly List<string[]> _offeredPrefixes = [];
    private volatile Snapshot _snapshot = new([], [], [], []);

    // The filter fields of one product; names and offered regions are shared by many products, so they are numbered.
    private readonly record struct Key(
        decimal MinAmount, decimal MaxAmount, int MinTermMonths, int MaxTermMonths, int Name, int RegionSet,
        ProductKind Kind, byte GuaranteeModes, byte PolicySupport);

    private sealed record Shelved(ProductView View, Key Key);

    // The shelves' SQL order: ORDER BY p.min_rate, p.id (ids compared as their bytes).
    private static readonly Comparer<ProductView> ShelfOrder = Comparer<ProductView>.Create((a, b) => a.MinRate != b.MinRate
        ? a.MinRate.CompareTo(b.MinRate)
        : string.CompareOrdinal(a.Id, b.Id));

    /// <summary>Replaces the whole catalogue (the first load, or a change too large to apply product by product).</summary>
    public void Load(IEnumerable<ProductRow> listed)
    {
        lock (_writer)
        {
            _byId.Clear();
            foreach (var row in listed)
                if (Shelve(row) is { } shelved) _byId[row.Id] = shelved;
            var all = _byId.Values.ToArray();
            Array.Sort(all, (a, b) => ShelfOrder.Compare(a.View, b.View));
            Publish([.. all.Select(s => s.View)], [.. all.Select(s => s.Key)]);
        }
    }

    /// <summary>
    /// Products written since the last load: listed ones replace their old version, the others leave the shelves. The old
    /// versions are found by binary search and the new ones merged in, in one pass that copies the arrays once.
    /// </summary>
    public void Apply(IEnumerable<ProductRow> changed)
    {
        lock (_writer)
        {
            var current = _snapshot;
            var leaving = new List<int>();
            var arriving = new List<Shelved>();
            // Each product once, as last read: the old version leaves from its place in the current snapshot.
            foreach (var row in changed.GroupBy(row => row.Id, StringComparer.Ordinal).Select(rows => rows.Last()))
            {
                if (_byId.Remove(row.Id, out var old)) leaving.Add(Array.BinarySearch(current.Views, old.View, ShelfOrder));
                if (Shelve(row) is { } shelved)
                {
                    _byId[row.Id] = shelved;
                    arriving.Add(shelved);
                }
            }
            leaving.Sort();
            arriving.Sort((a, b) => ShelfOrder.Compare(a.View, b.View));
            var length = current.Views.Length - leaving.Count + arriving.Count;
            var views = new ProductView[length];
            var keys = new Key[length];
            int from = 0, left = 0, added = 0;
            for (var to = 0; to < length; to++)
            {
                while (left < leaving.Count && leaving[left] == from)
                {
                    from++;
                    left++;
                }
                if (added < arriving.Count && (from == current.Views.Length || ShelfOrder.Compare(arriving[added].View, current.Views[from]) < 0))
                {
                    views[to] = arriving[added].View;
                    keys[to] = arriving[added++].Key;
                }
                else
                {
                    views[to] = current.Views[from];
                    keys[to] = current.Keys[from++];
                }
            }
            Publish(views, keys);
        }
    }

    private void Publish(ProductView[] views, Key[] keys) => _snapshot = new Snapshot(views, keys, [.. _lowerNames], [.. _offeredPrefixes]);

    /// <summary>The product as the shelves keep it, or null when it is not listed.</summary>
    private Shelved? Shelve(ProductRow row)
    {
        if (row.Status != EnumText.ToText(ProductStatus.Listed)) return null;
        var view = row.ToView().Named(codes);
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
        var page = new List<ProductView>(Math.Min(window.Take, snapshot.Views.Length));
        var filter = new Filter(query, snapshot);
        if (filter.None) return window.With(page, 0);

        long total = 0;
        var views = snapshot.Views;
        void Take(int position)
        {
            if (total >= window.Skip && page.Count < window.Take) page.Add(views[position]);
            total++;
        }

        if (filter.Institution is { } own)
        {
            foreach (var position in own)
                if (filter.InSets(position) && filter.Passes(position)) Take(position);
        }
        else if (filter.Sets.Count == 0 && !filter.HasTests)
        {
            total = views.Length;
            for (var position = window.Skip; position < views.Length && page.Count < window.Take; position++) page.Add(views[position]);
        }
        else if (filter.Sets.Count == 0)
        {
            for (var position = 0; position < views.Length; position++)
                if (filter.Passes(position)) Take(position);
        }
        else
        {
            for (var word = 0; word < snapshot.Words; word++)
            {
                var bits = filter.Word(word);
                // Without tests every product of the word passes: count them at once, and visit them only for the page.
                if (!filter.HasTests && (total + BitOperations.PopCount(bits) <= window.Skip || page.Count == window.Take))
                {
                    total += BitOperations.PopCount(bits);
                    continue;
                }
                for (; bits != 0; bits &= bits - 1)
                {
                    var position = word * 64 + BitOperations.TrailingZeroCount(bits);
                    if (filter.Passes(position)) Take(position);
                }
            }
        }
        return window.With(page, total);
    }

    /// <summary>The shelves at one moment: the products in order, and the postings that narrow a filter to its products.</summary>
    private sealed class Snapshot(ProductView[] views, Key[] keys, string[] lowerNames, string[][] offeredPrefixes)
    {
        // Region bitsets kept per asked-for region; the codes are validated, but a bound keeps a crawler from filling memory.
        private const int RegionsKept = 512;
        private readonly ConcurrentDictionary<string, ulong[]> _byRegion = new(StringComparer.Ordinal);
        private int _regionsKept;
        private readonly Lazy<Postings> _postings = new(() => new Postings(views, keys));

        public ProductView[] Views => views;
        public Key[] Keys => keys;
        public string[] LowerNames => lowerNames;
        public string[][] OfferedPrefixes => offeredPrefixes;
        public int Words => (views.Length + 63) / 64;
        public Postings Postings => _postings.Value;

        /// <summary>The products offered in the region: an offered prefix is one of the region's province, city or county, or lies inside it.</summary>
        public ulong[] ServingRegion(string region)
        {
            if (_byRegion.TryGetValue(region, out var kept)) return kept;
            string[] ancestors = [.. new[] { 2, 4, 6 }.Where(length => region.Length >= length).Select(length => region[..length])];
            var serves = offeredPrefixes.Select(offered => offered.Any(prefix =>
                ancestors.Contains(prefix) || prefix.StartsWith(region, StringComparison.Ordinal))).ToArray();
            var bits = new ulong[Words];
            for (var position = 0; position < keys.Length; position++)
                if (serves[keys[position].RegionSet]) bits[position >> 6] |= 1UL << position;
            if (Volatile.Read(ref _regionsKept) < RegionsKept && _byRegion.TryAdd(region, bits)) Interlocked.Increment(ref _regionsKept);
            return bits;
        }
    }

    /// <summary>A bitset of the products of each kind, guarantee mode and policy support, and each institution's products in order.</summary>
    private sealed class Postings
    {
        public Postings(ProductView[] views, Key[] keys)
        {
            var words = (views.Length + 63) / 64;
            ByKind = [.. Enum.GetValues<ProductKind>().Select(_ => new ulong[words])];
            ByGuaranteeMode = [.. Enumerable.Range(0, 8).Select(_ => new ulong[words])];
            BySupport = [.. Enumerable.Range(0, 8).Select(_ => new ulong[words])];
            var byInstitution = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (var position = 0; position < keys.Length; position++)
            {
                var key = keys[position];
                var bit = 1UL << position;
                ByKind[(int)key.Kind][position >> 6] |= bit;
                for (var mode = 0; mode < 8; mode++)
                    if ((key.GuaranteeModes & 1 << mode) != 0) ByGuaranteeMode[mode][position >> 6] |= bit;
                for (var support = 0; support < 8; support++)
                    if ((key.PolicySupport & 1 << support) != 0) BySupport[support][position >> 6] |= bit;
                if (!byInstitution.TryGetValue(views[position].InstitutionId, out var own)) byInstitution[views[position].InstitutionId] = own = [];
                own.Add(position);
            }
            ByInstitution = byInstitution.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);
        }

        public ulong[][] ByKind { get; }
        public ulong[][] ByGuaranteeMode { get; }
        public ulong[][] BySupport { get; }
        public Dictionary<string, int[]> ByInstitution { get; }
    }

    /// <summary>The filters of one request: the bitsets to intersect, and the tests left for the products they leave.</summary>
    private sealed class Filter
    {
        private readonly decimal? _amount;
        private readonly int? _termMonths;
        private readonly string? _lowerQ;
        private readonly Key[] _keys;
        private readonly string[] _lowerNames = [];
        private readonly bool[] _nameJudged = [], _namePasses = [];

        public Filter(BrowseProducts query, Snapshot snapshot)
        {
            _keys = snapshot.Keys;
            _amount = query.Amount;
            _termMonths = query.TermMonths;
            if (query.Kind is not null)
            {
                if (EnumText.TryParse<ProductKind>(query.Kind, out var kind)) Sets.Add(snapshot.Postings.ByKind[(int)kind]);
                else None = true;
            }
            if (query.GuaranteeMode is not null)
            {
                if (EnumText.TryParse<GuaranteeMode>(query.GuaranteeMode, out var mode)) Sets.Add(snapshot.Postings.ByGuaranteeMode[(int)mode]);
                else None = true;
            }
            if (query.PolicySupport is not null)
            {
                if (EnumText.TryParse<PolicySupport>(query.PolicySupport, out var support)) Sets.Add(snapshot.Postings.BySupport[(int)support]);
                else None = true;
            }
            if (query.Region is { } region) Sets.Add(snapshot.ServingRegion(region));
            if (query.InstitutionId is not null)
            {
                if (snapshot.Postings.ByInstitution.TryGetValue(query.InstitutionId, out var own)) Institution = own;
                else None = true;
            }
            if (query.Q is { Length: > 0 } q)
            {
                _lowerQ = q.ToLowerInvariant();
                _lowerNames = snapshot.LowerNames;
                _nameJudged = new bool[_lowerNames.Length];
                _namePasses = new bool[_lowerNames.Length];
            }
            HasTests = _amount is not null || _termMonths is not null || _lowerQ is not null;
        }

        /// <summary>Some filter names a value no listed product can have.</summary>
        public bool None { get; }

        public List<ulong[]> Sets { get; } = new(4);

        /// <summary>The institution's products, in the shelves' order, when one is asked for.</summary>
        public int[]? Institution { get; }

        public bool HasTests { get; }

        public ulong Word(int word)
        {
            var bits = ulong.MaxValue;
            foreach (var set in Sets) bits &= set[word];
            return bits;
        }

        public bool InSets(int position)
        {
            foreach (var set in Sets)
                if ((set[position >> 6] & 1UL << position) == 0) return false;
            return true;
        }

        /// <summary>The amount and term within the product's ranges, and the search text in its name.</summary>
        public bool Passes(int position)
        {
            ref readonly var key = ref _keys[position];
            if (_amount is { } amount && (key.MinAmount > amount || key.MaxAmount < amount)) return false;
            if (_termMonths is { } term && (key.MinTermMonths > term || key.MaxTermMonths < term)) return false;
            if (_lowerQ is not null)
            {
                if (!_nameJudged[key.Name])
                {
                    _namePasses[key.Name] = _lowerNames[key.Name].Contains(_lowerQ, StringComparison.Ordinal);
                    _nameJudged[key.Name] = true;
                }
                return _namePasses[key.Name];
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
