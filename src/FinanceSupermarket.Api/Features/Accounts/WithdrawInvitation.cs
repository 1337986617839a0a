using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>Withdraws an invitation not yet accepted: its code no longer works.</summary>
public sealed record WithdrawInvitation(string Id) : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<WithdrawInvitation>
    {
        private const string FindSql = "SELECT organisation_kind AS Kind, organisation_id AS OrganisationId, login FROM invitations WHERE id = @Id";
        private const string WithdrawSql = "UPDATE invitations SET withdrawn_at = @Now WHERE id = @Id AND accepted_at IS NULL AND withdrawn_at IS NULL";

        public async ValueTask<Unit> Handle(WithdrawInvitation command, CancellationToken cancellationToken)
        {
            var invitation = await unit.QuerySingleOrDefaultAsync<InvitationRow>(FindSql, new { command.Id }) ?? throw new NotFoundException("The invitation");
            user.RequireSteward(EnumText.Parse<MembershipKind>(invitation.Kind), invitation.OrganisationId);
            var now = clock.GetUtcNow();
            if (await unit.ExecuteAsync(WithdrawSql, new { command.Id, Now = now }) == 0)
                throw new ConflictException("The invitation was accepted or withdrawn already.");
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.InvitationWithdrawn, user.PersonId, invitation.Login, user.ClientAddress, command.Id);
            return Unit.Value;
        }

        private sealed class InvitationRow
        {
            public string Kind { get; set; } = "";
            public string OrganisationId { get; set; } = "";
            public string? Login { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapDelete("/{id}", async (string id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new WithdrawInvitation(id), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("The person who may invite into the organisation withdraws an invitation not yet accepted; its code no longer works.")
            .WithSummary("Withdraw an invitation that was not accepted yet");
}
