namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>Delays in hours, of which exact percentiles are taken (an institution's answer times).</summary>
public sealed class Samples
{
    private double[] _values = [];
    private int _count;

    public int Count => _count;

    public void Add(double hours)
    {
        Reserve(1);
        _values[_count++] = hours;
    }

    private void Reserve(int more)
    {
        if (_count + more > _values.Length) Array.Resize(ref _values, Math.Max(_count + more, Math.Max(16, _values.Length * 2)));
    }

    /// <summary>
    /// The exact percentile with linear interpolation between ranks (as PostgreSQL's percentile_cont). The two ranks'
    /// values are selected in linear time (the values are reordered, not sorted).
    /// </summary>
    public double? Percentile(double fraction)
    {
        if (_count == 0) return null;
        var values = _values.AsSpan(0, _count);
        var rank = fraction * (_count - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        var low = Select(values, lower);
        // Everything after position lower is at least low: the next rank's value is the least of them.
        var high = upper == lower ? low : Min(values[(lower + 1)..]);
        return Math.Round(low + (high - low) * (rank - lower), 3);
    }

    private static double Min(Span<double> values)
    {
        var min = values[0];
        foreach (var value in values) if (value < min) min = value;
        return min;
    }

    /// <summary>
    /// The k-th smallest value (0-based), left at position k with no larger value before it and no smaller one after it:
    /// quickselect with a median-of-three pivot and a three-way partition (runs of equal delays cost nothing).
    /// </summary>
    private static double Select(Span<double> values, int k)
    {
        var left = 0;
        var right = values.Length - 1;
        while (right - left > 16)
        {
            var middle = left + (right - left) / 2;
            var pivot = MedianOfThree(values[left], values[middle], values[right]);
            // values[left..lt) < pivot, values[lt..i) == pivot, values(gt..right] > pivot
            int lt = left, i = left, gt = right;
            while (i <= gt)
            {
                var value = values[i];
                if (value < pivot) (values[lt], values[i]) = (values[i++], values[lt++]);
                else if (value > pivot) (values[i], values[gt]) = (values[gt--], values[i]);
                else i++;
            }
            if (k < lt) right = lt - 1;
            else if (k > gt) left = gt + 1;
            else return pivot;
        }
        values[left..(right + 1)].Sort();
        return values[k];
    }

    private static double MedianOfThree(double a, double b, double c) =>
        a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
}
