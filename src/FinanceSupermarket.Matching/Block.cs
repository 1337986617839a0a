namespace FinanceSupermarket.Matching;

/// <summary>
/// <see cref="Size"/> product slots of the index with their entries and the bitsets of their attributes, regions and
/// industries (<see cref="Words"/> words each; null = no product of the block has it). A block holds the products of one
/// home region (<see cref="Group"/>, the first of a product's region prefixes), so a request skips at once every block
/// that serves none of its region's prefixes.
/// <para>
/// Entries and products sit in chunks of 64 slots, one chunk per bitset word (null until a slot of it is used), so that a
/// product change copies 5 KB of entries, not the block's 80 KB: at a million products a copy of a whole block per change
/// was a large-object allocation each time, and the collections of the large-object heap made a change cost ~0.9 ms.
/// </para>
/// <para>
/// Copy on write: once published in a snapshot a block is <see cref="Frozen"/> and never changes again; the writer
/// changes a copy and publishes a snapshot holding it, so a reader sees a product change entirely or not at all. The copy
/// shares the original's chunks and bitsets until it writes one (a product change touches one chunk and a few dozen of
/// several hundred bitsets).
/// </para>
/// </summary>
internal sealed class Block
{
    public const int Shift = 10, Size = 1 << Shift, Mask = Size - 1, Words = Size / 64;

    public readonly int Group;
    public readonly Entry[]?[] Entries;                 // [position >> 6][position & 63]
    public readonly CompiledProduct?[]?[] Products;
    public readonly ulong[]?[] Fixed;
    public ulong[]?[] Regions, Industries;
    public int Used;

    /// <summary>
    /// By <see cref="BoundCell"/> (product kind and first-loan friendliness), at least the largest <see cref="Entry.StaticPart"/>
    /// of the block's products of that cell (−∞ for none). With the most the other parts can add for a request's purpose and
    /// loan history this bounds every score in the block, so a match skips the block once its top N is better than that.
    /// </summary>
    public double[] MaxStatic;
    private bool _maxStaticStale;  // a product with the largest static part of its cell left: worked out again when frozen

    public const int BoundCells = Scoring.TableColumns * 2;

    public static int BoundCell(in Entry e) => e.Kind * 2 + (e.Flags & Entry.FirstLoanFriendlyFlag);

    private Block? _original;     // while a writable copy: the frozen block whose chunks and bitsets it may still share

    public bool Frozen { get; private set; }

    /// <summary>Published: from now on nobody writes to the block.</summary>
    public void Freeze()
    {
        if (Frozen) return;
        if (_maxStaticStale) LargestStaticParts();
        _maxStaticStale = false;
        Frozen = true;
        _original = null;
    }

    public Block(int group)
    {
        Group = group;
        Entries = new Entry[]?[Words];
        Products = new CompiledProduct?[]?[Words];
        Fixed = new ulong[]?[Attributes.Count];
        Regions = [];
        Industries = [];
        MaxStatic = new double[BoundCells];
        Array.Fill(MaxStatic, double.NegativeInfinity);
    }

    private Block(Block other)
    {
        Group = other.Group;
        Entries = (Entry[]?[])other.Entries.Clone();
        Products = (CompiledProduct?[]?[])other.Products.Clone();
        Fixed = (ulong[]?[])other.Fixed.Clone();
        Regions = (ulong[]?[])other.Regions.Clone();
        Industries = (ulong[]?[])other.Industries.Clone();
        Used = other.Used;
        MaxStatic = (double[])other.MaxStatic.Clone();
        _original = other;
    }

    /// <summary>A copy the writer may change (this block itself while it is not yet published).</summary>
    public Block Writable() => Frozen ? new Block(this) : this;

    public CompiledProduct? Product(int position) => Products[position >> 6]?[position & 63];

    public void Place(int position, CompiledProduct product)
    {
        ref readonly var entry = ref product.Template;
        var chunk = position >> 6;
        OwnedChunk(Entries, _original?.Entries, chunk)[position & 63] = entry;
        OwnedChunk(Products, _original?.Products, chunk)[position & 63] = product;
        Used++;
        ref var max = ref MaxStatic[BoundCell(in entry)];
        max = Math.Max(max, entry.StaticPart);
        foreach (var id in product.Attributes) Set(Fixed, _original?.Fixed, id, position);
        foreach (var id in product.RegionIds) Set(Grown(ref Regions, id), _original?.Regions, id, position);
        foreach (var id in product.IndustryIds) Set(Grown(ref Industries, id), _original?.Industries, id, position);
    }

    public void Clear(int position)
    {
        var product = Product(position)!;
        _maxStaticStale |= product.Template.StaticPart >= MaxStatic[BoundCell(in product.Template)];
        foreach (var id in product.Attributes) Reset(Fixed, _original?.Fixed, id, position);
        foreach (var id in product.RegionIds) Reset(Regions, _original?.Regions, id, position);
        foreach (var id in product.IndustryIds) Reset(Industries, _original?.Industries, id, position);
        var chunk = position >> 6;
        OwnedChunk(Entries, _original?.Entries, chunk)[position & 63] = default;
        OwnedChunk(Products, _original?.Products, chunk)[position & 63] = null;
        Used--;
    }

    public static ulong[]? Of(ulong[]?[] bitsets, int id) => (uint)id < (uint)bitsets.Length ? bitsets[id] : null;

    private void LargestStaticParts()
    {
        Array.Fill(MaxStatic, double.NegativeInfinity);
        for (var chunk = 0; chunk < Words; chunk++)
        {
            if (Products[chunk] is not { } products) continue;
            var entries = Entries[chunk]!;
            for (var i = 0; i < products.Length; i++)
            {
                if (products[i] is null) continue;
                ref var max = ref MaxStatic[BoundCell(in entries[i])];
                max = Math.Max(max, entries[i].StaticPart);
            }
        }
    }

    // A chunk this copy still shares with the published original is copied before its first write.
    private static T[] OwnedChunk<T>(T[]?[] chunks, T[]?[]? original, int chunk)
    {
        var current = chunks[chunk];
        if (current is null) return chunks[chunk] = new T[64];
        return original is not null && ReferenceEquals(original[chunk], current) ? chunks[chunk] = (T[])current.Clone() : current;
    }

    private static void Set(ulong[]?[] bitsets, ulong[]?[]? original, int id, int position) =>
        (bitsets[id] = Owned(bitsets[id], original, id) ?? new ulong[Words])[position >> 6] |= 1UL << position;

    // An emptied bitset goes back to null, so that "no product here" stays a null test for the readers.
    private static void Reset(ulong[]?[] bitsets, ulong[]?[]? original, int id, int position)
    {
        var bits = bitsets[id] = Owned(bitsets[id], original, id)!;
        bits[position >> 6] &= ~(1UL << position);
        if (Array.TrueForAll(bits, word => word == 0)) bitsets[id] = null;
    }

    // A bitset this copy still shares with the published original is copied before its first write.
    private static ulong[]? Owned(ulong[]? bits, ulong[]?[]? original, int id) =>
        bits is not null && original is not null && (uint)id < (uint)original.Length && ReferenceEquals(original[id], bits)
            ? (ulong[])bits.Clone()
            : bits;

    private static ulong[]?[] Grown(ref ulong[]?[] bitsets, int id)
    {
        if (id >= bitsets.Length) Array.Resize(ref bitsets, Math.Max(id + 1, bitsets.Length * 2));
        return bitsets;
    }
}
