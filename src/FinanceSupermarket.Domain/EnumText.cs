using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FinanceSupermarket.Domain;

/// <summary>
/// The one text form of every vocabulary enum: snake_case, or the name given by
/// <see cref="JsonStringEnumMemberNameAttribute"/>. JSON, SQL columns and query strings all use it.
/// </summary>
public static class EnumText
{
    private static readonly ConcurrentDictionary<Type, (Dictionary<string, object> ByText, Dictionary<object, string> ByValue)> Maps = new();

    public static string ToText<T>(T value) where T : struct, Enum => Map(typeof(T)).ByValue[value];

    public static T Parse<T>(string text) where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new FormatException($"'{text}' is not a known {typeof(T).Name}.");

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        if (text is not null && Map(typeof(T)).ByText.TryGetValue(text, out var found))
        {
            value = (T)found;
            return true;
        }
        value = default;
        return false;
    }

    public static IEnumerable<string> AllTexts<T>() where T : struct, Enum => Enum.GetValues<T>().Select(ToText);

    /// <summary>The text forms of an enum known only at run time (the API's document lists them), in declaration order.</summary>
    public static IEnumerable<string> AllTexts(Type enumType) => Map(enumType).ByValue.Values;

    /// <summary>A set of enum values as one comma-separated column value ("credit,pledge").</summary>
    public static string Join<T>(IEnumerable<T> values) where T : struct, Enum => string.Join(',', values.Distinct().Select(ToText));

    public static IReadOnlyList<T> Split<T>(string? joined) where T : struct, Enum =>
        string.IsNullOrEmpty(joined) ? [] : joined.Split(',').Select(Parse<T>).ToArray();

    private static (Dictionary<string, object> ByText, Dictionary<object, string> ByValue) Map(Type type) =>
        Maps.GetOrAdd(type, static t =>
        {
            var byText = new Dictionary<string, object>(StringComparer.Ordinal);
            var byValue = new Dictionary<object, string>();
            foreach (var field in t.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var text = field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                           ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(field.Name);
                var value = field.GetValue(null)!;
                byText[text] = value;
                byValue[value] = text;
            }
            return (byText, byValue);
        });
}
