using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FinanceSupermarket.Domain.Reference;

/// <summary>A measure the SME size rules weigh.</summary>
public enum SizeMeasure { Employees, Revenue, Assets }

/// <summary>
/// What the size rules make of an enterprise: the size, or null when they cannot say (the industry is not sized by the
/// notice, its code is too coarse, or a measure the rule weighs was not given), and why, in words a person can check.
/// </summary>
public sealed record SizeDerivation(EnterpriseSize? Size, string Basis);

/// <summary>
/// 中小企业划型标准规定 (工信部联企业〔2011〕300号) article 4 as data (ReferenceData/sme-size-rules.json): per industry, the
/// figures below which an enterprise is small-medium-micro, and those it must reach to be medium or small.
/// </summary>
public sealed class EnterpriseSizeRules
{
    private const string Notice = "中小企业划型标准规定 (工信部联企业〔2011〕300号)";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly IReadOnlyList<Rule> _rules;
    private readonly IReadOnlyList<string> _notCovered;

    private EnterpriseSizeRules(string source, IReadOnlyList<Rule> rules, IReadOnlyList<string> notCovered)
    {
        Source = source;
        _rules = rules;
        _notCovered = notCovered;
    }

    /// <summary>The file's own statement of where its figures come from.</summary>
    public string Source { get; }

    /// <summary>
    /// The size of an enterprise of <paramref name="industryCode"/> (GB/T 4754-2017) with the given employees, annual
    /// revenue and total assets (yuan), by the rule of the longest matching industry prefix.
    /// </summary>
    public SizeDerivation Derive(string industryCode, int? employees, decimal? revenueYuan, decimal? assetsYuan)
    {
        if (_notCovered.FirstOrDefault(prefix => industryCode.StartsWith(prefix, StringComparison.Ordinal)) is { } excluded)
            return new(null, $"{Notice} does not size industry {excluded} (article 3).");
        var prefixes = _rules.SelectMany(rule => rule.Industries).Concat(_notCovered).Where(prefix => prefix != Rule.Elsewhere);
        if (prefixes.Any(prefix => prefix.Length > industryCode.Length && prefix.StartsWith(industryCode, StringComparison.Ordinal)))
            return new(null, $"Industry {industryCode} spans several industries of {Notice}: give its division (e.g. {industryCode}{Example(industryCode)}).");

        var rule = _rules
            .SelectMany(r => r.Industries.Select(prefix => (Rule: r, Prefix: prefix)))
            .Where(match => match.Prefix == Rule.Elsewhere || industryCode.StartsWith(match.Prefix, StringComparison.Ordinal))
            .OrderByDescending(match => match.Prefix == Rule.Elsewhere ? 0 : match.Prefix.Length)
            .First().Rule;
        var values = new Dictionary<SizeMeasure, decimal?>
        {
            [SizeMeasure.Employees] = employees, [SizeMeasure.Revenue] = revenueYuan / 10_000m, [SizeMeasure.Assets] = assetsYuan / 10_000m,
        };
        var weighed = rule.Sme.Keys.Concat(rule.Medium.Keys).Concat(rule.Small.Keys).Distinct().Order().ToArray();
        var title = $"{Notice} 第四条{rule.Item}{rule.Industry}";
        var missing = weighed.Where(measure => values[measure] is null).ToArray();
        if (missing.Length > 0)
            return new(null, $"{title} weighs {string.Join(" and ", weighed.Select(Word))}; {string.Join(" and ", missing.Select(Word))} not given.");

        var size = rule.Sme.All(bound => values[bound.Key] >= bound.Value) ? EnterpriseSize.Large
            : rule.Medium.All(bound => values[bound.Key] >= bound.Value) ? EnterpriseSize.Medium
            : rule.Small.All(bound => values[bound.Key] >= bound.Value) ? EnterpriseSize.Small
            : EnterpriseSize.Micro;
        var facts = string.Join(", ", weighed.Select(measure => $"{Word(measure)} {Figure(measure, values[measure]!.Value)}"));
        return new(size, $"{title}: {facts} → {size.ToString().ToLowerInvariant()} ({Chinese(size)}), {Threshold(rule, size)}.");
    }

