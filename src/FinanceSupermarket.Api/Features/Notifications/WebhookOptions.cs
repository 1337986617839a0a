namespace FinanceSupermarket.Api.Features.Notifications;

/// <summary>
/// Webhook delivery's knobs: the retry delays from the "Workflow" section, where they have always been set, the rest from
/// the "Webhooks" section.
/// </summary>
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

    /// <summary>
    /// Webhooks:RequireHttps — a webhook URL must be https. Unset: required everywhere but in the Development environment,
    /// where a receiver on a developer's machine may be plain http.
    /// </summary>
    public bool? RequireHttps { get; set; }

    /// <summary>
    /// Webhooks:AllowedPrivateNetworks — networks (CIDR, "10.20.0.0/16") a webhook may reach although they are private,
    /// loopback or link-local: an institution's system inside a government cloud's own network. None by default; the
    /// cloud metadata addresses stay refused whatever is listed.
    /// </summary>
    public string[]? AllowedPrivateNetworks { get; set; }

    /// <summary>Webhooks:Timeout — how long one attempt may take, connecting included (Standard Webhooks suggests 15–30 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Webhooks:SecretOverlap — how long a replaced signing secret still signs, beside the new one.</summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>Where a webhook delivery stands: waiting for its (next) attempt, delivered (a 2xx), or failed after its last attempt.</summary>
public enum WebhookDeliveryStatus { Pending, Delivered, Failed }
