using FinanceSupermarket.Api.Infrastructure.Validation;
using System.Reflection;
using FluentValidation;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// The minimum password policy, in the spirit of 等保 2.0 (GB/T 22239-2019, 身份鉴别: 口令具有复杂度要求): at least ten
/// characters, not the login, not a commonly used password (Data/common-passwords.txt, from a published list).
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 10;

    private static readonly Lazy<HashSet<string>> Common = new(LoadCommon);

    public static IRuleBuilderOptions<T, string> Password<T>(this IRuleBuilder<T, string> rule, Func<T, string?> login) =>
        rule.NotEmpty().WithMessage(_ => RuleTexts.Say("PasswordEmpty", MinimumLength))
            .MinimumLength(MinimumLength).WithMessage(_ => RuleTexts.Say("PasswordShort", MinimumLength))
            .MaximumLength(200)
            .Must((message, password) => password is null || login(message) is not { } l || !string.Equals(Logins.Normalise(l), password.Trim(), StringComparison.OrdinalIgnoreCase))
            .WithMessage(_ => RuleTexts.Say("PasswordIsLogin"))
            .Must(password => password is null || !IsCommon(password)).WithMessage(_ => RuleTexts.Say("PasswordCommon"));

    public static bool IsCommon(string password) => Common.Value.Contains(password);

    private static HashSet<string> LoadCommon()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("FinanceSupermarket.Api.Features.Accounts.Data.common-passwords.txt")
                           ?? throw new InvalidOperationException("The common-password list is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        var passwords = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && !line.StartsWith('#')) passwords.Add(line);
        return passwords;
    }
}
