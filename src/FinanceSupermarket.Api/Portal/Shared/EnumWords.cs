using FinanceSupermarket.Domain;
using Microsoft.Extensions.Localization;

namespace FinanceSupermarket.Api.Portal.Shared;

public static class EnumWords
{
    /// <summary>An enum value in words of the current language: the text "Enum.{Type}.{value}" (Enum.GuaranteeMode.credit).</summary>
    public static string Of<TEnum>(this IStringLocalizer<Text> text, TEnum value) where TEnum : struct, Enum =>
        text[$"Enum.{typeof(TEnum).Name}.{EnumText.ToText(value)}"];
}
