using FinanceSupermarket.Domain;
using Microsoft.Extensions.Localization;

namespace FinanceSupermarket.Api.Portal.Shared;

/// <summary>
/// The domain's words in the page's language: an enum value's text is the resource <c>Enum.&lt;Type&gt;.&lt;text&gt;</c>, the
/// type's name and the value's one text form (<see cref="EnumText"/>: "Enum.ProductKind.credit_loan").
/// </summary>
public static class EnumWords
{
    public static string Key<T>(T value) where T : struct, Enum => $"Enum.{typeof(T).Name}.{EnumText.ToText(value)}";

    public static string Of<T>(this IStringLocalizer<Text> text, T value) where T : struct, Enum => text[Key(value)];

    /// <summary>Several values as one phrase ("信用、质押" / "Credit, Pledge").</summary>
    public static string List<T>(this IStringLocalizer<Text> text, IEnumerable<T> values) where T : struct, Enum =>
        string.Join(text["List.Separator"], values.Select(value => text.Of(value)));
}
