using FinanceSupermarket.Api.Infrastructure.UnitOfWork;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>A message to a person: an invitation, a password reset code, a sign-in alert.</summary>
public sealed record OutgoingMessage(string Recipient, string Subject, string Body)
{
    /// <summary>SMS for a mobile number, e-mail for an address.</summary>
    public string Channel => Recipient.Contains('@') ? "email" : "sms";
}

/// <summary>
/// The one way a message leaves the platform. No SMS or mail gateway runs here: the database outbox below is what an
/// admin reads (GET /api/v1/admin/messages) and where a real sender plugs in, reading unsent rows.
/// </summary>
public interface IMessageSender
{
    Task SendAsync(OutgoingMessage message, DateTimeOffset now);
}

/// <summary>Writes the message in the caller's unit of work, so it exists exactly when the change it reports does.</summary>
public sealed class OutboxMessageSender(UnitOfWork unit) : IMessageSender
{
    private const string InsertSql = """
        INSERT INTO message_outbox (channel, recipient, subject, body, created_at) VALUES (@Channel, @Recipient, @Subject, @Body, @Now)
        """;

    public Task SendAsync(OutgoingMessage message, DateTimeOffset now) =>
        unit.ExecuteAsync(InsertSql, new { message.Channel, message.Recipient, message.Subject, message.Body, Now = now });
}
