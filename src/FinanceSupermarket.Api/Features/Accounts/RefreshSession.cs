using Microsoft.AspNetCore.Http.HttpResults;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>A new session body for a refresh token, which is spent; optionally in another of the person's memberships.</summary>
public sealed record RefreshSession(string RefreshToken, string? MembershipId) : Mediator.ICommand<RefreshOutcome>
{
    public sealed class Validator : AbstractValidator<RefreshSession>
    {
        public Validator()
        {
            RuleFor(x => x.RefreshToken).NotEmpty().MaximumLength(100);
            RuleFor(x => x.MembershipId).MaximumLength(36);
        }
    }

    public sealed class Handler(UnitOfWork unit, Sessions sessions, CurrentUser user, TimeProvider clock) : ICommandHandler<RefreshSession, RefreshOutcome>
    {
        public async ValueTask<RefreshOutcome> Handle(RefreshSession command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var outcome = await sessions.RefreshAsync(command.RefreshToken, command.MembershipId, now);
            if (outcome.Reused)
                await SecurityEvents.RecordAsync(unit, now, SecurityEvents.RefreshReused, null, null, user.ClientAddress,
                    "a spent refresh token was presented again: its session is revoked");
            return outcome;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/refresh", async Task<Results<Ok<SessionView>, ProblemHttpResult>> (RefreshSession command, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(command, ct) is { Session: { } session } ? TypedResults.Ok(session) : TypedResults.Problem(
                    statusCode: StatusCodes.Status401Unauthorized, title: "Session ended", detail: "Sign in again."))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .AllowAnonymous()
            .RequireRateLimiting(AccountsModule.RateLimitPolicy)
            .WithDescription("Trades a refresh token for a new access token and the next refresh token (each is spent on use); `membershipId` switches membership. A refresh token presented a second time revokes its whole session.")
            .WithSummary("Refresh a session: a new access token and refresh token; the old refresh token is spent");
}
