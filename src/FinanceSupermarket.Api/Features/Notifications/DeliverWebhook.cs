using System.Security.Cryptography;
using System.Text;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Jobs;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Operations;
using Mediator;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace FinanceSupermarket.Api.Features.Notifications;

/// <summary>
/// Posts one webhook delivery to the institution's system, signed by the Standard Webhooks scheme
/// (<see cref="WebhookSignature"/>) with the institution's secret, and with the secret it replaced while that still signs.
/// Only a 2xx answer delivers: a redirect is not followed (it is a failed attempt: the URL is to be updated), and the
/// address is checked again as the connection is made (<see cref="WebhookAddresses"/>). A failure is recorded and tried
/// again after the next configured delay — the schedule lives in the delivery's row, never in memory; after the last
/// the delivery is marked failed. A lease on the row keeps one attempt at a time.
/// A request, not a command: no transaction may span the HTTP post, so the lease and the attempt are separate statements.
/// </summary>
public sealed record DeliverWebhook(string DeliveryId) : IRequest<bool>
{
    /// <summary>The named HttpClient deliveries go through (NotificationsModule: no redirects, the checked connection, a timeout).</summary>
    public const string Client = "webhooks";

    public sealed class Handler(Db db, IHttpClientFactory http, TimeProvider clock, IOptions<WebhookOptions> options, JobQueue jobs,
        WebhookSecrets secrets, WebhookAddresses addresses, ILogger<DeliverWebhook> logger, PlatformMetrics metrics) : IRequestHandler<DeliverWebhook, bool>
    {
        private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

        private const string ClaimSql = """
            UPDATE webhook_deliveries SET next_attempt_at = @LeaseUntil
            WHERE id = @Id AND status = 'pending' AND next_attempt_at <= @Now
            """;
        private const string DeliverySql = """
            SELECT d.id, d.event, d.payload, d.attempts, i.webhook_url AS Url, i.webhook_signing_secret AS Secret,
                   i.webhook_previous_secret AS PreviousSecret, i.webhook_previous_secret_until AS PreviousSecretUntil
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
            string error;
            if (delivery.Url is null || delivery.Secret is null) error = "The institution has no webhook any more.";
            else if (addresses.ProblemWithForm(delivery.Url) is { } refused) error = refused;
            else
            {
                try
                {
                    using var message = Signed(delivery, delivery.Url, delivery.Secret, now);
                    // The answer's headers are enough: a receiver's body is not read, however long it is.
                    using var response = await http.CreateClient(Client).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                    statusCode = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        await connection.ExecuteAsync(DeliveredSql, new { delivery.Id, StatusCode = statusCode, Now = clock.GetUtcNow() });
                        return true;
                    }
                    error = statusCode is >= 300 and < 400
                        ? $"HTTP {statusCode} {response.ReasonPhrase}: redirects are not followed; set the webhook URL to where it leads ({response.Headers.Location})."
                        : $"HTTP {statusCode} {response.ReasonPhrase}";
                }
                catch (Exception failed) when (failed is HttpRequestException or TaskCanceledException or TimeoutRejectedException or IOException)
                {
                    error = Reason(failed);
                }
                catch (CryptographicException)
                {
                    error = "The signing secret cannot be read (its Data Protection key is gone): rotate the secret.";
                }
            }

            var delays = options.Value.RetryDelaysSeconds;
            var attempt = delivery.Attempts + 1;
            var retry = attempt <= delays.Count ? TimeSpan.FromSeconds(delays[attempt - 1]) : (TimeSpan?)null;
            await connection.ExecuteAsync(FailedAttemptSql, new
            {
                delivery.Id, Status = retry is null ? "failed" : "pending", StatusCode = statusCode,
                Error = error.Length > 1000 ? error[..1000] : error, NextAttemptAt = retry is { } wait ? clock.GetUtcNow() + wait : (DateTimeOffset?)null,
            });
            metrics.WebhookAttemptFailed(final: retry is null);
            logger.LogWarning("Webhook delivery {Delivery} attempt {Attempt} failed: {Error}; {Next}", delivery.Id, attempt, error,
                retry is null ? "giving up" : $"retrying in {retry}");
            if (retry is { } delay) jobs.Schedule<NotificationJobs>(job => job.DeliverWebhookAsync(delivery.Id), delay);
            return false;
        }

        /// <summary>
        /// The post: the payload as stored, webhook-id (the delivery's id, the same on every attempt: the receiver's
        /// idempotency key), webhook-timestamp (this attempt) and a signature under each secret that signs now.
        /// </summary>
        private HttpRequestMessage Signed(Delivery delivery, string url, string secret, DateTimeOffset now)
        {
            var signing = new List<string> { secrets.Unprotect(secret) };
            if (delivery.PreviousSecret is { } previous && delivery.PreviousSecretUntil > now) signing.Add(secrets.Unprotect(previous));
            var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json") };
            message.Headers.Add(WebhookSignature.IdHeader, delivery.Id);
            message.Headers.Add(WebhookSignature.TimestampHeader, WebhookSignature.UnixSeconds(now));
            message.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Header(delivery.Id, now, delivery.Payload, signing));
            return message;
        }

        /// <summary>What went wrong, in the words that help the institution: the refused address, the timeout, the network error.</summary>
        private string Reason(Exception failed)
        {
            for (var cause = failed; cause is not null; cause = cause.InnerException)
                if (cause is WebhookAddressRefusedException refused) return refused.Message;
            return failed is TimeoutRejectedException or TaskCanceledException
                ? $"No answer within {options.Value.Timeout.TotalSeconds:0} s."
                : failed.InnerException is { } inner ? $"{failed.Message} ({inner.Message})" : failed.Message;
        }

        private sealed class Delivery
        {
            public string Id { get; set; } = "";
            public string Event { get; set; } = "";
            public string Payload { get; set; } = "";
            public int Attempts { get; set; }
            public string? Url { get; set; }
            public string? Secret { get; set; }
            public string? PreviousSecret { get; set; }
            public DateTimeOffset? PreviousSecretUntil { get; set; }
        }
    }
}
