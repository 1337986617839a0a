using FinanceSupermarket.Domain.Reference;

namespace FinanceSupermarket.Api.Features;

/// <summary>A code with its name from the reference data (330421 嘉善县, C39 计算机、通信和其他电子设备制造业); no name when unknown.</summary>
public sealed record NamedCode(string Code, string? Name)
{
    public static IReadOnlyList<NamedCode> Regions(ReferenceData codes, IEnumerable<string> regionCodes) =>
        regionCodes.Select(code => new NamedCode(code, codes.RegionName(code))).ToArray();

    public static IReadOnlyList<NamedCode> Industries(ReferenceData codes, IEnumerable<string> industryCodes) =>
        industryCodes.Select(code => new NamedCode(code, codes.IndustryName(code))).ToArray();
}
