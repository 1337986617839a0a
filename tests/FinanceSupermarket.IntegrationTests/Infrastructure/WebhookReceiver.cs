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

        /// <summary>The signatures of the webhook-signature header ("v1,…" each).</summary>
        public string[] Signatures => Signature.Split(' ');

        /// <summary>
        /// Whether a signature verifies under the secret, by the README's C# sample (not the platform's code), as the
        /// receiver would have checked it when it arrived (the platform's clock is the tests' own).
        /// </summary>
        public bool VerifiesWith(string secret) =>
            Verify(secret, Id, Timestamp, Signature, Encoding.UTF8.GetBytes(Body), DateTimeOffset.FromUnixTimeSeconds(long.Parse(Timestamp)));

        // README.md, "Webhooks", verbatim.
        static bool Verify(string secret, string id, string timestamp, string signatures, byte[] body, DateTimeOffset now)
        {
            if (!long.TryParse(timestamp, out var seconds) || Math.Abs(now.ToUnixTimeSeconds() - seconds) > 300) return false;
            var key = Convert.FromBase64String(secret["whsec_".Length..]);
            var expected = Encoding.ASCII.GetBytes("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray())));
            return signatures.Split(' ').Any(signature => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), expected));
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
