using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>An institution's own system (a bank's loan system) as the API lists it; its secret is never shown again.</summary>
public sealed record ApiClientView(string ClientId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

public static class ApiClients
{
    public const string SelectSql = """
        SELECT client_id AS ClientId, name, created_at AS CreatedAt, last_used_at AS LastUsedAt, revoked_at AS RevokedAt FROM api_clients
        """;

    /// <summary>Only the institution's manager (a person signed in with a second factor) looks after its API clients; another institution's are 404.</summary>
    public static void RequireManagerOf(this CurrentUser user, string institutionId)
    {
        if (!user.Is(Role.Institution) || user.InstitutionId != institutionId) throw new NotFoundException("The institution");
        if (!user.IsPerson || user.OrganisationRole != EnumText.ToText(MembershipRole.Manager))
            throw new ForbiddenException("Only the institution's manager looks after its API clients.");
    }
}
