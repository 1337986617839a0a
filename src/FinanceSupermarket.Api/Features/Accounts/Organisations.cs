using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>Who looks after an organisation's people: its enterprise owner or institution manager, and the platform's admins.</summary>
public static class Organisations
{
    private const string EnterpriseNameSql = "SELECT name FROM enterprises WHERE id = @Id";
    private const string InstitutionNameSql = "SELECT name FROM institutions WHERE id = @Id";
    private const string OfficeNameSql = "SELECT name FROM regulator_offices WHERE id = @Id";

    /// <summary>How an invitation names the platform itself (its admins' organisation).</summary>
    public const string PlatformName = "金融超市平台";

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

    /// <summary>The organisation's name (an invitation says what it invites into); 404 when there is no such organisation.</summary>
    public static async Task<string> NameAsync(UnitOfWork unit, MembershipKind kind, string organisationId)
    {
        var sql = kind switch
        {
            MembershipKind.Enterprise => EnterpriseNameSql,
            MembershipKind.Institution => InstitutionNameSql,
            MembershipKind.Regulator => OfficeNameSql,
            _ => null,
        };
        var name = sql is null
            ? organisationId == Memberships.PlatformOrganisation ? PlatformName : null
            : await unit.QuerySingleOrDefaultAsync<string>(sql, new { Id = organisationId });
        return name ?? throw new NotFoundException("The organisation");
    }
}
