using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Microsoft.AspNetCore.DataProtection;
using OtpNet;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// The TOTP second factor (RFC 6238: 30-second steps, 6 digits, SHA-1, as authenticator apps expect) and its recovery
/// codes. The secret is kept protected by Data Protection; a code is good once (the last accepted step is stored), with
/// one step of clock drift allowed; a recovery code is good once.
/// </summary>
public sealed class MfaCodes(UnitOfWork unit, IDataProtectionProvider protection)
{
    public const string Issuer = "金融超市";
    private const string Purpose = "FinanceSupermarket.Accounts.Totp";
    private const int RecoveryCodeCount = 10;

    private const string AcceptStepSql = "UPDATE people SET mfa_last_step = @Step WHERE id = @Id AND (mfa_last_step IS NULL OR mfa_last_step < @Step)";
    private const string UseRecoveryCodeSql = "UPDATE recovery_codes SET used_at = @Now WHERE person_id = @Id AND code_hash = @Hash AND used_at IS NULL";
    private const string DeleteRecoveryCodesSql = "DELETE FROM recovery_codes WHERE person_id = @Id";
    private const string InsertRecoveryCodeSql = "INSERT INTO recovery_codes (person_id, code_hash) VALUES (@Id, @Hash)";

    private IDataProtector Protector => protection.CreateProtector(Purpose);

    /// <summary>A new secret: what the person enters in the app (Base32), and its protected form to store.</summary>
    public (string Base32, string Protected) NewSecret()
    {
        var base32 = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));
        return (base32, Protect(base32));
    }

    /// <summary>The stored form of a Base32 secret.</summary>
    public string Protect(string base32) => Protector.Protect(base32);

    public static string OtpAuthUri(string login, string base32) =>
        $"otpauth://totp/{Uri.EscapeDataString($"{Issuer}:{login}")}?secret={base32}&issuer={Uri.EscapeDataString(Issuer)}&algorithm=SHA1&digits=6&period=30";

    /// <summary>True, once, for a current code of the person's secret, or for one of their unused recovery codes.</summary>
    public async Task<bool> AcceptAsync(Person person, string code, DateTimeOffset now)
    {
        if (person.MfaSecret is null) return false;
        code = code.Trim();
        if (code.Length == 6 && code.All(char.IsAsciiDigit))
        {
            var totp = new Totp(Base32Encoding.ToBytes(Protector.Unprotect(person.MfaSecret)));
            return totp.VerifyTotp(now.UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 1))
                   && await unit.ExecuteAsync(AcceptStepSql, new { person.Id, Step = step }) == 1;
        }
        return await unit.ExecuteAsync(UseRecoveryCodeSql, new { person.Id, Hash = Secrets.Hash(NormaliseRecoveryCode(code)), Now = now }) == 1;
    }

    /// <summary>New recovery codes for the person (the old ones stop working); shown once, stored as hashes.</summary>
    public async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(string personId)
    {
        await ForgetRecoveryCodesAsync(personId);
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => Secrets.NewCode(10)).Select(c => $"{c[..5]}-{c[5..]}").ToArray();
        foreach (var code in codes) await unit.ExecuteAsync(InsertRecoveryCodeSql, new { Id = personId, Hash = Secrets.Hash(NormaliseRecoveryCode(code)) });
        return codes;
    }

    /// <summary>The person's recovery codes stop working (their second factor was reset).</summary>
    public Task ForgetRecoveryCodesAsync(string personId) => unit.ExecuteAsync(DeleteRecoveryCodesSql, new { Id = personId });

    private static string NormaliseRecoveryCode(string code) => code.Replace("-", "").Replace(" ", "").ToLowerInvariant();
}
