using System.Text.Json;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// What one chart of the cockpit draws, handed to wwwroot/charts.js as JSON in a data-chart attribute (the portal's
/// Content-Security-Policy allows no inline script): its kind (bar, trend — bars with a line on a second axis —, pie,
/// gauge), the categories along its axis and its series. The page shows the same numbers in a table beside it.
/// </summary>
public sealed record ChartData(string Kind, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>A series of a chart: its name, its values in the order of the categories, its unit, and whether it is read on the second axis.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<decimal> Values, string Unit, bool SecondAxis = false);
