using FinanceSupermarket.Api.Infrastructure.Validation;
using System.Text.RegularExpressions;
using FluentValidation;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>A login is a mainland mobile number (11 digits, 1[3-9]…) or an e-mail address, kept in one normal form.</summary>
public static partial class Logins
{
    /// <summary>The stored form: e-mail lower-cased, a mobile number as its 11 digits (a leading +86 or 86 dropped).</summary>
    public static string Normalise(string login)
    {
        var trimmed = login.Trim();
        if (trimmed.Contains('@')) return trimmed.ToLowerInvariant();
        var digits = trimmed.Replace(" ", "").Replace("-", "");
        if (digits.StartsWith("+86", StringComparison.Ordinal)) digits = digits[3..];
        else if (digits.Length == 13 && digits.StartsWith("86", StringComparison.Ordinal)) digits = digits[2..];
        return digits;
    }

    public static bool IsValid(string? login) =>
        login is { Length: > 0 and <= 200 } && (Mobile().IsMatch(Normalise(login)) || Email().IsMatch(Normalise(login)));

    /// <summary>Sign-up's rule for a login; sign-in only asks for one (a wrong one is the same 401 as a wrong password).</summary>
    public static IRuleBuilderOptions<T, string> Login<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Must(IsValid).WithMessage(_ => RuleTexts.Say("Login"));

    [GeneratedRegex(@"^1[3-9]\d{9}$")]
    private static partial Regex Mobile();

    [GeneratedRegex(@"^[^@\s\p{C}]+@[^@\s\p{C}]+\.[^@\s\p{C}]+$")]
    private static partial Regex Email();
}
