using Dapper;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>The institution's webhook as it stands — never its secrets, only whether one is set and until when the replaced one signs.</summary>
public sealed record GetWebhook(string InstitutionId) : IQuery<GetWebhook.View>
{
    public sealed record View(string? WebhookUrl, bool SecretSet, DateTimeOffset? PreviousSecretValidUntil);

    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock) : IQueryHandler<GetWebhook, View>
    {
        public async ValueTask<View> Handle(GetWebhook query, CancellationToken cancellationToken)
        {
            user.RequireOwnOrAdmin(query.InstitutionId);
            await using var connection = await db.OpenAsync(cancellationToken);
            var stored = await connection.QuerySingleOrDefaultAsync<InstitutionWebhook.Stored>(InstitutionWebhook.StoredSql, new { Id = query.InstitutionId })
                         ?? throw new NotFoundException("The institution");
            return new View(stored.Url, stored.Secret is not null, stored.PreviousSecretUntil > clock.GetUtcNow() ? stored.PreviousSecretUntil : null);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}/webhook", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetWebhook(id), ct)))
            .ForTheInstitutionOrAdmins()
            .WithName("getWebhook")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The institution's webhook: its URL, whether a secret is set (never the secret), and until when a replaced one still signs")
            .WithDescription("The institution's own staff or an admin; another institution's id is a 404. The secret is never returned after it was first given.");
}
