using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>Who looks after an organisation's people: its enterprise owner or institution manager, and the platform's admins.</summary>
public static class Organisations
{
    private const string EnterpriseExistsSql = "SELECT COUNT(*) FROM enterprises WHERE id = @Id";
    private const string InstitutionExistsSql = "SELECT COUNT(*) FROM institutions WHERE id = @Id";
    private const string OfficeExistsSql = "SELECT COUNT(*) FROM regulator_offices WHERE id = @Id";

    /// <summary>
    /// Throws unless the caller may invite to and remove people from the organisation: 404 for another tenant's
    /// organisation (as everywhere), 403 for a colleague whose role does not allow it.
    /// </summary>
    public static void RequireSteward(this CurrentUser user, MembershipKind kind, string organisationId)
    {
        if (user.Is(Role.Admin)) return;
        var own = kind switch
        {
            MembershipKind.Enterprise => user.Is(Role.Enterprise) && user.EnterpriseId == organisationId,
            MembershipKind.Institution => user.Is(Role.Institution) && user.InstitutionId == organisationId,
            _ => false,
        };
        if (!own) throw new NotFoundException("The organisation");
        var steward = kind == MembershipKind.Enterprise ? MembershipRole.Owner : MembershipRole.Manager;
        if (user.ClientId is not null || user.OrganisationRole != EnumText.ToText(steward))
            throw new ForbiddenException($"Only the organisation's {EnumText.ToText(steward)} (or an admin) manages its people.");
    }

    public static async Task RequireExistsAsync(UnitOfWork unit, MembershipKind kind, string organisationId)
    {
        var sql = kind switch
        {
            MembershipKind.Enterprise => EnterpriseExistsSql,
            MembershipKind.Institution => InstitutionExistsSql,
            MembershipKind.Regulator => OfficeExistsSql,
            _ => null,
        };
        var exists = sql is null ? organisationId == Memberships.PlatformOrganisation : await unit.ExecuteScalarAsync<long>(sql, new { Id = organisationId }) > 0;
        if (!exists) throw new NotFoundException("The organisation");
    }
}
