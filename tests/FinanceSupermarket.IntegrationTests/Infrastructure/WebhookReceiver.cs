using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>
/// An institution's own system on loopback: records every webhook post with its Standard Webhooks headers; can be told to
/// fail the first ones, to answer with a redirect, or to hold each post without answering.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Id, string Timestamp, string Signature, string Body)
    {
        public string Event => (string)JsonNode.Parse(Body)!["event"]!;

        /// <summary>The v1 signatures of the webhook-signature header, each without its "v1,".</summary>
        public string[] Signatures => [.. Signature.Split(' ').Select(signature => signature.StartsWith("v1,", StringComparison.Ordinal) ? signature[3..] : "")];

        /// <summary>
        /// Whether a signature verifies under the secret, computed here as a receiver would from the Standard Webhooks
        /// spec (not with the platform's code): base64 of HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}",
        /// keyed with the base64-decoded part of the whsec_ secret, compared in constant time.
        /// </summary>
        public bool VerifiesWith(string secret)
        {
            var key = Convert.FromBase64String(secret["whsec_".Length..]);
            var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{Id}.{Timestamp}.{Body}"));
            return Signatures.Any(signature => CryptographicOperations.FixedTimeEquals(expected, FromBase64(signature)));
        }

        private static byte[] FromBase64(string text)
        {
            var bytes = new byte[text.Length];
            return Convert.TryFromBase64String(text, bytes, out var length) ? bytes[..length] : [];
        }
    }

    private readonly WebApplication _app;
    private int _failuresLeft;

    public ConcurrentQueue<Received> Deliveries { get; } = new();
    public int Attempts;

    /// <summary>Completes when a post arrives (for a receiver that holds its posts).</summary>
    public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hooks";

    /// <param name="failFirst">Answer 503 to this many posts first.</param>
    /// <param name="redirectTo">Answer every post with 302 to this address (and record nothing).</param>
    /// <param name="hold">Hold every post without answering until the caller gives up.</param>
    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0, string? redirectTo = null, bool hold = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app) { _failuresLeft = failFirst };
        app.MapPost("/hooks", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref receiver.Attempts);
            receiver.Arrived.TrySetResult();
            if (redirectTo is not null) return Results.Redirect(redirectTo);
            if (hold) await Task.Delay(Timeout.Infinite, request.HttpContext.RequestAborted);
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0) return Results.StatusCode(503);
            using var reader = new StreamReader(request.Body);
            receiver.Deliveries.Enqueue(new Received(request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
                request.Headers["webhook-signature"].ToString(), await reader.ReadToEndAsync()));
            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
