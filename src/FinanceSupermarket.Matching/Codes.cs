namespace FinanceSupermarket.Matching;

/// <summary>
/// Region and industry codes as prefixes. Region codes follow GB/T 2260: "33" Zhejiang, "3304" Jiaxing, "330421"
/// Jiashan; a code ending in "00" pairs stands for the city or province ("330100" = Hangzhou = "3301",
/// "330000" = "33"), so it is shortened to that prefix before matching. Industry codes (GB/T 4754: "C", "C39",
/// "C391", "C3911") are plain prefixes. Comparison is ordinal; leading and trailing spaces are ignored.
/// </summary>
public static class Codes
{
    public static string NormaliseRegionPrefix(string code)
    {
        var trimmed = code.Trim();
        var length = trimmed.Length;
        if (length % 2 != 0 || trimmed.AsSpan().ContainsAnyExceptInRange('0', '9')) return trimmed;
        while (length > 2 && trimmed[length - 1] == '0' && trimmed[length - 2] == '0') length -= 2;
        return trimmed[..length];
    }

    /// <summary>
    /// The prefixes an enterprise region code must start with to be served by a product: its own regions
    /// intersected with its institution's (an empty list imposes no restriction), with any prefix covered
    /// by a shorter one dropped, so that a region code matches at most one of them. Empty = served nowhere.
    /// </summary>
    internal static string[] EffectiveRegionPrefixes(IReadOnlyList<string>? productRegions, IReadOnlyList<string>? institutionRegions)
    {
        var product = Normalised(productRegions);
        var institution = Normalised(institutionRegions);
        var result = new List<string>();
        foreach (var p in product)
        foreach (var i in institution)
        {
            if (p.StartsWith(i, StringComparison.Ordinal)) result.Add(p);
            else if (i.StartsWith(p, StringComparison.Ordinal)) result.Add(i);
        }
        return Minimal(result);
    }

    /// <summary>Industry prefixes; empty = every industry (an empty code in the list also means every industry).</summary>
    internal static string[] IndustryPrefixes(IReadOnlyList<string>? industries)
    {
        if (industries is null || industries.Count == 0) return [];
        var list = new List<string>(industries.Count);
        foreach (var code in industries)
        {
            var trimmed = code?.Trim() ?? "";
            if (trimmed.Length == 0) return [];
            list.Add(trimmed);
        }
        return Minimal(list);
    }

    private static List<string> Normalised(IReadOnlyList<string>? codes)
    {
        var list = new List<string>();
        if (codes is null || codes.Count == 0) list.Add("");
        else foreach (var code in codes) list.Add(NormaliseRegionPrefix(code ?? ""));
        return list;
    }

    private static string[] Minimal(List<string> prefixes)
    {
        prefixes.Sort((a, b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b));
        var kept = new List<string>(prefixes.Count);
        foreach (var candidate in prefixes)
        {
            var covered = false;
            foreach (var shorter in kept)
                if (candidate.StartsWith(shorter, StringComparison.Ordinal)) { covered = true; break; }
            if (!covered) kept.Add(candidate);
        }
        return kept.ToArray();
    }
}
