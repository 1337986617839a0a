using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>An institution's own system on loopback: records every webhook post; can be told to fail the first ones.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Event, string Delivery, string Signature, string Body);

    private readonly WebApplication _app;
    private int _failuresLeft;

    public ConcurrentQueue<Received> Deliveries { get; } = new();
    public int Attempts;

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hooks";

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app) { _failuresLeft = failFirst };
        app.MapPost("/hooks", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref receiver.Attempts);
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0) return Results.StatusCode(503);
            using var reader = new StreamReader(request.Body);
            receiver.Deliveries.Enqueue(new Received(request.Headers["X-FinanceSupermarket-Event"].ToString(),
                request.Headers["X-FinanceSupermarket-Delivery"].ToString(), request.Headers["X-FinanceSupermarket-Signature"].ToString(),
                await reader.ReadToEndAsync()));
            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
