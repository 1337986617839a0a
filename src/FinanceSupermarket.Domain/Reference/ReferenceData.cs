using System.Reflection;

namespace FinanceSupermarket.Domain.Reference;

/// <summary>
/// The code lists and rules the platform checks input against and names codes with: GB/T 2260 administrative divisions,
/// GB/T 4754-2017 industries and the SME size rules of 工信部联企业〔2011〕300号 (ReferenceData/README.md says where each
/// comes from). Loaded once; immutable and thread-safe.
/// </summary>
public sealed class ReferenceData
{
    public const string RegionsFile = "regions.csv";
    public const string IndustriesFile = "industries.csv";
    public const string SizeRulesFile = "sme-size-rules.json";

    private const string ResourcePrefix = "FinanceSupermarket.Domain.ReferenceData.";
    private static readonly Lazy<ReferenceData> Embedded = new(() => LoadFrom(null));

    private ReferenceData(CodeList regions, CodeList industries, EnterpriseSizeRules sizeRules)
    {
        Regions = regions;
        Industries = industries;
        SizeRules = sizeRules;
    }

    /// <summary>GB/T 2260: provinces by 2 digits, cities by 4, county-level divisions by 6.</summary>
    public CodeList Regions { get; }

    /// <summary>GB/T 4754-2017: section letter, then division, group and class digits (C, C39, C391, C3911).</summary>
    public CodeList Industries { get; }

    public EnterpriseSizeRules SizeRules { get; }

    /// <summary>The shipped files (a shared, cached instance).</summary>
    public static ReferenceData LoadEmbedded() => Embedded.Value;

    /// <summary>
    /// The shipped files, each replaced by a file of the same name in <paramref name="folder"/> when there is one (an
    /// operator's newer division list, say). A null or empty folder gives the shipped files.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ReferenceDataException">A file is malformed.</exception>
    public static ReferenceData LoadFrom(string? folder)
    {
        if (!string.IsNullOrWhiteSpace(folder) && !Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Reference data folder '{folder}' does not exist.");
        return new ReferenceData(
            CodeList.Parse(RegionsFile, Read(folder, RegionsFile)),
            CodeList.Parse(IndustriesFile, Read(folder, IndustriesFile)),
            EnterpriseSizeRules.Parse(SizeRulesFile, Read(folder, SizeRulesFile)));
    }

    /// <summary>
    /// A 6-digit GB/T 2260 code of a county-level division, or of a city (<c>330400</c>) or province (<c>330000</c>)
    /// written in six digits: where an enterprise can be registered.
    /// </summary>
    public bool IsRegionCode(string? code) => code is { Length: 6 } && RegionName(code) is not null;

    /// <summary>
    /// A region as products and institutions serve it: a listed province (2 digits), city (4) or county (6), or a city or
    /// province written in GB/T 2260's six digits (440700 = 江门市).
    /// </summary>
    public bool IsRegionPrefix(string? prefix) => prefix is { Length: 2 or 4 } ? Regions.Contains(prefix) : IsRegionCode(prefix);

    /// <summary>The name of a division given as a prefix (33, 3304, 330421) or a 6-digit code of any level; null when unknown.</summary>
    public string? RegionName(string? code) => code switch
    {
        { Length: 2 or 4 } => Regions.NameOf(code),
        { Length: 6 } => Regions.NameOf(code)
                         ?? (code.EndsWith("0000", StringComparison.Ordinal) ? Regions.NameOf(code[..2])
                             : code.EndsWith("00", StringComparison.Ordinal) ? Regions.NameOf(code[..4]) : null),
        _ => null,
    };

    public bool IsIndustryCode(string? code) => Industries.Contains(code);

    public string? IndustryName(string? code) => Industries.NameOf(code);

    private static string Read(string? folder, string file)
    {
        if (!string.IsNullOrWhiteSpace(folder) && Path.Combine(folder, file) is var path && File.Exists(path))
            return File.ReadAllText(path);
        var assembly = typeof(ReferenceData).GetTypeInfo().Assembly;
        using var stream = assembly.GetManifestResourceStream(ResourcePrefix + file)
                           ?? throw new ReferenceDataException(file, "is not embedded in FinanceSupermarket.Domain.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
