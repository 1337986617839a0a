namespace FinanceSupermarket.Domain;

/// <summary>统一社会信用代码 (GB 32100-2015): 18 characters, the last one a check character.</summary>
public static class CreditCode
{
    // The standard's 31-character alphabet: digits and capitals without I, O, Z, S, V.
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    public static bool IsValid(string? code) =>
        code is { Length: 18 } && CheckCharacter(code.AsSpan(0, 17)) is { } check && code[17] == check;

    /// <summary>Completes 17 characters with their check character (demo data, tests).</summary>
    public static string WithCheckCharacter(string first17) =>
        first17.Length == 17 && CheckCharacter(first17) is { } check
            ? first17 + check
            : throw new ArgumentException("A credit code body is 17 characters of the standard's alphabet.", nameof(first17));

    private static char? CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(first17[i]);
            if (value < 0) return null;
            sum += value * Weights[i];
        }
        return Alphabet[(31 - sum % 31) % 31];
    }
}
