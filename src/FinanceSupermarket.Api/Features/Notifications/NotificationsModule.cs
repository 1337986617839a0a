namespace FinanceSupermarket.Api.Features.Notifications;

public static class NotificationsModule
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        // The retry delays have always been set in the "Workflow" section (Workflow:WebhookRetryDelaysSeconds).
        services.Configure<WebhookOptions>(configuration.GetSection("Workflow"));
        services.AddScoped<Notifier>();
        services.AddScoped<INotificationChannel, DatabaseNotificationChannel>();
        services.AddScoped<INotificationChannel, WebhookNotificationChannel>();
        services.AddHttpClient(nameof(DeliverWebhook), client => client.Timeout = TimeSpan.FromSeconds(10));
        return services;
    }
}
