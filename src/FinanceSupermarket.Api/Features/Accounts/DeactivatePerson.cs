using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// An admin deactivates a person: no more sign-ins, every session ends at once (no refresh), and the access tokens they
/// hold lapse within their lifetime (15 minutes by default).
/// </summary>
public sealed record DeactivatePerson(string Id) : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, Sessions sessions, CurrentUser user, TimeProvider clock) : ICommandHandler<DeactivatePerson>
    {
        private const string DeactivateSql = "UPDATE people SET active = @False, updated_at = @Now WHERE id = @Id";

        public async ValueTask<Unit> Handle(DeactivatePerson command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var person = await Person.ByIdAsync(unit, command.Id) ?? throw new NotFoundException("The person");
            await unit.ExecuteAsync(DeactivateSql, new { command.Id, False = false, Now = now });
            await sessions.RevokeAllOfPersonAsync(command.Id, "person deactivated", now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.PersonDeactivated, person.Id, person.Login, user.ClientAddress, $"by {user.Name ?? "admin"}");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/people/{id}/deactivate", async (string id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new DeactivatePerson(id), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("An admin deactivates a person: every session ends and sign-in is refused.")
            .WithSummary("Deactivate a person: their sessions end at once (admin)");
}
