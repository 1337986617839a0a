using FinanceSupermarket.Domain.Reference;

namespace FinanceSupermarket.Api.Infrastructure.Validation;

public static class ReferenceDataModule
{
    /// <summary>A folder whose regions.csv, industries.csv or sme-size-rules.json replace the shipped ones.</summary>
    public const string FolderSetting = "ReferenceData:Folder";

    /// <summary>The code lists and size rules, loaded once at start-up (a malformed file stops the start with its name).</summary>
    public static IServiceCollection AddReferenceData(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(ReferenceData.LoadFrom(configuration[FolderSetting]));
}
