using Dapper;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>One delivery to the institution's webhook and how its attempts went: what a test event is followed with.</summary>
public sealed record GetWebhookDelivery(string InstitutionId, string DeliveryId) : IQuery<GetWebhookDelivery.View>
{
    /// <param name="Id">The delivery's id, sent as webhook-id.</param>
    /// <param name="LastStatusCode">The receiver's last answer, when it answered.</param>
    /// <param name="LastError">Why the last attempt failed: the status, the timeout, the refused address.</param>
    /// <param name="NextAttemptAt">When the next attempt is due, while the delivery is pending.</param>
    public sealed record View(
        string Id, string Event, WebhookDeliveryStatus Status, int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset CreatedAt,
        DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt);

    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<GetWebhookDelivery, View>
    {
        private const string DeliverySql = """
            SELECT id, event, status, attempts, last_status_code AS LastStatusCode, last_error AS LastError, created_at AS CreatedAt,
                   next_attempt_at AS NextAttemptAt, delivered_at AS DeliveredAt
            FROM webhook_deliveries WHERE id = @Id AND institution_id = @InstitutionId
            """;

        public async ValueTask<View> Handle(GetWebhookDelivery query, CancellationToken cancellationToken)
        {
            user.RequireOwnOrAdmin(query.InstitutionId);
            await using var connection = await db.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<Row>(DeliverySql, new { Id = query.DeliveryId, query.InstitutionId })
                      ?? throw new NotFoundException("The delivery");
            return new View(row.Id, row.Event, EnumText.Parse<WebhookDeliveryStatus>(row.Status), row.Attempts, row.LastStatusCode, row.LastError,
                row.CreatedAt, row.NextAttemptAt, row.DeliveredAt);
        }

        private sealed class Row
        {
            public string Id { get; set; } = "";
            public string Event { get; set; } = "";
            public string Status { get; set; } = "";
            public int Attempts { get; set; }
            public int? LastStatusCode { get; set; }
            public string? LastError { get; set; }
            public DateTimeOffset CreatedAt { get; set; }
            public DateTimeOffset? NextAttemptAt { get; set; }
            public DateTimeOffset? DeliveredAt { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}/webhook/deliveries/{deliveryId}", async (string id, string deliveryId, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetWebhookDelivery(id, deliveryId), ct)))
            .ForTheInstitutionOrAdmins()
            .WithName("getWebhookDelivery")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One delivery to the institution's webhook: its status, attempts and the last answer or error")
            .WithDescription("The institution's own staff or an admin; a delivery of another institution is a 404.");
}
