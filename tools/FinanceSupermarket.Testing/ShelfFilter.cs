using System.Globalization;

namespace FinanceSupermarket.Testing;

/// <summary>
/// The public shelves' filters (GET /api/v1/products' query parameters) as the property tests and the benchmarks send
/// them; null is "not filtered".
/// </summary>
public sealed record ShelfFilter(string? Kind = null, string? Region = null, string? InstitutionId = null, string? Q = null,
    decimal? Amount = null, int? TermMonths = null, string? GuaranteeMode = null, string? PolicySupport = null)
{
    /// <summary>The query string of one page: the filters given, escaped, numbers in the invariant culture.</summary>
    public string QueryString(int page, int pageSize)
    {
        var parts = new List<string>(10) { $"page={page}", $"pageSize={pageSize}" };
        void Add(string name, object? value)
        {
            if (value is not null) parts.Add($"{name}={Uri.EscapeDataString(Convert.ToString(value, CultureInfo.InvariantCulture)!)}");
        }
        Add("kind", Kind);
        Add("region", Region);
        Add("institutionId", InstitutionId);
        Add("q", Q);
        Add("amount", Amount);
        Add("termMonths", TermMonths);
        Add("guaranteeMode", GuaranteeMode);
        Add("policySupport", PolicySupport);
        return string.Join('&', parts);
    }
}
