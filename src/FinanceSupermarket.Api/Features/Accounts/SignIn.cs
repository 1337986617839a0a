using FinanceSupermarket.Api.Infrastructure.OpenApi;
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
/// Signs a person in with their login and password, and a TOTP or recovery code where one is owed. A wrong login, a wrong
/// password, a locked or a deactivated account all get the same answer, after the same work (a password hash is checked
/// in every case), so that nobody can learn which logins exist. Five failures in a row lock the account for 15 minutes.
/// </summary>
public sealed record SignIn(string Login, [property: Secret] string Password, string? MembershipId, string? Totp)
    : Mediator.ICommand<SignIn.Outcome>, Contract.IExample<SignIn>
{
    public static SignIn Example => new("owner@demo.local", "Demo-Owner-2026", null, null);

    /// <summary>A session, or a refusal: MfaRequired when the password was right and a second-factor code is owed.</summary>
    public sealed record Outcome(SessionView? Session, bool MfaRequired);

    public sealed class Validator : AbstractValidator<SignIn>
    {
        public Validator()
        {
            RuleFor(x => x.Login).NotEmpty().MaximumLength(200);
            RuleFor(x => x.Password).NotEmpty().MaximumLength(200);
            RuleFor(x => x.MembershipId).MaximumLength(36);
            RuleFor(x => x.Totp).MaximumLength(20);
        }
    }

    public sealed class Handler(
        UnitOfWork unit, IPasswordHasher<Person> hasher, Sessions sessions, MfaCodes mfa, SignInAttempts attempts, CurrentUser user,
        IOptions<AccountsOptions> options, TimeProvider clock) : ICommandHandler<SignIn, Outcome>
    {
        private const string FailedSql = """
            UPDATE people SET failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= @Threshold THEN 0 ELSE failed_sign_ins + 1 END,
                              locked_until = CASE WHEN failed_sign_ins + 1 >= @Threshold THEN @LockedUntil ELSE locked_until END
            WHERE id = @Id
            """;
        private const string SucceededSql = "UPDATE people SET failed_sign_ins = 0, locked_until = NULL WHERE id = @Id";
        private const string RehashSql = "UPDATE people SET password_hash = @Hash, updated_at = @Now WHERE id = @Id";

        private static readonly Outcome Refused = new(null, MfaRequired: false);
        private static readonly Outcome CodeOwed = new(null, MfaRequired: true);

        public async ValueTask<Outcome> Handle(SignIn command, CancellationToken cancellationToken)
        {
            attempts.Take(user.ClientAddress, command.Login);
            var now = clock.GetUtcNow();
            var person = await Person.ByLoginAsync(unit, command.Login);
            var check = hasher.VerifyHashedPassword(person ?? Person.Nobody, person?.PasswordHash ?? Person.NobodysHash(hasher), command.Password);
            if (person is null || !person.Active || person.LockedUntil > now)
            {
                await SecurityEvents.RecordAsync(unit, now, SecurityEvents.SignInFailed, person?.Id, Logins.Normalise(command.Login), user.ClientAddress,
                    person is null ? "unknown login" : !person.Active ? "deactivated" : "locked");
                return Refused;
            }
            if (check == PasswordVerificationResult.Failed) return await FailAsync(person, "wrong password", Refused, now);
            if (check == PasswordVerificationResult.SuccessRehashNeeded)
                await unit.ExecuteAsync(RehashSql, new { person.Id, Hash = hasher.HashPassword(person, command.Password), Now = now });

            if (person.MfaEnabled)
            {
                if (string.IsNullOrWhiteSpace(command.Totp)) return CodeOwed;
                if (!await mfa.AcceptAsync(person, command.Totp, now)) return await FailAsync(person, "wrong second-factor code", CodeOwed, now);
            }

            var session = await sessions.StartAsync(person, command.MembershipId, mfaVerified: person.MfaEnabled, now)
                          ?? throw new ValidationException([new FluentValidation.Results.ValidationFailure(nameof(MembershipId), "Not one of this person's memberships.")]);
            await unit.ExecuteAsync(SucceededSql, new { person.Id });
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.SignedIn, person.Id, person.Login, user.ClientAddress,
                session.Membership is { } membership ? $"{membership.Kind} {membership.Role} of {membership.OrganisationName}" : null);
            return new Outcome(session, MfaRequired: false);
        }

        /// <summary>Counts a failure; the one that reaches the threshold locks the account (and says so in the security events).</summary>
        private async Task<Outcome> FailAsync(Person person, string why, Outcome outcome, DateTimeOffset now)
        {
            var settings = options.Value;
            await unit.ExecuteAsync(FailedSql, new { person.Id, Threshold = settings.LockoutThreshold, LockedUntil = now + settings.LockoutDuration });
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.SignInFailed, person.Id, person.Login, user.ClientAddress, why);
            if (person.FailedSignIns + 1 >= settings.LockoutThreshold)
                await SecurityEvents.RecordAsync(unit, now, SecurityEvents.LockedOut, person.Id, person.Login, user.ClientAddress,
                    $"{settings.LockoutThreshold} failed sign-ins; locked until {now + settings.LockoutDuration:u}");
            return outcome;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/sign-in", async Task<Results<Ok<SessionView>, ProblemHttpResult>> (SignIn command, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(command, ct) switch
                {
                    { Session: { } session } => TypedResults.Ok(session),
                    { MfaRequired: true } => TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Second factor required",
                        detail: "Enter the 6-digit code of your authenticator app (or a recovery code) as totp.",
                        extensions: new Dictionary<string, object?> { ["mfaRequired"] = true }),
                    _ => NotSignedIn(),
                })
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .AllowAnonymous()
            .RequireRateLimiting(AccountsModule.RateLimitPolicy)
            .WithDescription("Signs a person in with login and password (and `totp` where the role needs a second factor): an access token (15 minutes), a refresh token and the memberships, `membershipId` choosing among them. Every refusal is the same 401 after the same work; a missing second factor is a 401 with `mfaRequired: true`. Five failures in a row lock the account for 15 minutes.")
            .WithSummary("Sign in: a session (access and refresh token) for one of the person's memberships");

    /// <summary>The one answer to every refused sign-in, whatever the reason.</summary>
    public static ProblemHttpResult NotSignedIn() => TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in",
        detail: "The login or password is wrong, or the account is locked for 15 minutes after 5 failed attempts.",
        extensions: new Dictionary<string, object?> { ["mfaRequired"] = false });
}