    private static string Threshold(Rule rule, EnterpriseSize size) => size switch
    {
        EnterpriseSize.Large => $"not below {Bounds(rule.Sme, " or ")} (中小微型 below)",
        EnterpriseSize.Medium => $"at least {Bounds(rule.Medium, " and ")}",
        EnterpriseSize.Small => $"at least {Bounds(rule.Small, " and ")}, not {Bounds(rule.Medium, " and ")}",
        _ => $"below {Bounds(rule.Small, " or ")}",
    };

    private static string Bounds(IReadOnlyDictionary<SizeMeasure, decimal> bounds, string join) =>
        string.Join(join, bounds.Select(bound => Figure(bound.Key, bound.Value)));

    private static string Word(SizeMeasure measure) => measure switch
    {
        SizeMeasure.Employees => "从业人员", SizeMeasure.Revenue => "营业收入", _ => "资产总额",
    };

    private static string Figure(SizeMeasure measure, decimal value) => measure == SizeMeasure.Employees
        ? $"{value.ToString("0", CultureInfo.InvariantCulture)}人"
        : $"{decimal.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture)}万元";

    private static string Chinese(EnterpriseSize size) => size switch
    {
        EnterpriseSize.Large => "大型", EnterpriseSize.Medium => "中型", EnterpriseSize.Small => "小型", _ => "微型",
    };

    private string Example(string industryCode) =>
        _rules.SelectMany(rule => rule.Industries).First(prefix => prefix.Length > industryCode.Length && prefix.StartsWith(industryCode, StringComparison.Ordinal))[industryCode.Length..];

    /// <exception cref="ReferenceDataException">The text is not such a rules file.</exception>
    public static EnterpriseSizeRules Parse(string file, string json)
    {
        RulesFile? dto;
        try
        {
            dto = JsonSerializer.Deserialize<RulesFile>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ReferenceDataException(file, $"not a valid rules document ({e.Message})", e);
        }
        if (dto?.Rules is not { Count: > 0 } rules) throw new ReferenceDataException(file, "\"rules\" is missing or empty.");
        if (string.IsNullOrWhiteSpace(dto.Source)) throw new ReferenceDataException(file, "\"source\" must say where the figures come from.");
        foreach (var rule in rules)
        {
            var label = $"rule {rule.Item} {rule.Industry}";
            if (rule.Industries is not { Count: > 0 } || rule.Sme is not { Count: > 0 } || rule.Medium is not { Count: > 0 } || rule.Small is not { Count: > 0 })
                throw new ReferenceDataException(file, $"{label} needs industries, sme, medium and small.");
            if (rule.Small.Any(bound => !rule.Medium.TryGetValue(bound.Key, out var medium) || medium < bound.Value))
                throw new ReferenceDataException(file, $"{label}: medium figures must weigh the small ones' measures and not be lower.");
        }
        if (rules.Count(rule => rule.Industries.Contains(Rule.Elsewhere)) != 1)
            throw new ReferenceDataException(file, $"exactly one rule must cover the industries not named ('{Rule.Elsewhere}').");
        return new EnterpriseSizeRules(dto.Source, rules, dto.NotCovered ?? []);
    }

    private sealed class RulesFile
    {
        public string? Source { get; set; }
        public List<string>? NotCovered { get; set; }
        public List<Rule>? Rules { get; set; }
    }

    private sealed class Rule
    {
        public const string Elsewhere = "*";
        public string Item { get; set; } = "";
        public string Industry { get; set; } = "";
        public List<string> Industries { get; set; } = [];
        public Dictionary<SizeMeasure, decimal> Sme { get; set; } = [];
        public Dictionary<SizeMeasure, decimal> Medium { get; set; } = [];
        public Dictionary<SizeMeasure, decimal> Small { get; set; } = [];
    }
}
