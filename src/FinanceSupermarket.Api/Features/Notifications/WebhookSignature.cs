using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FinanceSupermarket.Api.Features.Notifications;

/// <summary>
/// The Standard Webhooks signature scheme (standard-webhooks/standard-webhooks, spec/standard-webhooks.md, v1.0.0): a
/// secret is "whsec_" and the base64 of a random key; a delivery carries webhook-id, webhook-timestamp (Unix seconds of
/// the attempt) and webhook-signature, a space-separated list of "v1,&lt;base64 HMAC-SHA256 of id.timestamp.body&gt;" —
/// one per secret that signs, so that a receiver rotating its secret accepts either.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    /// <summary>The spec's bounds on a symmetric key: 24 to 64 random bytes.</summary>
    private const int MinKeyBytes = 24, MaxKeyBytes = 64;

    /// <summary>A new secret: 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A secret as the spec makes them: whsec_ and the base64 of 24 to 64 bytes.</summary>
    public static bool IsWellFormed(string secret) => KeyOf(secret) is { Length: >= MinKeyBytes and <= MaxKeyBytes };

    /// <summary>
    /// A secret of the platform's first webhooks (any text, its UTF-8 bytes the HMAC key) written as a Standard Webhooks
    /// secret with the same key, so that a receiver keeps its secret when it moves to the new headers.
    /// </summary>
    public static string FromLegacy(string secret) => IsWellFormed(secret) ? secret : SecretPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));

    /// <summary>The HMAC key of a whsec_ secret; null when it is not one.</summary>
    public static byte[]? KeyOf(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal)) return null;
        var encoded = secret[SecretPrefix.Length..];
        var key = new byte[encoded.Length];
        return Convert.TryFromBase64String(encoded, key, out var length) && length > 0 ? key[..length] : null;
    }

    /// <summary>One signature: "v1," and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" under the secret's key.</summary>
    public static string Sign(string id, DateTimeOffset timestamp, string body, string secret) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret) ?? throw new ArgumentException("Not a whsec_ secret.", nameof(secret)),
            Encoding.UTF8.GetBytes($"{id}.{UnixSeconds(timestamp)}.{body}")));

    /// <summary>The webhook-signature header: a signature under each secret, space-separated.</summary>
    public static string Header(string id, DateTimeOffset timestamp, string body, IEnumerable<string> secrets) =>
        string.Join(' ', secrets.Select(secret => Sign(id, timestamp, body, secret)));

    /// <summary>The webhook-timestamp header: whole seconds since 1970-01-01T00:00:00Z.</summary>
    public static string UnixSeconds(DateTimeOffset timestamp) => timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
