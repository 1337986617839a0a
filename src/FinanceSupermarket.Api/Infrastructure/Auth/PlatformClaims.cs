namespace FinanceSupermarket.Api.Infrastructure.Auth;

/// <summary>The claim names of DESIGN.md's HTTP contract.</summary>
public static class PlatformClaims
{
    public const string Role = "role";
    public const string EnterpriseId = "enterprise_id";
    public const string InstitutionId = "institution_id";
    public const string Region = "region";
}
