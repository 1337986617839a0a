using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>
/// The public shelves in memory: every listed product as <see cref="BrowseProducts"/> shows it, in the shelves' order
/// (min rate, then id), with its filter fields packed so that one pass over an array of structs counts and pages a
/// filter. Kept by <see cref="Matching.MatchingIndex"/> from the same product rows as the matching index, after commit on
/// this node and from the catalog version on the others. Readers take one immutable array; a change publishes a new one.
/// </summary>
public sealed class ShelfCatalogue(ReferenceData codes)
{
    private readonly Lock _writer = new();
    private readonly Dictionary<string, Shelved> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _institutions = new(StringComparer.Ordinal), _names = new(StringComparer.Ordinal),
        _regionSets = new(StringComparer.Ordinal);
    private readonly List<string> _lowerNames = [];
    private readonly List<string[]> _offeredPrefixes = [];
    private volatile Snapshot _snapshot = new([], [], [], []);

    private sealed record Snapshot(ProductView[] Views, Key[] Keys, string[] LowerNames, string[][] OfferedPrefixes);

    // The filter fields of one product; names and offered regions are shared by many products, so they are numbered.
    private readonly record struct Key(
        decimal MinAmount, decimal MaxAmount, int MinTermMonths, int MaxTermMonths, int Institution, int Name, int RegionSet,
        ProductKind Kind, byte GuaranteeModes, byte PolicySupport);

    private sealed record Shelved(ProductView View, Key Key);

    /// <summary>Replaces the whole catalogue (the first load, or a change too large to apply product by product).</summary>
    public void Load(IEnumerable<ProductRow> listed)
    {
        lock (_writer)
        {
            _byId.Clear();
            foreach (var row in listed) Put(row);
            Publish();
        }
    }

    /// <summary>Products written since the last load: listed ones replace their old version, the others leave the shelves.</summary>
    public void Apply(IEnumerable<ProductRow> changed)
    {
        lock (_writer)
        {
            foreach (var row in changed) Put(row);
            Publish();
        }
    }

    private void Put(ProductRow row)
    {
        if (row.Status != EnumText.ToText(ProductStatus.Listed))
        {
            _byId.Remove(row.Id);
            return;
        }
        var view = row.ToView().Named(codes);
        // Where the product is offered, as product_regions holds it: its own regions, else all its institution's, as prefixes.
        var offered = (view.RegionCodes.Count > 0 ? view.RegionCodes : ProductRow.SplitCodes(row.InstitutionRegionCodes))
            .Select(Codes.NormaliseRegionPrefix).Distinct().Order(StringComparer.Ordinal).ToArray();
        var key = new Key(view.MinAmount, view.MaxAmount, view.MinTermMonths, view.MaxTermMonths, Number(_institutions, view.InstitutionId),
            Name(view.Name), RegionSet(offered), view.Kind, Mask(view.GuaranteeModes), Mask(view.PolicySupport));
        _byId[row.Id] = new Shelved(view, key);
    }

    private void Publish()
    {
        var shelved = _byId.Values.ToArray();
        // The shelves' SQL order: ORDER BY p.min_rate, p.id (ids compared as their bytes).
        Array.Sort(shelved, (a, b) => a.View.MinRate != b.View.MinRate
            ? a.View.MinRate.CompareTo(b.View.MinRate)
            : string.CompareOrdinal(a.View.Id, b.View.Id));
        _snapshot = new Snapshot(shelved.Select(s => s.View).ToArray(), shelved.Select(s => s.Key).ToArray(), [.. _lowerNames], [.. _offeredPrefixes]);
    }

    /// <summary>One page of the listed products passing every filter given, and how many pass them: what the shelves' SQL answers.</summary>
    public Paged<ProductView> Browse(BrowseProducts query)
    {
        var snapshot = _snapshot;
        var window = PageWindow.Of(query);
        var filter = new Filter(query, snapshot, _institutions, _writer);
        var page = new List<ProductView>(window.Take);
        long total = 0;
        var keys = snapshot.Keys;
        for (var i = 0; i < keys.Length; i++)
        {
            if (!filter.Passes(in keys[i])) continue;
            if (total >= window.Skip && page.Count < window.Take) page.Add(snapshot.Views[i]);
            total++;
        }
        return window.With(page, total);
    }

