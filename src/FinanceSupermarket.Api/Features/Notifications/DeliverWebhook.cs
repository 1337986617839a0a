using System.Security.Cryptography;
using System.Text;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Jobs;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Operations;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Notifications;

/// <summary>
/// Posts one webhook delivery to the institution's system, signed with HMAC-SHA256 of the body under the institution's
/// secret (header X-FinanceSupermarket-Signature: sha256=&lt;hex&gt;). A failure is recorded and tried again after the
/// next configured delay; after the last the delivery is marked failed. A lease on the row keeps one attempt at a time.
/// A request, not a command: no transaction may span the HTTP post, so the lease and the attempt are separate statements.
/// </summary>
public sealed record DeliverWebhook(string DeliveryId) : IRequest<bool>
{
    public const string SignatureHeader = "X-FinanceSupermarket-Signature";
    public const string DeliveryHeader = "X-FinanceSupermarket-Delivery";
    public const string EventHeader = "X-FinanceSupermarket-Event";

    public sealed class Handler(Db db, IHttpClientFactory http, TimeProvider clock, IOptions<WebhookOptions> options, JobQueue jobs,
        ILogger<DeliverWebhook> logger, PlatformMetrics metrics) : IRequestHandler<DeliverWebhook, bool>
    {
        private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

        private const string ClaimSql = """
            UPDATE webhook_deliveries SET next_attempt_at = @LeaseUntil
            WHERE id = @Id AND status = 'pending' AND next_attempt_at <= @Now
            """;
        private const string DeliverySql = """
            SELECT d.id, d.event, d.payload, d.attempts, i.webhook_url AS Url, i.webhook_secret AS Secret
            FROM webhook_deliveries d JOIN institutions i ON i.id = d.institution_id
            WHERE d.id = @Id
            """;
        private const string DeliveredSql = """
            UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status_code = @StatusCode, last_error = NULL,
                delivered_at = @Now, next_attempt_at = NULL
            WHERE id = @Id
            """;
        private const string FailedAttemptSql = """
            UPDATE webhook_deliveries SET status = @Status, attempts = attempts + 1, last_status_code = @StatusCode, last_error = @Error,
                next_attempt_at = @NextAttemptAt
            WHERE id = @Id
            """;

        public async ValueTask<bool> Handle(DeliverWebhook command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            await using var connection = await db.OpenAsync(cancellationToken);
            if (await connection.ExecuteAsync(ClaimSql, new { Id = command.DeliveryId, Now = now, LeaseUntil = now + Lease }) == 0) return false;
            var delivery = await connection.QuerySingleAsync<Delivery>(DeliverySql, new { Id = command.DeliveryId });

            int? statusCode = null;
            string? error;
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
                {
                    Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
                };
                message.Headers.Add(SignatureHeader, Sign(delivery.Payload, delivery.Secret ?? ""));
                message.Headers.Add(DeliveryHeader, delivery.Id);
                message.Headers.Add(EventHeader, delivery.Event);
                using var response = await http.CreateClient(nameof(DeliverWebhook)).SendAsync(message, cancellationToken);
                statusCode = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    await connection.ExecuteAsync(DeliveredSql, new { Id = delivery.Id, StatusCode = statusCode, Now = clock.GetUtcNow() });
                    return true;
                }
                error = $"HTTP {statusCode} {response.ReasonPhrase}";
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                error = exception.Message;
            }

            var delays = options.Value.RetryDelaysSeconds;
            var attempt = delivery.Attempts + 1;
            var retry = attempt <= delays.Count ? TimeSpan.FromSeconds(delays[attempt - 1]) : (TimeSpan?)null;
            await connection.ExecuteAsync(FailedAttemptSql, new
            {
                Id = delivery.Id, Status = retry is null ? "failed" : "pending", StatusCode = statusCode,
                Error = error.Length > 1000 ? error[..1000] : error, NextAttemptAt = retry is { } wait ? clock.GetUtcNow() + wait : (DateTimeOffset?)null,
            });
            metrics.WebhookAttemptFailed(final: retry is null);
            logger.LogWarning("Webhook delivery {Delivery} attempt {Attempt} failed: {Error}; {Next}", delivery.Id, attempt, error,
                retry is null ? "giving up" : $"retrying in {retry}");
            if (retry is { } delay) jobs.Schedule<NotificationJobs>(job => job.DeliverWebhookAsync(delivery.Id), delay);
            return false;
        }

        public static string Sign(string payload, string secret) =>
            "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(payload)));

        private sealed class Delivery
        {
            public string Id { get; set; } = "";
            public string Event { get; set; } = "";
            public string Payload { get; set; } = "";
            public int Attempts { get; set; }
            public string Url { get; set; } = "";
            public string? Secret { get; set; }
        }
    }
}
