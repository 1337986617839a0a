using System.Net;
using Polly;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Notifications;

public static class NotificationsModule
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        // The retry delays have always been set in the "Workflow" section (Workflow:WebhookRetryDelaysSeconds); the rest is "Webhooks".
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection("Workflow")).Bind(configuration.GetSection("Webhooks"))
            .Validate(options => (options.AllowedPrivateNetworks ?? []).All(network => IPNetwork.TryParse(network, out _)),
                "Webhooks:AllowedPrivateNetworks must list networks in CIDR form, such as 10.20.0.0/16.")
            .Validate(options => options.Timeout > TimeSpan.Zero && options.SecretOverlap >= TimeSpan.Zero, "Webhooks:Timeout must be positive, Webhooks:SecretOverlap not negative.")
            .ValidateOnStart();
        services.AddScoped<Notifier>();
        services.AddScoped<INotificationChannel, DatabaseNotificationChannel>();
        services.AddScoped<INotificationChannel, WebhookNotificationChannel>();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookAddresses>();
        services.AddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        // Deliveries: no redirects followed (a 3xx is a failed attempt), no proxy (the connection step must see the real
        // destination), connections made only to addresses checked as they are made, pooled for a minute at most so that
        // a re-pointed name is looked up and checked again soon. One attempt per call, bounded by a timeout: retrying is
        // the delivery row's schedule (DeliverWebhook), so that every attempt is recorded.
        services.AddHttpClient(DeliverWebhook.Client, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(1),
                ConnectCallback = provider.GetRequiredService<WebhookAddresses>().ConnectAsync,
            })
            .AddResilienceHandler("webhook-attempt", (pipeline, context) =>
                pipeline.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value.Timeout));
        return services;
    }

    /// <summary>Protects webhook secrets stored in plaintext by earlier versions, before the first request (the key ring is ready: UseAccounts).</summary>
    public static async Task UseNotificationsAsync(this WebApplication app) =>
        await app.Services.GetRequiredService<WebhookSecrets>().ProtectStoredPlaintextAsync();
}
