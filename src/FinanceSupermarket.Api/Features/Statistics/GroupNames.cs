using System.Data.Common;
using Dapper;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The names a breakdown shows beside its group keys, so that no figure stands beside a bare code or id: a region's
/// GB/T 2260 name, an industry's GB/T 4754 name, an institution's name, a product kind's Chinese word.
/// </summary>
public static class GroupNames
{
    /// <summary>The group of requests that no approval resolved (the empty key of the institution and product kind groupings).</summary>
    public const string NotApproved = "未获批";

    private const string InstitutionNamesSql = "SELECT id AS Id, name AS Name FROM institutions";

    public static async Task<Func<string, string?>> ForAsync(DbConnection connection, ReferenceData codes, string by) => by switch
    {
        "region" => codes.RegionName,
        "industry" => codes.IndustryName,
        "institution" => await InstitutionsAsync(connection),
        "product_kind" => key => key.Length == 0 ? NotApproved : EnumText.TryParse<ProductKind>(key, out var kind) ? Words.Zh(kind) : null,
        _ => _ => null,
    };

    private static async Task<Func<string, string?>> InstitutionsAsync(DbConnection connection)
    {
        var names = (await connection.QueryAsync<(string Id, string Name)>(InstitutionNamesSql)).ToDictionary(row => row.Id, row => row.Name);
        return key => key.Length == 0 ? NotApproved : names.GetValueOrDefault(key);
    }
}
