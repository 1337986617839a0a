namespace FinanceSupermarket.Domain.Reference;

/// <summary>
/// A published code list as shipped in ReferenceData/*.csv: lines starting with '#' say its source and date, then a
/// header <c>code,name</c> and one code a line (a name with a comma is quoted). Immutable and thread-safe.
/// </summary>
public sealed class CodeList
{
    private readonly IReadOnlyDictionary<string, string> _names;

    private CodeList(string source, IReadOnlyDictionary<string, string> names)
    {
        Source = source;
        _names = names;
    }

    /// <summary>Where the list came from: its '#' header lines.</summary>
    public string Source { get; }

    public int Count => _names.Count;

    /// <summary>Every code in the list, in its order.</summary>
    public IEnumerable<string> Codes => _names.Keys;

    public bool Contains(string? code) => code is not null && _names.ContainsKey(code);

    public string? NameOf(string? code) => code is not null && _names.TryGetValue(code, out var name) ? name : null;

    /// <exception cref="ReferenceDataException">The text is not such a list.</exception>
    public static CodeList Parse(string file, string text)
    {
        var source = new List<string>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var headerSeen = false;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('#'))
            {
                source.Add(line.TrimStart('#').Trim());
                continue;
            }
            if (line.Trim().Length == 0) continue;
            if (!headerSeen)
            {
                if (line.Trim() != "code,name") throw new ReferenceDataException(file, $"line {number}: the header must be 'code,name'.");
                headerSeen = true;
                continue;
            }
            var comma = line.IndexOf(',');
            if (comma <= 0) throw new ReferenceDataException(file, $"line {number}: '{line}' is not 'code,name'.");
            var code = line[..comma].Trim();
            var name = Unquote(line[(comma + 1)..].Trim());
            if (name.Length == 0) throw new ReferenceDataException(file, $"line {number}: code {code} has no name.");
            if (!names.TryAdd(code, name)) throw new ReferenceDataException(file, $"line {number}: code {code} is listed twice.");
        }
        if (names.Count == 0) throw new ReferenceDataException(file, "the list has no codes.");
        return new CodeList(string.Join(' ', source), names);
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Replace("\"\"", "\"") : value;
}
