using Microsoft.AspNetCore.Http.HttpResults;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using FinanceSupermarket.Api.Infrastructure.Validation;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// Sets a new password with the reset code. A code is good once, for 15 minutes and five tries; the new password ends
/// every session of the person and lifts a lockout.
/// </summary>
public sealed record ConfirmPasswordReset(string Login, string Code, [property: Secret] string NewPassword) : Mediator.ICommand<bool>
{
    public sealed class Validator : AbstractValidator<ConfirmPasswordReset>
    {
        public Validator()
        {
            RuleFor(x => x.Login).NotEmpty().MaximumLength(200);
            RuleFor(x => x.Code).NotEmpty().Matches("^[0-9]{6}$").WithMessage("Must be the 6-digit code that was sent.");
            RuleFor(x => x.NewPassword).Password(x => x.Login);
        }
    }

    public sealed class Handler(UnitOfWork unit, IPasswordHasher<Person> hasher, Sessions sessions, SignInAttempts attempts, CurrentUser user,
        IOptions<AccountsOptions> options, TimeProvider clock) : ICommandHandler<ConfirmPasswordReset, bool>
    {
        private const string MatchSql = """
            SELECT COUNT(*) FROM password_resets
            WHERE person_id = @PersonId AND code_hash = @CodeHash AND used_at IS NULL AND expires_at > @Now AND attempts < @MaxAttempts
            """;
        // A wrong code counts against every open reset of the person: guesses are limited whatever was asked for.
        private const string WrongCodeSql = "UPDATE password_resets SET attempts = attempts + 1 WHERE person_id = @PersonId AND used_at IS NULL";
        private const string UsedSql = "UPDATE password_resets SET used_at = @Now WHERE person_id = @PersonId AND used_at IS NULL";
        private const string NewPasswordSql = """
            UPDATE people SET password_hash = @Hash, failed_sign_ins = 0, locked_until = NULL, updated_at = @Now WHERE id = @Id
            """;

        /// <summary>False when the code is wrong, spent or expired (a wrong try is counted).</summary>
        public async ValueTask<bool> Handle(ConfirmPasswordReset command, CancellationToken cancellationToken)
        {
            attempts.Take(user.ClientAddress, command.Login);
            var now = clock.GetUtcNow();
            var person = await Person.ByLoginAsync(unit, command.Login);
            if (person is not { Active: true }) return false;
            var matches = await unit.ExecuteScalarAsync<long>(MatchSql, new
            {
                PersonId = person.Id, CodeHash = Secrets.Hash(command.Code), Now = now, MaxAttempts = options.Value.ResetCodeAttempts,
            });
            if (matches == 0)
            {
                await unit.ExecuteAsync(WrongCodeSql, new { PersonId = person.Id });
                return false;
            }
            await unit.ExecuteAsync(UsedSql, new { PersonId = person.Id, Now = now });
            await unit.ExecuteAsync(NewPasswordSql, new { person.Id, Hash = hasher.HashPassword(person, command.NewPassword), Now = now });
            await sessions.RevokeAllOfPersonAsync(person.Id, "password reset", now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.PasswordReset, person.Id, person.Login, user.ClientAddress);
            return true;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/password-reset/confirm", async Task<Results<NoContent, ValidationProblem>> (ConfirmPasswordReset command, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(command, ct)
                    ? TypedResults.NoContent()
                    : TypedResults.ValidationProblem(new Dictionary<string, string[]>
                    {
                        ["code"] = ["The code is wrong or no longer valid; ask for a new one."],
                    }, title: "One or more fields are invalid"))
            .AllowAnonymous()
            .RequireRateLimiting(AccountsModule.RateLimitPolicy)
            .WithDescription("Sets a new password with the 6-digit reset code; every session of the person ends. A wrong or spent code is a 400 naming `code`.")
            .WithSummary("Set a new password with the reset code (204); ends every session of the person");
}
