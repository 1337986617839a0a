using System.Text.Json.Serialization;
using System.Data.Common;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>What a person belongs to: an enterprise, an institution, a regulator office, or the platform.</summary>
public enum MembershipKind { Enterprise, Institution, Regulator, Platform }

/// <summary>A person's role in the organisation (DESIGN.md, Accounts and sessions).</summary>
public enum MembershipRole { Owner, Member, Manager, Officer, Analyst, Admin }

/// <summary>One membership as the API shows it; Region is a regulator office's region prefix.</summary>
public sealed record Membership(string Id, MembershipKind Kind, string OrganisationId, MembershipRole Role, string? Region, string OrganisationName)
{
    /// <summary>The platform role a token for this membership carries, so every existing endpoint and tenancy rule applies.</summary>
    [JsonIgnore]
    public Role PlatformRole => Kind switch
    {
        MembershipKind.Enterprise => Domain.Role.Enterprise,
        MembershipKind.Institution => Domain.Role.Institution,
        MembershipKind.Regulator => Domain.Role.Regulator,
        _ => Domain.Role.Admin,
    };

    /// <summary>Admins, regulators' analysts and institution managers must sign in with a second factor (TOTP).</summary>
    [JsonIgnore]
    public bool RequiresMfa => NeedsMfa(Role);

    public static bool NeedsMfa(MembershipRole role) => role is MembershipRole.Admin or MembershipRole.Analyst or MembershipRole.Manager;

    /// <summary>The roles each kind of organisation has.</summary>
    public static bool Fits(MembershipKind kind, MembershipRole role) => kind switch
    {
        MembershipKind.Enterprise => role is MembershipRole.Owner or MembershipRole.Member,
        MembershipKind.Institution => role is MembershipRole.Manager or MembershipRole.Officer,
        MembershipKind.Regulator => role is MembershipRole.Analyst,
        _ => role is MembershipRole.Admin,
    };
}

public static class Memberships
{
    /// <summary>The platform itself, as the organisation of admins.</summary>
    public const string PlatformOrganisation = "platform";

    private const string OfPersonSql = """
        SELECT m.id, m.kind, m.organisation_id AS OrganisationId, m.role, o.region,
               COALESCE(e.name, i.name, o.name, '金融超市 Finance Supermarket') AS OrganisationName
        FROM memberships m
        LEFT JOIN enterprises e ON m.kind = 'enterprise' AND e.id = m.organisation_id
        LEFT JOIN institutions i ON m.kind = 'institution' AND i.id = m.organisation_id
        LEFT JOIN regulator_offices o ON m.kind = 'regulator' AND o.id = m.organisation_id
        WHERE m.person_id = @PersonId AND m.removed_at IS NULL
        ORDER BY m.created_at, m.id
        """;
    private const string InsertSql = """
        INSERT INTO memberships (id, person_id, kind, organisation_id, role, created_at) VALUES (@Id, @PersonId, @Kind, @OrganisationId, @Role, @Now)
        """;

    public static async Task<IReadOnlyList<Membership>> OfPersonAsync(UnitOfWork unit, string personId) =>
        (await unit.QueryAsync<Row>(OfPersonSql, new { PersonId = personId })).Select(row => row.ToMembership()).ToArray();

    public static async Task<IReadOnlyList<Membership>> OfPersonAsync(DbConnection connection, string personId) =>
        (await connection.QueryAsync<Row>(OfPersonSql, new { PersonId = personId })).Select(row => row.ToMembership()).ToArray();

    public static async Task<string> AddAsync(UnitOfWork unit, string personId, MembershipKind kind, string organisationId, MembershipRole role, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7().ToString();
        await unit.ExecuteAsync(InsertSql, new
        {
            Id = id, PersonId = personId, Kind = EnumText.ToText(kind), OrganisationId = organisationId, Role = EnumText.ToText(role), Now = now,
        });
        return id;
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Kind { get; set; } = "";
        public string OrganisationId { get; set; } = "";
        public string Role { get; set; } = "";
        public string? Region { get; set; }
        public string OrganisationName { get; set; } = "";

        public Membership ToMembership() =>
            new(Id, EnumText.Parse<MembershipKind>(Kind), OrganisationId, EnumText.Parse<MembershipRole>(Role), Region, OrganisationName);
    }
}
