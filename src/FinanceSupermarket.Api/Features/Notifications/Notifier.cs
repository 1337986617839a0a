using System.Text.Json;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;

namespace FinanceSupermarket.Api.Features.Notifications;

/// <summary>Who is told: an enterprise, an institution, or the regulators whose region prefix covers a region.</summary>
public sealed record Recipient(string Role, string? Id, string RegionCode)
{
    public static Recipient Enterprise(string id, string regionCode) => new("enterprise", id, regionCode);
    public static Recipient Institution(string id, string regionCode) => new("institution", id, regionCode);
    public static Recipient Regulators(string regionCode) => new("regulator", null, regionCode);
}

public sealed record Notification(Recipient Recipient, string Event, string Message, string? RequestId, object? Data = null);

/// <summary>
/// One way of telling a user. Channels write inside the state change's own unit of work, so a notification exists
/// exactly when the state change it reports does (an outbox); delivery outside the database is raised for after commit.
/// </summary>
public interface INotificationChannel
{
    Task WriteAsync(UnitOfWork unit, Notification notification, DateTimeOffset now);
}

/// <summary>The notification list each user reads at GET /api/v1/notifications.</summary>
public sealed class DatabaseNotificationChannel : INotificationChannel
{
    private const string InsertSql = """
        INSERT INTO notifications (recipient_role, recipient_id, region_code, request_id, event, message, created_at)
        VALUES (@Role, @Id, @RegionCode, @RequestId, @Event, @Message, @Now)
        """;

    public Task WriteAsync(UnitOfWork unit, Notification notification, DateTimeOffset now)
    {
        unit.WriteLater(InsertSql, notification.Recipient.Role, notification.Recipient.Id, notification.Recipient.RegionCode,
            notification.RequestId, notification.Event, notification.Message, now);
        return Task.CompletedTask;
    }
}

/// <summary>A webhook delivery was stored and is to be posted once its transaction commits.</summary>
public sealed record WebhookWritten(string DeliveryId) : INotification;

/// <summary>Signed HTTP posts to an institution's own system, for institutions that registered a webhook.</summary>
public sealed class WebhookNotificationChannel : INotificationChannel
{
    private const string WebhookSql = "SELECT webhook_url FROM institutions WHERE id = @Id";

    public async Task WriteAsync(UnitOfWork unit, Notification notification, DateTimeOffset now)
    {
        if (notification.Recipient.Role != "institution") return;
        if (await unit.QuerySingleOrDefaultAsync<string?>(WebhookSql, new { notification.Recipient.Id }) is null) return;
        WebhookDeliveries.Store(unit, notification.Recipient.Id!, notification.Event, notification.RequestId, notification.Message,
            notification.Data, now);
    }
}

/// <summary>The webhook deliveries of an institution: each stored in the writer's unit of work, and posted once it commits.</summary>
public static class WebhookDeliveries
{
    /// <summary>The event of the delivery an institution sends itself to try its webhook.</summary>
    public const string TestEvent = "webhook.test";

    private const string InsertSql = """
        INSERT INTO webhook_deliveries (id, institution_id, event, payload, status, attempts, next_attempt_at, created_at)
        VALUES (@Id, @InstitutionId, @Event, @Payload, 'pending', 0, @Now, @Now)
        """;

    /// <summary>Stores a delivery with its payload, and raises its post for after commit; returns its id (the webhook-id).</summary>
    public static string Store(UnitOfWork unit, string institutionId, string @event, string? requestId, string message, object? data,
        DateTimeOffset now)
    {
        var id = Guid.CreateVersion7().ToString();
        var payload = JsonSerializer.Serialize(new { deliveryId = id, @event, requestId, message, data, occurredAt = now }, WebhookJson);
        unit.WriteLater(InsertSql, id, institutionId, @event, payload, now);
        unit.Raise(new WebhookWritten(id));
        return id;
    }

    private static readonly JsonSerializerOptions WebhookJson = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        JsonSetup.Configure(options);
        return options;
    }
}

/// <summary>Tells every channel, inside the caller's unit of work.</summary>
public sealed class Notifier(UnitOfWork unit, IEnumerable<INotificationChannel> channels)
{
    public async Task NotifyAsync(DateTimeOffset now, IEnumerable<Notification> notifications)
    {
        foreach (var notification in notifications)
        foreach (var channel in channels)
            await channel.WriteAsync(unit, notification, now);
    }
}
