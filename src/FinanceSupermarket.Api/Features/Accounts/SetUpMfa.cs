using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// Starts setting up the TOTP second factor: a new secret for the person's authenticator app. It takes effect only when a
/// code of it is confirmed (<see cref="ConfirmMfa"/>); a second factor already in use must be reset by an admin first.
/// </summary>
public sealed record SetUpMfa : Mediator.ICommand<SetUpMfa.Setup>
{
    /// <summary>The Base32 secret to type into an authenticator app, and the otpauth URI to show as a QR code.</summary>
    public sealed record Setup(string Secret, string OtpauthUri);

    public sealed class Handler(UnitOfWork unit, MfaCodes mfa, CurrentUser user, TimeProvider clock) : ICommandHandler<SetUpMfa, Setup>
    {
        private const string PendingSql = "UPDATE people SET mfa_secret = @Secret, mfa_last_step = NULL, updated_at = @Now WHERE id = @Id AND mfa_enabled = @False";

        public async ValueTask<Setup> Handle(SetUpMfa command, CancellationToken cancellationToken)
        {
            if (!user.IsPerson) throw new ForbiddenException("Only a person signed in with an account sets up a second factor.");
            var person = await Person.ByIdAsync(unit, user.PersonId!) ?? throw new ForbiddenException("This account no longer exists.");
            var (base32, protectedSecret) = mfa.NewSecret();
            if (await unit.ExecuteAsync(PendingSql, new { person.Id, Secret = protectedSecret, Now = clock.GetUtcNow(), False = false }) == 0)
                throw new ConflictException(RuleTexts.Say("MfaInUse"));
            return new Setup(base32, MfaCodes.OtpAuthUri(person.Login, base32));
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/mfa/setup", async (IMediator mediator, CancellationToken ct) =>
TypedResults.Ok(await mediator.Send(new SetUpMfa(), ct)))
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Starts setting up TOTP (RFC 6238): the secret and an otpauth:// URI for an authenticator app. The factor is on once confirmed with a current code.")
            .WithSummary("Start setting up the TOTP second factor: the secret for an authenticator app");
}
