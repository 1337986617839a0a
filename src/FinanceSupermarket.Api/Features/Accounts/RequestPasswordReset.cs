using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// Sends a one-time reset code to the login (SMS or e-mail, through the outbox). The answer is the same whether or not
/// the login exists, so that nobody can learn which logins exist.
/// </summary>
public sealed record RequestPasswordReset(string Login) : Mediator.ICommand
{
    public sealed class Validator : AbstractValidator<RequestPasswordReset>
    {
        public Validator() => RuleFor(x => x.Login).NotEmpty().MaximumLength(200);
    }

    public sealed class Handler(UnitOfWork unit, IMessageSender messages, SignInAttempts attempts, CurrentUser user,
        IOptions<AccountsOptions> options, TimeProvider clock) : ICommandHandler<RequestPasswordReset>
    {
        // A new code replaces any earlier one: only the latest message counts.
        private const string SupersedeSql = "UPDATE password_resets SET used_at = @Now WHERE person_id = @PersonId AND used_at IS NULL";
        private const string InsertSql = """
            INSERT INTO password_resets (id, person_id, code_hash, created_at, expires_at, attempts) VALUES (@Id, @PersonId, @CodeHash, @Now, @ExpiresAt, 0)
            """;

        public async ValueTask<Unit> Handle(RequestPasswordReset command, CancellationToken cancellationToken)
        {
            attempts.Take(user.ClientAddress, command.Login);
            var now = clock.GetUtcNow();
            var person = await Person.ByLoginAsync(unit, command.Login);
            if (person is not { Active: true }) return Unit.Value;

            var code = Secrets.NewDigits(6);
            var lifetime = options.Value.ResetCodeLifetime;
            await unit.ExecuteAsync(SupersedeSql, new { PersonId = person.Id, Now = now });
            await unit.ExecuteAsync(InsertSql, new
            {
                Id = Guid.CreateVersion7().ToString(), PersonId = person.Id, CodeHash = Secrets.Hash(code), Now = now, ExpiresAt = now + lifetime,
            });
            await messages.SendAsync(new OutgoingMessage(person.Login, "金融超市密码重置验证码 / Password reset code",
                $"您的密码重置验证码是 {code}，{lifetime.TotalMinutes:0} 分钟内有效。如非本人操作，请忽略。 Your password reset code is {code}; it is valid for {lifetime.TotalMinutes:0} minutes."), now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.PasswordResetRequested, person.Id, person.Login, user.ClientAddress);
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/password-reset", async (RequestPasswordReset command, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(command, ct);
                return TypedResults.Accepted((string?)null);
            })
            .AllowAnonymous()
            .RequireRateLimiting(AccountsModule.RateLimitPolicy)
            .WithDescription("Sends a 6-digit reset code to the login through the outbox. The answer is the same 202 whether or not the login exists.")
            .WithSummary("Send a password reset code to the login (202 whether or not the login exists)");
}
