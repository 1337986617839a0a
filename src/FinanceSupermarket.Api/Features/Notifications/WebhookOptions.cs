namespace FinanceSupermarket.Api.Features.Notifications;

/// <summary>Webhook delivery's knobs, read from the "Workflow" configuration section where they have always been set.</summary>
public sealed class WebhookOptions
{
    /// <summary>Waits between webhook attempts; after the last one the delivery is marked failed.</summary>
    public int[] WebhookRetryDelaysSeconds { get; set; } = [5, 30, 120, 600, 3600];
}
