using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>A group's delays from submission to first answer and to result.</summary>
public sealed class Delays
{
    public DelayHistogram FirstAnswer { get; } = new();
    public DelayHistogram Result { get; } = new();

    /// <summary>A delta's delays in thousandths of an hour (none where null), each counted <paramref name="times"/> times: -1 takes them out.</summary>
    public void Add(long? firstAnswer, long? result, long times)
    {
        if (firstAnswer is { } first) FirstAnswer.Add(first, times);
        if (result is { } value) Result.Add(value, times);
    }
}

/// <summary>
/// Delays counted per value rounded to two significant figures (<see cref="Round"/>), of which the percentiles are taken.
/// The roll-up keeps these counts instead of every delay, so a year's median is read from a few hundred counts per group
/// however many requests there are; the request rows are rounded the same way, so both paths give the same figures.
/// </summary>
public sealed class DelayHistogram
{
    /// <summary>Rounded delay in thousandths of an hour → how many requests had it.</summary>
    private readonly Dictionary<long, long> _counts = [];

    /// <summary>
    /// A delay in thousandths of an hour (hours_to_first_answer or hours_to_result × 1000, exact: NUMERIC(12,3)) rounded
    /// half up to two significant figures: to 0.01 h below 1 h, 0.1 h below 10 h, 1 h below 100 h, 10 h from there on
    /// (whole-hour delays under 100 h stay exact). The same rounding is written in SQL where the roll-up is rebuilt from
    /// the rows (postgresql/0013 statistics_delay_rounded, sqlite/0013).
    /// </summary>
    public static long Round(long millihours)
    {
        var unit = millihours < 1_000 ? 10 : millihours < 10_000 ? 100 : millihours < 100_000 ? 1_000 : 10_000;
        return (millihours + unit / 2) / unit * unit;
    }

    /// <summary>A delay in hours, as the request rows hold it.</summary>
    public void Add(decimal hours) => Add((long)(hours * 1000), 1);

    /// <summary>Counts a delay (in thousandths of an hour) <paramref name="times"/> times; negative takes it out.</summary>
    public void Add(long millihours, long times)
    {
        ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, Round(millihours), out _);
        count += times;
    }

    /// <summary>No delay counted, or every one counted taken out again.</summary>
    public bool IsEmpty => _counts.Values.All(count => count == 0);

    /// <summary>Adds (sign 1) or takes out (sign -1) every delay of the other.</summary>
    public void Add(DelayHistogram other, int sign = 1)
    {
        foreach (var (value, count) in other._counts) Add(value, sign * count);
    }

    /// <summary>The counts as the roll-up stores them: <c>value:count</c> pairs separated by commas, by value; empty when none.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (value, count) in _counts.Where(pair => pair.Value != 0).OrderBy(pair => pair.Key))
            text.Append(text.Length == 0 ? "" : ",").Append(value.ToString(CultureInfo.InvariantCulture)).Append(':').Append(count.ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }

    /// <summary>Adds the counts stored by the roll-up (<see cref="ToString"/>; the SQL rebuilds write them in any order).</summary>
    public void AddStored(string? stored)
    {
        var text = stored.AsSpan();
        while (!text.IsEmpty)
        {
            var end = text.IndexOf(',');
            var pair = end < 0 ? text : text[..end];
            var colon = pair.IndexOf(':');
            Add(long.Parse(pair[..colon], CultureInfo.InvariantCulture), long.Parse(pair[(colon + 1)..], CultureInfo.InvariantCulture));
            text = end < 0 ? [] : text[(end + 1)..];
        }
    }

    /// <summary>The percentile of the rounded delays in hours, with linear interpolation between ranks (as PostgreSQL's percentile_cont).</summary>
    public double? Percentile(double fraction)
    {
        var counted = _counts.Where(pair => pair.Value > 0).OrderBy(pair => pair.Key).ToArray();
        var total = counted.Sum(pair => pair.Value);
        if (total == 0) return null;
        var rank = fraction * (total - 1);
        var lower = (long)Math.Floor(rank);
        var upper = (long)Math.Ceiling(rank);
        double? low = null, high = null;
        var seen = 0L;
        foreach (var (value, count) in counted)
        {
            seen += count;
            if (low is null && lower < seen) low = value / 1000.0;
            if (upper < seen)
            {
                high = value / 1000.0;
                break;
            }
        }
        return Math.Round(low!.Value + (high!.Value - low.Value) * (rank - lower), 3);
    }
}
