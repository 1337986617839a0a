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

    /// <summary>The person signed in (or the API client), their session and chosen membership; null for development tokens.</summary>
    public string? PersonId { get; private set; }
    public string? SessionId { get; private set; }
    public string? MembershipId { get; private set; }
    public string? OrganisationRole { get; private set; }
    public string? ClientId { get; private set; }

    /// <summary>Who the timeline names for a step this caller takes: the person (or API client) and their organisation.</summary>
    public string? Name { get; private set; }
    public string? Organisation { get; private set; }

    /// <summary>The caller's network address, for security events and rate limits.</summary>
    public string? ClientAddress { get; private set; }

    /// <summary>Signed in as a person (a session), whatever membership.</summary>
    public bool IsPerson => PersonId is not null && ClientId is null;

    /// <summary>Who a recorded change names: the person or API client and their organisation; null for the platform's own steps and development tokens.</summary>
    public Actor? Actor => PersonId is null ? null : new Actor(PersonId, Name ?? "", Organisation ?? "");

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

    public void SetFrom(ClaimsPrincipal principal, string? clientAddress)
    {
        Role = EnumText.TryParse<Role>(principal.FindFirst(PlatformClaims.Role)?.Value, out var role) ? role : null;
        EnterpriseId = principal.FindFirst(PlatformClaims.EnterpriseId)?.Value;
        InstitutionId = principal.FindFirst(PlatformClaims.InstitutionId)?.Value;
        Region = principal.FindFirst(PlatformClaims.Region)?.Value;
        PersonId = principal.FindFirst(PlatformClaims.Subject)?.Value;
        SessionId = principal.FindFirst(PlatformClaims.Session)?.Value;
        MembershipId = principal.FindFirst(PlatformClaims.Membership)?.Value;
        OrganisationRole = principal.FindFirst(PlatformClaims.OrganisationRole)?.Value;
        ClientId = principal.FindFirst(PlatformClaims.ClientId)?.Value;
        Name = principal.FindFirst(PlatformClaims.Name)?.Value;
        Organisation = principal.FindFirst(PlatformClaims.Organisation)?.Value;
        ClientAddress = clientAddress;
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

/// <summary>The person (or API client) who took a step, as named then: what the timeline and the audit log keep.</summary>
public sealed record Actor(string Id, string Name, string Organisation);

public sealed class ForbiddenException(string message) : Exception(message);
