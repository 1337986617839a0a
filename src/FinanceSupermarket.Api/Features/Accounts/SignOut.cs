using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>Ends the caller's session: its refresh token no longer works (the access token lapses within its lifetime).</summary>
public sealed record SignOut : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, Sessions sessions, CurrentUser user, TimeProvider clock) : ICommandHandler<SignOut>
    {
        public async ValueTask<Unit> Handle(SignOut command, CancellationToken cancellationToken)
        {
            var sessionId = user.SessionId ?? throw new ForbiddenException("Only a signed-in person has a session to end.");
            var now = clock.GetUtcNow();
            await sessions.RevokeAsync(sessionId, "signed out", now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.SignedOut, user.PersonId, null, user.ClientAddress);
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/sign-out", async (IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new SignOut(), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization()
            .WithDescription("Revokes the caller's session: its refresh token stops working; the access token lapses within its 15 minutes.")
            .WithSummary("Sign out: the session is revoked");
}
