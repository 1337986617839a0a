using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The cockpit's filter as its GET form and its download links send it — a period of days and a region inside the
/// regulator's own — read as typed, so that a date that is none gets a message beside its field instead of a bare 400.
/// The statistics queries apply it (and refuse what they refuse); this only reads it.
/// </summary>
public sealed record CockpitFilter(string? From, string? To, string? Region)
{
    public const string DateFormat = "yyyy-MM-dd";

    public static CockpitFilter Of(IQueryCollection query) => new(Blank(query["from"]), Blank(query["to"]), Blank(query["region"]));

    /// <summary>The days as dates; a field that is not a date (yyyy-MM-dd, what a date input sends) is named in <paramref name="notDates"/>.</summary>
    public (DateOnly? From, DateOnly? To) Dates(out IReadOnlyList<string> notDates)
    {
        var wrong = new List<string>();
        var dates = (Date(From, nameof(From), wrong), Date(To, nameof(To), wrong));
        notDates = wrong;
        return dates;
    }

    /// <summary>The query string of a link that keeps this filter, with the extra parameters given (nulls left out).</summary>
    public string QueryString(params (string Name, string? Value)[] extra) =>
        QueryHelpers.AddQueryString("", new[] { ("from", From), ("to", To), ("region", Region) }.Concat(extra)
            .Where(pair => pair.Item2 is not null)
            .Select(pair => KeyValuePair.Create(pair.Item1, pair.Item2)));

    private static DateOnly? Date(string? text, string field, List<string> wrong)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        wrong.Add(field);
        return null;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
