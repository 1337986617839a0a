namespace FinanceSupermarket.Matching;

/// <summary>
/// <see cref="Size"/> product slots of the index with their entries and the bitsets of their attributes, regions and
/// industries (<see cref="Words"/> words each; null = no product of the block has it). A block holds the products of one
/// home region (<see cref="Group"/>, the first of a product's region prefixes), so a request skips at once every block
/// that serves none of its region's prefixes.
/// <para>
/// Copy on write: once published in a snapshot a block is <see cref="Frozen"/> and never changes again; the writer
/// changes a copy and publishes a snapshot holding it, so a reader sees a product change entirely or not at all.
/// </para>
/// </summary>
internal sealed class Block
{
    public const int Shift = 10, Size = 1 << Shift, Mask = Size - 1, Words = Size / 64;

    public readonly int Group;
    public readonly Entry[] Entries;
    public readonly CompiledProduct?[] Products;
    public readonly ulong[]?[] Fixed;
    public ulong[]?[] Regions, Industries;
    public int Used;
    public bool Frozen;

    public Block(int group)
    {
        Group = group;
        Entries = new Entry[Size];
        Products = new CompiledProduct?[Size];
        Fixed = new ulong[]?[Attributes.Count];
        Regions = [];
        Industries = [];
    }

    private Block(Block other)
    {
        Group = other.Group;
        Entries = (Entry[])other.Entries.Clone();
        Products = (CompiledProduct?[])other.Products.Clone();
        Fixed = CloneAll(other.Fixed);
        Regions = CloneAll(other.Regions);
        Industries = CloneAll(other.Industries);
        Used = other.Used;
    }

    /// <summary>A copy the writer may change (this block itself while it is not yet published).</summary>
    public Block Writable() => Frozen ? new Block(this) : this;

    public void Place(int position, CompiledProduct product, in Entry entry)
    {
        Entries[position] = entry;
        Products[position] = product;
        Used++;
        foreach (var id in product.Attributes) Set(Fixed, id, position);
        foreach (var id in product.RegionIds) Set(Grown(ref Regions, id), id, position);
        foreach (var id in product.IndustryIds) Set(Grown(ref Industries, id), id, position);
    }

    public void Clear(int position)
    {
        var product = Products[position]!;
        foreach (var id in product.Attributes) Reset(Fixed, id, position);
        foreach (var id in product.RegionIds) Reset(Regions, id, position);
        foreach (var id in product.IndustryIds) Reset(Industries, id, position);
        Entries[position] = default;
        Products[position] = null;
        Used--;
    }

    public static ulong[]? Of(ulong[]?[] bitsets, int id) => (uint)id < (uint)bitsets.Length ? bitsets[id] : null;

    private static void Set(ulong[]?[] bitsets, int id, int position) =>
        (bitsets[id] ??= new ulong[Words])[position >> 6] |= 1UL << position;

    // An emptied bitset goes back to null, so that "no product here" stays a null test for the readers.
    private static void Reset(ulong[]?[] bitsets, int id, int position)
    {
        var bits = bitsets[id]!;
        bits[position >> 6] &= ~(1UL << position);
        if (Array.TrueForAll(bits, word => word == 0)) bitsets[id] = null;
    }

    private static ulong[]?[] Grown(ref ulong[]?[] bitsets, int id)
    {
        if (id >= bitsets.Length) Array.Resize(ref bitsets, Math.Max(id + 1, bitsets.Length * 2));
        return bitsets;
    }

    private static ulong[]?[] CloneAll(ulong[]?[] bitsets)
    {
        var copy = new ulong[]?[bitsets.Length];
        for (var i = 0; i < copy.Length; i++) copy[i] = (ulong[]?)bitsets[i]?.Clone();
        return copy;
    }
}