    /// <summary>The filters of one request, with the shared names and region sets judged once each, when first met.</summary>
    private sealed class Filter
    {
        private readonly decimal? _amount;
        private readonly int? _termMonths;
        private readonly ProductKind? _kind;
        private readonly int _institution = -1;
        private readonly byte _guaranteeMode, _policySupport;
        private readonly string? _lowerQ, _region;
        private readonly string[] _regionAncestors = [];
        private readonly Snapshot _snapshot;
        private readonly bool[] _nameJudged = [], _namePasses = [], _regionJudged = [], _regionPasses = [];
        private readonly bool _none;

        public Filter(BrowseProducts query, Snapshot snapshot, Dictionary<string, int> institutions, Lock writer)
        {
            _snapshot = snapshot;
            _amount = query.Amount;
            _termMonths = query.TermMonths;
            if (query.Kind is not null) _none |= !TryParse(query.Kind, out _kind);
            if (query.InstitutionId is not null)
                lock (writer) _none |= !institutions.TryGetValue(query.InstitutionId, out _institution);
            if (query.GuaranteeMode is not null) _none |= !TryBit<GuaranteeMode>(query.GuaranteeMode, out _guaranteeMode);
            if (query.PolicySupport is not null) _none |= !TryBit<PolicySupport>(query.PolicySupport, out _policySupport);
            if (query.Q is { Length: > 0 } q)
            {
                _lowerQ = q.ToLowerInvariant();
                _nameJudged = new bool[snapshot.LowerNames.Length];
                _namePasses = new bool[snapshot.LowerNames.Length];
            }
            if (query.Region is { } region)
            {
                _region = region;
                _regionAncestors = [.. new[] { 2, 4, 6 }.Where(length => region.Length >= length).Select(length => region[..length])];
                _regionJudged = new bool[snapshot.OfferedPrefixes.Length];
                _regionPasses = new bool[snapshot.OfferedPrefixes.Length];
            }
        }

        public bool Passes(in Key key)
        {
            if (_none) return false;
            if (_kind is { } kind && key.Kind != kind) return false;
            if (_institution >= 0 && key.Institution != _institution) return false;
            if (_amount is { } amount && (key.MinAmount > amount || key.MaxAmount < amount)) return false;
            if (_termMonths is { } term && (key.MinTermMonths > term || key.MaxTermMonths < term)) return false;
            if (_guaranteeMode != 0 && (key.GuaranteeModes & _guaranteeMode) == 0) return false;
            if (_policySupport != 0 && (key.PolicySupport & _policySupport) == 0) return false;
            if (_lowerQ is not null && !Judged(_nameJudged, _namePasses, key.Name,
                    n => _snapshot.LowerNames[n].Contains(_lowerQ, StringComparison.Ordinal))) return false;
            if (_region is not null && !Judged(_regionJudged, _regionPasses, key.RegionSet, ServesRegion)) return false;
            return true;
        }

        // The SQL's region test: an offered prefix is one of the region's province, city or county, or lies inside the region.
        private bool ServesRegion(int regionSet) =>
            _snapshot.OfferedPrefixes[regionSet].Any(prefix => _regionAncestors.Contains(prefix) || prefix.StartsWith(_region!, StringComparison.Ordinal));

        private static bool Judged(bool[] judged, bool[] passes, int id, Func<int, bool> judge)
        {
            if (!judged[id])
            {
                passes[id] = judge(id);
                judged[id] = true;
            }
            return passes[id];
        }

        private static bool TryParse(string text, out ProductKind? kind)
        {
            var parsed = EnumText.TryParse<ProductKind>(text, out var value);
            kind = value;
            return parsed;
        }

        private static bool TryBit<T>(string text, out byte bit) where T : struct, Enum
        {
            bit = EnumText.TryParse<T>(text, out var value) ? (byte)(1 << Convert.ToInt32(value)) : (byte)0;
            return bit != 0;
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
