namespace FinanceSupermarket.Matching;

internal struct Candidate
{
    public double Score;
    public long MinRate;
    public int Ordinal;
    public Rule FailedRule;
}

/// <summary>
/// A bounded heap keeping the best <c>capacity</c> candidates seen so far, its root the worst of them, over
/// caller-provided (usually stack) storage: O(log N) per kept candidate, one comparison per rejected one.
/// </summary>
internal ref struct TopN
{
    private readonly Span<Candidate> _items;
    private readonly Block[] _blocks;
    private int _count;

    public TopN(Span<Candidate> storage, Block[] blocks)
    {
        _items = storage;
        _blocks = blocks;
        _count = 0;
    }

    /// <summary>The product in a slot (a candidate's or an entry's ordinal).</summary>
    public static ProductListing Product(Block[] blocks, int ordinal) => blocks[ordinal >> Block.Shift].Product(ordinal & Block.Mask)!.Product;

    public readonly int Count => _count;

    /// <summary>A score below this cannot enter (only meaningful once full: otherwise −∞).</summary>
    public readonly double Threshold => _count == _items.Length && _count > 0 ? _items[0].Score : double.NegativeInfinity;

    public void Offer(in Candidate candidate)
    {
        if (_items.Length == 0) return;
        if (_count < _items.Length)
        {
            var i = _count++;
            _items[i] = candidate;
            SiftUp(i);
        }
        else if (Before(in candidate, in _items[0]))
        {
            _items[0] = candidate;
            SiftDown(0);
        }
    }

    /// <summary>Removes the worst candidate kept; popping all of them yields the ranking from the back.</summary>
    public Candidate PopWorst()
    {
        var worst = _items[0];
        _items[0] = _items[--_count];
        SiftDown(0);
        return worst;
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Before(in _items[parent], in _items[i])) break;
            (_items[parent], _items[i]) = (_items[i], _items[parent]);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var worst = i;
            var left = 2 * i + 1;
            var right = left + 1;
            if (left < _count && Before(in _items[worst], in _items[left])) worst = left;
            if (right < _count && Before(in _items[worst], in _items[right])) worst = right;
            if (worst == i) return;
            (_items[worst], _items[i]) = (_items[i], _items[worst]);
            i = worst;
        }
    }

    /// <summary>The ranking order: score descending, then MinRate ascending, then product Id ordinal ascending.</summary>
    private readonly bool Before(in Candidate a, in Candidate b)
    {
        if (a.Score != b.Score) return a.Score > b.Score;
        if (a.MinRate != b.MinRate) return a.MinRate < b.MinRate;
        var pa = Product(_blocks, a.Ordinal);
        var pb = Product(_blocks, b.Ordinal);
        var byRate = pa.MinRate.CompareTo(pb.MinRate);   // only differs for rates with more decimals than the scale
        if (byRate != 0) return byRate < 0;
        return string.CompareOrdinal(pa.Id, pb.Id) < 0;
    }
}
