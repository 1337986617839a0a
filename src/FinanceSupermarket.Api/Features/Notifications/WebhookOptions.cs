namespace FinanceSupermarket.Api.Features.Notifications;

/// <summary>Webhook delivery's knobs, read from the "Workflow" configuration section where they have always been set.</summary>
public sealed class WebhookOptions
{
    private static readonly int[] DefaultRetryDelaysSeconds = [5, 30, 120, 600, 3600];

    /// <summary>
    /// Waits between webhook attempts, as configured. No default here: the configuration binder appends a configured array
    /// to a non-empty default instead of replacing it (which once made ten retries of five).
    /// </summary>
    public int[]? WebhookRetryDelaysSeconds { get; set; }

    /// <summary>The waits between attempts; after the last one the delivery is marked failed.</summary>
    public IReadOnlyList<int> RetryDelaysSeconds => WebhookRetryDelaysSeconds ?? DefaultRetryDelaysSeconds;
}
