namespace FinanceSupermarket.Api.Portal.Shared;

public static class LocalUrl
{
    /// <summary>A return address from a query string or form, only when it is a path on this site: never an open redirect.</summary>
    public static string Or(string? url, string fallback) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url : fallback;
}
