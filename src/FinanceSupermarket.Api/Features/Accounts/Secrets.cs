using System.Security.Cryptography;
using System.Text;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// Random secrets handed out once (refresh tokens, client secrets, invitation, reset and recovery codes) and their stored
/// form: a SHA-256 hash, which is enough for values with this much entropy and lets a token be looked up by its hash.
/// </summary>
public static class Secrets
{
    // No 0/o, 1/l/i: codes people read aloud or copy by hand.
    private const string CodeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    /// <summary>A 256-bit random token, URL-safe.</summary>
    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A short code people type: digits only, e.g. a password reset code sent by SMS.</summary>
    public static string NewDigits(int length) => RandomNumberGenerator.GetString("0123456789", length);

    /// <summary>A code of letters and digits that cannot be mistaken for each other.</summary>
    public static string NewCode(int length) => RandomNumberGenerator.GetString(CodeAlphabet, length);

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
