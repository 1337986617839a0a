namespace FinanceSupermarket.Matching;

/// <summary>A product prepared once when listed or changed: its entry and the ids of the bitsets it belongs to.</summary>
internal sealed class CompiledProduct
{
    public required ProductListing Product { get; init; }
    public required Entry Template;                       // what its slot's entry holds
    public required int[] Attributes { get; init; }     // see Matching.Attributes
    public required int[] RegionIds { get; init; }      // effective region prefixes, interned, broadest first; empty = served nowhere
    public required int[] IndustryIds { get; init; }    // industry prefixes, interned; empty = all
    public int Slot { get; set; } = -1;                 // block × Block.Size + position; −1 = in no block (served nowhere)

    /// <summary>The region whose blocks hold the product.</summary>
    public int Home => RegionIds[0];

    public static CompiledProduct Create(ProductListing product, InternTable regions, InternTable industries, InternTable institutions)
    {
        var regionPrefixes = Codes.EffectiveRegionPrefixes(product.RegionCodes, product.InstitutionRegionCodes);
        var industryPrefixes = Codes.IndustryPrefixes(product.IndustryCodes);
        var regionIds = new int[regionPrefixes.Length];
        for (var i = 0; i < regionIds.Length; i++) regionIds[i] = regions.Intern(regionPrefixes[i]);
        var industryIds = industryPrefixes.Length == 0 ? [] : new int[industryPrefixes.Length];
        for (var i = 0; i < industryIds.Length; i++) industryIds[i] = industries.Intern(industryPrefixes[i]);
        var entry = Entry.Compile(product);
        entry.InstitutionSlot = institutions.Intern(product.InstitutionId ?? "");
        entry.IndustryCount = (ushort)industryIds.Length;
        return new CompiledProduct
        {
            Product = product,
            Template = entry,
            Attributes = Matching.Attributes.Of(in entry),
            RegionIds = regionIds,
            IndustryIds = industryIds,
        };
    }
}

/// <summary>
/// Grow-only string → id table owned by the writer. Snapshots read a frozen copy, made again only when it grew
/// (codes are a small closed set: a few thousand regions and industries at most).
/// </summary>
internal sealed class InternTable
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _values = [];
    private Dictionary<string, int>? _frozen;

    public int Count => _values.Count;
    public string this[int id] => _values[id];

    public int Intern(string value)
    {
        if (_ids.TryGetValue(value, out var id)) return id;
        id = _values.Count;
        _ids.Add(value, id);
        _values.Add(value);
        _frozen = null;
        return id;
    }

    /// <summary>A copy that no later Intern changes: safe for lock-free readers.</summary>
    public Dictionary<string, int> Frozen() => _frozen ??= new Dictionary<string, int>(_ids, StringComparer.Ordinal);
}
