using System.Collections.Concurrent;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Matching;

/// <summary>
/// The in-memory index of listed products that ranks them for a financing request.
/// <para>
/// Thread safety: <see cref="Match"/>, <see cref="Find"/> and <see cref="Count"/> are lock-free and read one
/// immutable snapshot; <see cref="Upsert"/>, <see cref="Remove"/> and <see cref="SetTrackRecords"/> are serialised,
/// build a new snapshot in O(n) (no string hashing: products are compiled once when they change) and publish it
/// with one reference write. A request therefore sees the index entirely before or entirely after an update.
/// </para>
/// <para>
/// Hard rules (all must hold): amount and term inside the product's ranges; the enterprise's region code starts with
/// one of the product's region prefixes (none = wherever the institution serves) and one of the institution's (none
/// = no restriction); industry code starts with an allowed prefix (none = all); size allowed (none = all); every
/// required tag held; whole years in business ≥ the minimum; tax credit level ≥ the minimum when set; at least one
/// guarantee mode in common (a product or request with none matches nothing); the request's MaxRate, when set, ≥ the
/// product's MinRate; the product listed. A blacklisted enterprise gets a refusal and nothing else.
/// Near misses are products serving the enterprise's region that fail exactly one other rule: a product of another
/// region is not "near".
/// </para>
/// </summary>
public sealed class ProductIndex
{
    private readonly Lock _writer = new();
    private readonly ConcurrentDictionary<string, CompiledProduct> _byId = new(StringComparer.Ordinal);
    private readonly List<CompiledProduct> _all = [];
    private readonly InternTable _regions = new(), _industries = new(), _institutions = new();
    private readonly List<int> _regionCounts = [];      // listed products per region id: the run sizes of the next snapshot
    private int _industryTotal;
    private Dictionary<string, InstitutionTrackRecord> _trackRecords = new(StringComparer.Ordinal);
    private volatile IndexSnapshot _snapshot = IndexSnapshot.Empty;

    private static readonly MatchResult Refused = new([], [], ReasonText.Blacklisted);

    private ProductIndex()
    {
    }

    public static ProductIndex Build(IEnumerable<ProductListing> products)
    {
        ArgumentNullException.ThrowIfNull(products);
        var index = new ProductIndex();
        lock (index._writer)
        {
            foreach (var product in products) index.Put(product);
            index.Publish();
        }
        return index;
    }

    /// <summary>Listed products in the index.</summary>
    public int Count => _snapshot.Count;

    /// <summary>Lists a new product or replaces the one with the same Id; a delisted product is removed.</summary>
    public void Upsert(ProductListing product)
    {
        ArgumentNullException.ThrowIfNull(product);
        lock (_writer)
        {
            Put(product);
            Publish();
        }
    }

    public void Remove(string productId)
    {
        ArgumentNullException.ThrowIfNull(productId);
        lock (_writer)
        {
            if (Delete(productId)) Publish();
        }
    }

    /// <summary>Replaces every institution's track record (institutions not in the map become neutral).</summary>
    public void SetTrackRecords(IReadOnlyDictionary<string, InstitutionTrackRecord> byInstitutionId)
    {
        ArgumentNullException.ThrowIfNull(byInstitutionId);
        lock (_writer)
        {
            var copy = new Dictionary<string, InstitutionTrackRecord>(byInstitutionId.Count, StringComparer.Ordinal);
            foreach (var (institutionId, record) in byInstitutionId)
                if (record is not null) copy[institutionId] = record;
            _trackRecords = copy;
            Publish();
        }
    }

    /// <summary>The best <see cref="MatchQuery.Limit"/> eligible products, best first, and optionally the best near misses.</summary>
    public MatchResult Match(MatchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.Enterprise);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        return query.Enterprise.Blacklisted ? Refused : _snapshot.Match(query);
    }

    public ProductListing? Find(string productId) =>
        productId is not null && _byId.TryGetValue(productId, out var compiled) ? compiled.Product : null;

    private void Put(ProductListing product)
    {
        ArgumentNullException.ThrowIfNull(product.Id);
        if (product.Status != ProductStatus.Listed)
        {
            Delete(product.Id);
            return;
        }
        var compiled = CompiledProduct.Create(product, _regions, _industries, _institutions);
        if (_byId.TryGetValue(product.Id, out var existing))
        {
            Tally(existing, -1);
            compiled.Position = existing.Position;
            _all[existing.Position] = compiled;
        }
        else
        {
            compiled.Position = _all.Count;
            _all.Add(compiled);
        }
        Tally(compiled, +1);
        _byId[product.Id] = compiled;
    }

    private bool Delete(string productId)
    {
        if (!_byId.TryRemove(productId, out var removed)) return false;
        Tally(removed, -1);
        var last = _all[^1];
        _all[removed.Position] = last;
        last.Position = removed.Position;
        _all.RemoveAt(_all.Count - 1);
        return true;
    }

    private void Tally(CompiledProduct product, int sign)
    {
        while (_regionCounts.Count < _regions.Count) _regionCounts.Add(0);
        foreach (var region in product.RegionIds) _regionCounts[region] += sign;
        _industryTotal += sign * product.IndustryIds.Length;
    }

    private void Publish()
    {
        while (_regionCounts.Count < _regions.Count) _regionCounts.Add(0);
        _snapshot = IndexSnapshot.Build(_all, _regionCounts, _industryTotal, _regions, _industries, _institutions, _trackRecords, _snapshot);
    }
}
