using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using FluentValidation;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>
/// An institution's webhook as it is stored: its URL, its signing secret (protected: <see cref="WebhookSecrets"/>) and
/// the secret that one replaced, which signs beside it until the overlap ends (Webhooks:SecretOverlap), so that the
/// institution's system can switch without losing a delivery. The institution manages it itself; admins too.
/// </summary>
internal static class InstitutionWebhook
{
    /// <summary>The webhook columns of an institution, as <see cref="Stored"/> reads them.</summary>
    public const string StoredSql = """
        SELECT webhook_url AS Url, webhook_signing_secret AS Secret, webhook_previous_secret_until AS PreviousSecretUntil
        FROM institutions WHERE id = @Id
        """;
    private const string SetUrlSql = "UPDATE institutions SET webhook_url = @Url WHERE id = @Id";
    private const string ReplaceSecretSql = """
        UPDATE institutions SET webhook_previous_secret = webhook_signing_secret,
            webhook_previous_secret_until = CASE WHEN webhook_signing_secret IS NULL THEN NULL ELSE @Until END, webhook_signing_secret = @Secret
        WHERE id = @Id
        """;
    private const string RemoveSql = """
        UPDATE institutions SET webhook_url = NULL, webhook_signing_secret = NULL, webhook_previous_secret = NULL, webhook_previous_secret_until = NULL
        WHERE id = @Id
        """;

    /// <summary>The roles that may ask: an institution (its own only, checked by <see cref="RequireOwnOrAdmin"/>) and admins.</summary>
    public static RouteHandlerBuilder ForTheInstitutionOrAdmins(this RouteHandlerBuilder endpoint) =>
        endpoint.RequireAuthorization(policy => policy.RequireRole(EnumText.ToText(Role.Institution), EnumText.ToText(Role.Admin)));

    /// <summary>Another institution's webhook does not exist for the caller (404), as any of its records.</summary>
    public static void RequireOwnOrAdmin(this CurrentUser user, string institutionId)
    {
        if (!user.Is(Role.Admin) && !(user.Is(Role.Institution) && user.InstitutionId == institutionId)) throw new NotFoundException("The institution");
    }

    /// <summary>The webhook as stored; 404 for an unknown institution.</summary>
    public static async Task<Stored> ReadAsync(UnitOfWork unit, string institutionId) =>
        await unit.QuerySingleOrDefaultAsync<Stored>(StoredSql, new { Id = institutionId }) ?? throw new NotFoundException("The institution");

    public static Task SetUrlAsync(UnitOfWork unit, string institutionId, string url) => unit.ExecuteAsync(SetUrlSql, new { Id = institutionId, Url = url });

    /// <summary>Signs with <paramref name="secret"/> from now on; the secret it replaces signs beside it until <paramref name="until"/>.</summary>
    public static Task ReplaceSecretAsync(UnitOfWork unit, WebhookSecrets secrets, string institutionId, string secret, DateTimeOffset until) =>
        unit.ExecuteAsync(ReplaceSecretSql, new { Id = institutionId, Secret = secrets.Protect(secret), Until = until });

    /// <summary>No webhook: the URL and every secret go.</summary>
    public static Task RemoveAsync(UnitOfWork unit, string institutionId) => unit.ExecuteAsync(RemoveSql, new { Id = institutionId });

    /// <summary>A webhook URL the platform may post to (400 naming the field otherwise): https, and not into a private network.</summary>
    public static IRuleBuilderOptionsConditions<T, string?> WebhookUrl<T>(this IRuleBuilder<T, string?> rule, WebhookAddresses addresses) =>
        rule.CustomAsync(async (url, context, cancellationToken) =>
        {
            if (url is not null && await addresses.ProblemAsync(url, cancellationToken) is { } problem) context.AddFailure(problem);
        });

    /// <summary>A signing secret an admin gives: a Standard Webhooks secret.</summary>
    public static IRuleBuilderOptions<T, string?> WebhookSecret<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(secret => string.IsNullOrEmpty(secret) || WebhookSignature.IsWellFormed(secret))
            .WithMessage("Must be a Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes. Or leave it out: the institution " +
                         "can make one itself (POST /api/v1/institutions/{id}/webhook/secret).");

    /// <summary>An institution's webhook columns as stored.</summary>
    public sealed class Stored
    {
        public string? Url { get; set; }
        public string? Secret { get; set; }
        public DateTimeOffset? PreviousSecretUntil { get; set; }
    }
}
