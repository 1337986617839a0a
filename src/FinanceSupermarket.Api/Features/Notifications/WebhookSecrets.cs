using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using Microsoft.AspNetCore.DataProtection;

namespace FinanceSupermarket.Api.Features.Notifications;

/// <summary>
/// Webhook signing secrets as stored: protected with ASP.NET Core Data Protection, whose key ring every node shares
/// (in the database; beside the file on SQLite), so the database alone does not give them away. The platform must sign
/// with them, so they are encrypted, not hashed; no endpoint ever answers with one, except a new one once, when it is made.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider protection, Db db, ILogger<WebhookSecrets> logger)
{
    private readonly IDataProtector _protector = protection.CreateProtector("FinanceSupermarket.Webhooks.SigningSecret.v1");

    private const string PlaintextSql = "SELECT id, webhook_secret AS Secret FROM institutions WHERE webhook_secret IS NOT NULL";
    private const string ProtectSql = """
        UPDATE institutions SET webhook_signing_secret = @Protected, webhook_secret = NULL WHERE id = @Id AND webhook_secret = @Plaintext
        """;

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string stored) => _protector.Unprotect(stored);

    /// <summary>
    /// Protects the plaintext secrets that webhooks were registered with before secrets were encrypted (column
    /// webhook_secret, database/common/0011), as their Standard Webhooks form with the same key, and empties the column.
    /// Run at start-up, before requests; a second node doing the same at once changes nothing more (the UPDATE names the
    /// plaintext it replaces).
    /// </summary>
    public async Task ProtectStoredPlaintextAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var plaintext = (await connection.QueryAsync<Plaintext>(PlaintextSql)).ToArray();
        foreach (var (id, secret) in plaintext)
            await connection.ExecuteAsync(ProtectSql, new { Id = id, Protected = Protect(WebhookSignature.FromLegacy(secret)), Plaintext = secret });
        if (plaintext.Length > 0) logger.LogInformation("Protected the plaintext webhook secrets of {Count} institutions", plaintext.Length);
    }

    private sealed record Plaintext(string Id, string Secret);
}
