using System.Collections.Concurrent;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Matching;

/// <summary>
/// The in-memory index of listed products that ranks them for a financing request.
/// <para>
/// Thread safety: <see cref="Match"/>, <see cref="Find"/> and <see cref="Count"/> are lock-free and read one
/// immutable snapshot; <see cref="Upsert"/>, <see cref="Remove"/> and <see cref="SetTrackRecords"/> are serialised,
/// copy the one or two blocks a product change touches (see <see cref="IndexSnapshot"/>; new track records copy
/// nothing but a number per institution) and publish a new snapshot with one reference write. A request therefore
/// sees the index entirely before or entirely after an update. <see cref="Build"/> fills fresh blocks in place.
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
    private readonly List<Block> _blocks = [];
    private readonly List<Block> _changed = [];                        // blocks written since the last Publish
    private readonly BlocksByRegion _blocksByRegion = new();
    private readonly Dictionary<int, Stack<int>> _freeSlots = [];       // by home region: the free slots of its blocks
    private readonly InternTable _regions = new(), _industries = new(), _institutions = new();
    // By institution slot. Published snapshots read it, so a slot once written never changes: new track records make a new
    // array; a new institution's part goes into room no published product refers to yet (or into a larger copy).
    private double[] _trackParts = [];
    private int _trackPartsCount;
    private Dictionary<string, InstitutionTrackRecord> _trackRecords = new(StringComparer.Ordinal);
    private volatile IndexSnapshot _snapshot = IndexSnapshot.Empty;

    private static readonly MatchResult Refused = new([], [], ReasonText.Blacklisted);

    private ProductIndex()
    {
    }

    /// <summary>
    /// A fresh index. Each home region's products are placed by kind, first-loan friendliness and descending static score
    /// part, so that a block's bounds (<see cref="Block.MaxStatic"/>) are tight and a match skips most blocks; later upserts
    /// go into free slots wherever they are, which loosens the bounds of their blocks until the next build.
    /// </summary>
    public static ProductIndex Build(IEnumerable<ProductListing> products)
    {
        ArgumentNullException.ThrowIfNull(products);
        var index = new ProductIndex();
        lock (index._writer)
        {
            // The last listing of an id wins, as if each were upserted in turn.
            var latest = new Dictionary<string, ProductListing>(StringComparer.Ordinal);
            foreach (var product in products)
            {
                ArgumentNullException.ThrowIfNull(product);
                ArgumentNullException.ThrowIfNull(product.Id);
                latest[product.Id] = product;
            }
            var placed = new List<CompiledProduct>(latest.Count);
            foreach (var product in latest.Values)
            {
                if (product.Status != ProductStatus.Listed) continue;
                var compiled = index.Compile(product);
                index._byId[product.Id] = compiled;
                if (compiled.RegionIds.Length > 0) placed.Add(compiled);
            }
            placed.Sort(static (a, b) =>
                a.Home != b.Home ? a.Home.CompareTo(b.Home)
                : Block.BoundCell(in a.Template) != Block.BoundCell(in b.Template) ? Block.BoundCell(in a.Template).CompareTo(Block.BoundCell(in b.Template))
                : b.Template.StaticPart.CompareTo(a.Template.StaticPart));
            foreach (var product in placed) index.Occupy(product);
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
            _trackParts = new double[Math.Max(16, _institutions.Count)];
            _trackPartsCount = 0;
            for (var slot = 0; slot < _institutions.Count; slot++) AddTrackPart(slot);
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

    /// <summary>The same match, telling how much of the index it read (for the benchmarks' bytes per match).</summary>
    public MatchResult Match(MatchQuery query, out MatchWork work)
    {
        ArgumentNullException.ThrowIfNull(query);
        work = default;
        return query.Enterprise.Blacklisted ? Refused : _snapshot.Match(query, ref work);
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
        var compiled = Compile(product);
        if (_byId.TryGetValue(product.Id, out var existing)) Vacate(existing);
        if (compiled.RegionIds.Length > 0) Occupy(compiled);
        _byId[product.Id] = compiled;
    }

    private CompiledProduct Compile(ProductListing product)
    {
        var compiled = CompiledProduct.Create(product, _regions, _industries, _institutions);
        for (var slot = _trackPartsCount; slot < _institutions.Count; slot++) AddTrackPart(slot);
        return compiled;
    }

    private bool Delete(string productId)
    {
        if (!_byId.TryRemove(productId, out var removed)) return false;
        Vacate(removed);
        return true;
    }

    // A product lives in a block of its home region; a changed one takes its old slot back when its home is the same.
    private void Occupy(CompiledProduct product)
    {
        if (!_freeSlots.TryGetValue(product.Home, out var free)) _freeSlots.Add(product.Home, free = new Stack<int>());
        if (free.Count == 0)
        {
            var blockIndex = _blocks.Count;
            var fresh = new Block(product.Home);
            _blocks.Add(fresh);
            _changed.Add(fresh);
            for (var position = Block.Size - 1; position >= 0; position--) free.Push(blockIndex << Block.Shift | position);
        }
        var slot = free.Pop();
        Writable(slot).Place(slot & Block.Mask, product);
        product.Slot = slot;
        foreach (var id in product.RegionIds) _blocksByRegion.Served(id, slot >> Block.Shift, true);
    }

    private void Vacate(CompiledProduct product)
    {
        if (product.Slot < 0) return;
        var block = Writable(product.Slot);
        block.Clear(product.Slot & Block.Mask);
        foreach (var id in product.RegionIds)
            if (Block.Of(block.Regions, id) is null) _blocksByRegion.Served(id, product.Slot >> Block.Shift, false);
        _freeSlots[block.Group].Push(product.Slot);
        product.Slot = -1;
    }

    // Copy on write: a published block is copied once, then changed in place until the next Publish.
    private Block Writable(int slot)
    {
        var index = slot >> Block.Shift;
        var block = _blocks[index];
        if (!block.Frozen) return block;
        _blocks[index] = block = block.Writable();
        _changed.Add(block);
        return block;
    }

    private void AddTrackPart(int slot)
    {
        if (slot >= _trackParts.Length) Array.Resize(ref _trackParts, Math.Max(16, _trackParts.Length * 2));
        _trackParts[slot] = Scoring.TrackRecordPart(_trackRecords.GetValueOrDefault(_institutions[slot]));
        _trackPartsCount = slot + 1;
    }

    private void Publish()
    {
        foreach (var block in _changed) block.Freeze();
        _changed.Clear();
        _snapshot = _snapshot.Next([.. _blocks], _blocksByRegion.Published(), _byId.Count, _trackParts, _regions, _industries, _trackRecords);
    }
}

/// <summary>
/// The writer's list, by region prefix id, of the blocks holding a product served there (sorted block numbers), and the
/// frozen arrays a snapshot reads: a match visits the blocks of its region's prefixes without touching any other block.
/// A change re-copies only the lists it changed (a block's first product of a region, or its last one gone).
/// </summary>
internal sealed class BlocksByRegion
{
    private readonly List<List<int>> _lists = [];
    private int[]?[] _published = [];
    private readonly HashSet<int> _changed = [];

    public void Served(int regionId, int block, bool served)
    {
        while (_lists.Count <= regionId) _lists.Add([]);
        var list = _lists[regionId];
        var at = list.BinarySearch(block);
        if (served == at >= 0) return;
        if (served) list.Insert(~at, block);
        else list.RemoveAt(at);
        _changed.Add(regionId);
    }

    public int[]?[] Published()
    {
        if (_changed.Count == 0) return _published;
        var next = new int[]?[_lists.Count];
        Array.Copy(_published, next, _published.Length);
        foreach (var regionId in _changed) next[regionId] = [.. _lists[regionId]];
        _changed.Clear();
        return _published = next;
    }
}
