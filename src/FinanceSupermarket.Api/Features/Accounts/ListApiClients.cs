using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>The institution's API clients with their last use (manager).</summary>
public sealed record ListApiClients(string InstitutionId) : IQuery<IReadOnlyList<ApiClientView>>
{
    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<ListApiClients, IReadOnlyList<ApiClientView>>
    {
        private const string ListSql = ApiClients.SelectSql + " WHERE institution_id = @InstitutionId ORDER BY created_at";

        public async ValueTask<IReadOnlyList<ApiClientView>> Handle(ListApiClients query, CancellationToken cancellationToken)
        {
            user.RequireManagerOf(query.InstitutionId);
            await using var connection = await db.OpenAsync(cancellationToken);
            return (await connection.QueryAsync<ApiClientView>(ListSql, new { query.InstitutionId })).ToArray();
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}/api-clients", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListApiClients(id), ct)))
            .RequireAuthorization(AuthModule.Policies.Institution)
            .WithDescription("The API clients of the manager's institution, with when each was last used and whether it is revoked. Secrets are never shown again.")
            .WithSummary("The institution's API clients and their last use (manager)");
}
