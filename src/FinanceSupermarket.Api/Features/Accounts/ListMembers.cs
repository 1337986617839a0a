using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

public sealed record MemberView(string MembershipId, string PersonId, string DisplayName, string Login, MembershipRole Role, DateTimeOffset Since);

/// <summary>The people of an organisation, for its owner or manager (and admins).</summary>
public sealed record ListMembers(string? OrganisationKind, string? OrganisationId) : IQuery<IReadOnlyList<MemberView>>
{
    public sealed class Validator : AbstractValidator<ListMembers>
    {
        public Validator()
        {
            RuleFor(x => x.OrganisationKind).Must(kind => EnumText.TryParse<MembershipKind>(kind, out _))
                .WithMessage("Must be one of enterprise, institution, regulator, platform.");
            RuleFor(x => x.OrganisationId).NotEmpty().MaximumLength(36);
        }
    }

    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<ListMembers, IReadOnlyList<MemberView>>
    {
        private const string ListSql = """
            SELECT m.id AS MembershipId, p.id AS PersonId, p.display_name AS DisplayName, p.login, m.role, m.created_at AS Since
            FROM memberships m JOIN people p ON p.id = m.person_id
            WHERE m.kind = @Kind AND m.organisation_id = @OrganisationId AND m.removed_at IS NULL
            ORDER BY m.created_at, m.id
            """;

        public async ValueTask<IReadOnlyList<MemberView>> Handle(ListMembers query, CancellationToken cancellationToken)
        {
            user.RequireSteward(EnumText.Parse<MembershipKind>(query.OrganisationKind!), query.OrganisationId!);
            await using var connection = await db.OpenAsync(cancellationToken);
            return (await connection.QueryAsync<Row>(ListSql, new { Kind = query.OrganisationKind, query.OrganisationId }))
                .Select(r => new MemberView(r.MembershipId, r.PersonId, r.DisplayName, r.Login, EnumText.Parse<MembershipRole>(r.Role), r.Since)).ToArray();
        }

        private sealed class Row
        {
            public string MembershipId { get; set; } = "";
            public string PersonId { get; set; } = "";
            public string DisplayName { get; set; } = "";
            public string Login { get; set; } = "";
            public string Role { get; set; } = "";
            public DateTimeOffset Since { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async ([AsParameters] ListMembers query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization()
            .WithDescription("The people of one organisation and their roles, for its owner or manager and for admins.")
            .WithSummary("The people of an organisation (?organisationKind=&organisationId=), for its owner or manager and admins");
}
