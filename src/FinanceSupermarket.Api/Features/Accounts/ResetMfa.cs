using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// An admin resets a person's second factor (a lost or replaced phone): the secret and the recovery codes are dropped and
/// every session ends, since the lost phone may be in other hands. A role that needs a second factor sets up a new one at
/// the next sign-in (<see cref="SetUpMfa"/>, which refuses while one is in use).
/// </summary>
public sealed record ResetMfa(string Id) : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, Sessions sessions, MfaCodes mfa, CurrentUser user, TimeProvider clock) : ICommandHandler<ResetMfa>
    {
        private const string ResetSql = """
            UPDATE people SET mfa_enabled = @False, mfa_secret = NULL, mfa_last_step = NULL, updated_at = @Now
            WHERE id = @Id AND mfa_enabled = @True
            """;

        public async ValueTask<Unit> Handle(ResetMfa command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var person = await Person.ByIdAsync(unit, command.Id) ?? throw new NotFoundException("The person");
            if (await unit.ExecuteAsync(ResetSql, new { person.Id, False = false, True = true, Now = now }) == 0)
                throw new ConflictException(RuleTexts.Say("MfaNotOn"));
            await mfa.ForgetRecoveryCodesAsync(person.Id);
            await sessions.RevokeAllOfPersonAsync(person.Id, "second factor reset", now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.MfaReset, person.Id, person.Login, user.ClientAddress, $"by {user.Name ?? "admin"}");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/people/{id}/mfa/reset", async (string id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new ResetMfa(id), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(AuthModule.Policies.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("An admin resets a person's TOTP second factor (a lost phone): the secret and recovery codes are dropped and every session ends; a role that needs a second factor sets up a new one at the next sign-in. 409 when none is on.")
            .WithSummary("Reset a person's second factor: their sessions end at once (admin)");
}
