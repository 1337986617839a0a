using System.Data.Common;
using System.Text.Json;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Http;

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
/// One way of telling a user. Channels write inside the workflow step's own transaction, so a notification exists
/// exactly when the state change it reports does (an outbox); delivery outside the database happens after commit.
/// </summary>
public interface INotificationChannel
{
    Task WriteAsync(Notification notification, DbConnection connection, DbTransaction transaction, DateTimeOffset now);

    /// <summary>Starts whatever the written notifications need after commit (e.g. webhook posts).</summary>
    void AfterCommit();
}

/// <summary>The notification list each user reads at GET /api/v1/notifications.</summary>
public sealed class DatabaseNotificationChannel : INotificationChannel
{
    private const string InsertSql = """
        INSERT INTO notifications (recipient_role, recipient_id, region_code, request_id, event, message, created_at)
        VALUES (@Role, @Id, @RegionCode, @RequestId, @Event, @Message, @Now)
        """;

    public Task WriteAsync(Notification notification, DbConnection connection, DbTransaction transaction, DateTimeOffset now) =>
        connection.ExecuteAsync(InsertSql, new
        {
            notification.Recipient.Role, notification.Recipient.Id, notification.Recipient.RegionCode, notification.RequestId,
            notification.Event, notification.Message, Now = now,
        }, transaction);

    public void AfterCommit() { }
}

/// <summary>Signed HTTP posts to an institution's own system, for institutions that registered a webhook.</summary>
public sealed class WebhookNotificationChannel(Workflow.IWorkflowScheduler scheduler) : INotificationChannel
{
    private const string WebhookSql = "SELECT webhook_url FROM institutions WHERE id = @Id";
    private const string InsertSql = """
        INSERT INTO webhook_deliveries (id, institution_id, event, payload, status, attempts, next_attempt_at, created_at)
        VALUES (@Id, @InstitutionId, @Event, @Payload, 'pending', 0, @Now, @Now)
        """;

    private readonly List<string> _written = [];

    public async Task WriteAsync(Notification notification, DbConnection connection, DbTransaction transaction, DateTimeOffset now)
    {
        if (notification.Recipient.Role != "institution") return;
        var url = await connection.QuerySingleOrDefaultAsync<string?>(WebhookSql, new { notification.Recipient.Id }, transaction);
        if (url is null) return;
        var id = Guid.CreateVersion7().ToString();
        var payload = JsonSerializer.Serialize(new
        {
            deliveryId = id, @event = notification.Event, requestId = notification.RequestId, message = notification.Message,
            data = notification.Data, occurredAt = now,
        }, WebhookJson);
        await connection.ExecuteAsync(InsertSql, new { Id = id, InstitutionId = notification.Recipient.Id, notification.Event, Payload = payload, Now = now }, transaction);
        _written.Add(id);
    }

    public void AfterCommit()
    {
        foreach (var id in _written) scheduler.DeliverWebhook(id);
        _written.Clear();
    }

    private static readonly JsonSerializerOptions WebhookJson = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        JsonSetup.Configure(options);
        return options;
    }
}

/// <summary>Tells every channel. Scoped: one per job or request, so its after-commit work belongs to that unit of work.</summary>
public sealed class Notifier(IEnumerable<INotificationChannel> channels)
{
    public async Task NotifyAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset now, params Notification[] notifications)
    {
        foreach (var notification in notifications)
        foreach (var channel in channels)
            await channel.WriteAsync(notification, connection, transaction, now);
    }

    public void AfterCommit()
    {
        foreach (var channel in channels) channel.AfterCommit();
    }
}
