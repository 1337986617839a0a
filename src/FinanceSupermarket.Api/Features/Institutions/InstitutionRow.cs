using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>An institutions row as the profile and the list read it (a class: Dapper fills it from any provider's types).</summary>
public sealed class InstitutionRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "";
    public string RegionCodes { get; set; } = "";
    public string? WebhookUrl { get; set; }
    public DateTimeOffset? DeactivatedAt { get; set; }

    public InstitutionKind InstitutionKind => EnumText.Parse<InstitutionKind>(Kind);

    public IReadOnlyList<string> Regions => RegionCodes.Split(',');

    /// <summary>The regions served beside their GB/T 2260 names.</summary>
    public IReadOnlyList<NamedCode> NamedRegions(ReferenceData codes) => NamedCode.Regions(codes, Regions);
}
