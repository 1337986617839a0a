using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;

namespace FinanceSupermarket.Api.Features.Audit;

/// <summary>
/// The key that signs the audit trail's checkpoints (HMAC-SHA256). It is held outside the database — configured, like the
/// token signing key — because a checkpoint must prove the chain to someone who does not trust the database: a key kept in
/// it (as Data Protection's key ring is) would let whoever rewrites the chain sign a matching checkpoint too.
/// </summary>
public sealed class CheckpointKey
{
    private const string DerivationLabel = "finance-supermarket audit checkpoint";
    private readonly byte[] _key;

    private CheckpointKey(byte[] key)
    {
        _key = key;
        Id = Convert.ToHexStringLower(SHA256.HashData(key))[..16];
    }

    /// <summary>
    /// Audit:CheckpointKey as UTF-8 bytes; without it, a key derived from Auth:SigningKey by HKDF-SHA256 (RFC 5869), so that
    /// a deployment that sets only the token key still signs with a secret of its own. A key of its own survives a
    /// rotation of the token key; the CLI's verify-audit needs whichever the API uses.
    /// </summary>
    public static CheckpointKey From(IConfiguration configuration, AuthOptions auth)
    {
        var configured = configuration[$"{Section}:{nameof(CheckpointKey)}"];
        if (string.IsNullOrEmpty(configured))
            return new CheckpointKey(HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(auth.SigningKey), 32, [], Encoding.UTF8.GetBytes(DerivationLabel)));
        if (configured.Length < 32) throw new InvalidOperationException($"{Section}:{nameof(CheckpointKey)} must be at least 32 characters.");
        return new CheckpointKey(Encoding.UTF8.GetBytes(configured));
    }

    public const string Section = "Audit";

    /// <summary>Names the key without revealing it (the first 16 hex digits of its SHA-256), so that a verifier knows which key signed.</summary>
    public string Id { get; }

    /// <summary>
    /// Lower-case hex HMAC-SHA256 of "finance-supermarket audit checkpoint v1\n&lt;seq&gt;\n&lt;hash&gt;\n&lt;at&gt;" (UTF-8; at as
    /// <see cref="AuditTrail.TimeFormat"/>), which README shows how to recompute with openssl.
    /// </summary>
    public string Sign(long seq, string hash, DateTimeOffset at) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key,
            Encoding.UTF8.GetBytes($"{DerivationLabel} v1\n{seq.ToString(CultureInfo.InvariantCulture)}\n{hash}\n{AuditTrail.Time(at)}")));

    public bool Verifies(AuditCheckpoint checkpoint) =>
        checkpoint.KeyId == Id && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Sign(checkpoint.Seq, checkpoint.Hash, checkpoint.At)), Encoding.ASCII.GetBytes(checkpoint.Signature));
}
