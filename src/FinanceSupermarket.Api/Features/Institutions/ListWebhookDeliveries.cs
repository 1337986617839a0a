using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>The institution's most recent webhook deliveries, newest first, each with how its attempts went.</summary>
public sealed record ListWebhookDeliveries(string InstitutionId, int? Limit) : IQuery<IReadOnlyList<GetWebhookDelivery.View>>
{
    public sealed class Validator : AbstractValidator<ListWebhookDeliveries>
    {
        public Validator() => RuleFor(x => x.Limit).InclusiveBetween(1, 100);
    }

    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<ListWebhookDeliveries, IReadOnlyList<GetWebhookDelivery.View>>
    {
        private const string RecentSql = GetWebhookDelivery.Handler.SelectSql + " WHERE institution_id = @InstitutionId ORDER BY created_at DESC, id DESC";

        public async ValueTask<IReadOnlyList<GetWebhookDelivery.View>> Handle(ListWebhookDeliveries query, CancellationToken cancellationToken)
        {
            user.RequireOwnOrAdmin(query.InstitutionId);
            await using var connection = await db.OpenAsync(cancellationToken);
            var rows = await connection.QueryAsync<GetWebhookDelivery.Handler.Row>(db.Dialect.Top(RecentSql), new { query.InstitutionId, Take = query.Limit ?? 20 });
            return rows.Select(row => row.ToView()).ToArray();
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}/webhook/deliveries", async (string id, int? limit, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListWebhookDeliveries(id, limit), ct)))
            .ForTheInstitutionOrAdmins()
            .WithName("listWebhookDeliveries")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The institution's most recent webhook deliveries (?limit=20, at most 100), newest first")
            .WithDescription("Each delivery with its event, status, attempts and the receiver's last answer or error, as one delivery is shown at …/webhook/deliveries/{deliveryId}.");
}
