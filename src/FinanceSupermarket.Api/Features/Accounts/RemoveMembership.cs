using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// Removes a person from an organisation (its owner or manager, or an admin): the sessions acting in that membership end at
/// once; its access tokens lapse within their lifetime. The last owner or manager stays, so that someone can still invite.
/// </summary>
public sealed record RemoveMembership(string Id) : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, Sessions sessions, CurrentUser user, TimeProvider clock) : ICommandHandler<RemoveMembership>
    {
        private const string FindSql = """
            SELECT m.kind, m.organisation_id AS OrganisationId, m.role, m.person_id AS PersonId, p.login
            FROM memberships m JOIN people p ON p.id = m.person_id
            WHERE m.id = @Id AND m.removed_at IS NULL
            """;
        private const string StewardsSql = """
            SELECT COUNT(*) FROM memberships WHERE kind = @Kind AND organisation_id = @OrganisationId AND role = @Role AND removed_at IS NULL
            """;
        private const string RemoveSql = "UPDATE memberships SET removed_at = @Now WHERE id = @Id AND removed_at IS NULL";

        public async ValueTask<Unit> Handle(RemoveMembership command, CancellationToken cancellationToken)
        {
            var membership = await unit.QuerySingleOrDefaultAsync<Row>(FindSql, new { command.Id }) ?? throw new NotFoundException("The membership");
            var kind = EnumText.Parse<MembershipKind>(membership.Kind);
            user.RequireSteward(kind, membership.OrganisationId);
            if (membership.Role is "owner" or "manager"
                && await unit.ExecuteScalarAsync<long>(StewardsSql, new { membership.Kind, membership.OrganisationId, membership.Role }) <= 1)
                throw new ConflictException(RuleTexts.Say("LastSteward", membership.Role));
            var now = clock.GetUtcNow();
            await unit.ExecuteAsync(RemoveSql, new { command.Id, Now = now });
            await sessions.RevokeAllOfMembershipAsync(command.Id, "membership removed", now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.MembershipRemoved, membership.PersonId, membership.Login, user.ClientAddress,
                $"{membership.Kind} {membership.OrganisationId} as {membership.Role}");
            return Unit.Value;
        }

        private sealed class Row
        {
            public string Kind { get; set; } = "";
            public string OrganisationId { get; set; } = "";
            public string Role { get; set; } = "";
            public string PersonId { get; set; } = "";
            public string Login { get; set; } = "";
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapDelete("/{id}", async (string id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new RemoveMembership(id), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("The organisation's owner or manager, or an admin, removes a person's membership; the sessions that use it stop refreshing at once.")
            .WithSummary("Remove a person from an organisation (its owner or manager, admin); their sessions in it end");
}
