using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>Revokes an API client: it gets no more tokens (those it holds lapse within their lifetime).</summary>
public sealed record RevokeApiClient(string InstitutionId, string ClientId) : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<RevokeApiClient>
    {
        private const string RevokeSql = """
            UPDATE api_clients SET revoked_at = @Now WHERE client_id = @ClientId AND institution_id = @InstitutionId AND revoked_at IS NULL
            """;

        public async ValueTask<Unit> Handle(RevokeApiClient command, CancellationToken cancellationToken)
        {
            user.RequireManagerOf(command.InstitutionId);
            var now = clock.GetUtcNow();
            if (await unit.ExecuteAsync(RevokeSql, new { command.ClientId, command.InstitutionId, Now = now }) == 0) throw new NotFoundException("The API client");
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.ApiClientRevoked, user.PersonId, null, user.ClientAddress, command.ClientId);
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapDelete("/{id}/api-clients/{clientId}", async (string id, string clientId, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new RevokeApiClient(id, clientId), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(AuthModule.Policies.Institution)
            .WithDescription("The institution's manager revokes an API client: it can get no new token.")
            .WithSummary("Revoke an API client of the institution (manager)");
}
