using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using FluentValidation.Results;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// Turns the second factor on with a code of the new secret, and hands out recovery codes (shown once). The session that
/// confirmed it counts as verified, so its next refresh may act in a membership that needs a second factor.
/// </summary>
public sealed record ConfirmMfa(string Code) : Mediator.ICommand<ConfirmMfa.Result>
{
    public sealed record Result(IReadOnlyList<string> RecoveryCodes);

    public sealed class Validator : AbstractValidator<ConfirmMfa>
    {
        public Validator() => RuleFor(x => x.Code).NotEmpty().Matches("^[0-9]{6}$").WithMessage(_ => RuleTexts.Say("MfaCodeFormat"));
    }

    public sealed class Handler(UnitOfWork unit, MfaCodes mfa, Sessions sessions, CurrentUser user, TimeProvider clock) : ICommandHandler<ConfirmMfa, Result>
    {
        private const string EnableSql = "UPDATE people SET mfa_enabled = @True, updated_at = @Now WHERE id = @Id";

        public async ValueTask<Result> Handle(ConfirmMfa command, CancellationToken cancellationToken)
        {
            if (!user.IsPerson) throw new ForbiddenException("Only a person signed in with an account sets up a second factor.");
            var now = clock.GetUtcNow();
            var person = await Person.ByIdAsync(unit, user.PersonId!) ?? throw new ForbiddenException("This account no longer exists.");
            if (person.MfaEnabled) throw new ConflictException(RuleTexts.Say("MfaOnAlready"));
            if (person.MfaSecret is null) throw new ConflictException("Start with POST /api/v1/auth/mfa/setup.");
            if (!await mfa.AcceptAsync(person, command.Code, now))
                throw new ValidationException([new ValidationFailure(nameof(Code), RuleTexts.Say("MfaCodeWrong"))]);
            await unit.ExecuteAsync(EnableSql, new { person.Id, True = true, Now = now });
            await sessions.MarkMfaVerifiedAsync(user.SessionId!);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.MfaEnabled, person.Id, person.Login, user.ClientAddress);
            return new Result(await mfa.NewRecoveryCodesAsync(person.Id));
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/mfa/confirm", async (ConfirmMfa command, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(command, ct)))
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Confirms the TOTP secret from the setup with a current code; the answer holds ten single-use recovery codes, shown once.")
            .WithSummary("Turn the TOTP second factor on with a current code; returns recovery codes, shown once");
}
