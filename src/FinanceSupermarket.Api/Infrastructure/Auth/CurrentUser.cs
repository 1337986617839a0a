using System.Security.Claims;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Infrastructure.Auth;

/// <summary>
/// Who is acting, read from the bearer token. Handlers use it to scope every read and write to what the
/// caller owns; another tenant's resource is reported as not found.
/// </summary>
public sealed class CurrentUser
{
    public Role? Role { get; private set; }
    public string? EnterpriseId { get; private set; }
    public string? InstitutionId { get; private set; }

    /// <summary>A regulator's region code prefix; empty means the whole country.</summary>
    public string? Region { get; private set; }

    public bool Is(Role role) => Role == role;

    public string RequireEnterpriseId() => Is(Domain.Role.Enterprise) && EnterpriseId is not null
        ? EnterpriseId
        : throw new ForbiddenException("Only an enterprise user may do this.");

    public string RequireInstitutionId() => Is(Domain.Role.Institution) && InstitutionId is not null
        ? InstitutionId
        : throw new ForbiddenException("Only an institution user may do this.");

    /// <summary>True when a regulator's region prefix covers <paramref name="regionCode"/>.</summary>
    public bool RegulatorCovers(string regionCode) =>
        Is(Domain.Role.Regulator) && regionCode.StartsWith(Region ?? "", StringComparison.Ordinal);

    /// <summary>
    /// An enterprise's own records (profile, requests, matches): readable by that enterprise, a regulator whose region
    /// covers it, and admins.
    /// </summary>
    public bool MayRead(string enterpriseId, string regionCode) =>
        Is(Domain.Role.Admin) || Is(Domain.Role.Enterprise) && EnterpriseId == enterpriseId || RegulatorCovers(regionCode);

    public void SetFrom(ClaimsPrincipal principal)
    {
        Role = EnumText.TryParse<Role>(principal.FindFirst(PlatformClaims.Role)?.Value, out var role) ? role : null;
        EnterpriseId = principal.FindFirst(PlatformClaims.EnterpriseId)?.Value;
        InstitutionId = principal.FindFirst(PlatformClaims.InstitutionId)?.Value;
        Region = principal.FindFirst(PlatformClaims.Region)?.Value;
    }

    /// <summary>Acts as a given user outside HTTP (demo data seeding, background jobs).</summary>
    public void Impersonate(Role role, string? enterpriseId = null, string? institutionId = null, string? region = null)
    {
        Role = role;
        EnterpriseId = enterpriseId;
        InstitutionId = institutionId;
        Region = region;
    }
}

public sealed class ForbiddenException(string message) : Exception(message);
