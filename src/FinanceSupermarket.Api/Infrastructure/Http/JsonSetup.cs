using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FinanceSupermarket.Api.Infrastructure.Http;

public static class JsonSetup
{
    /// <summary>camelCase fields, snake_case enum words (numbers refused), strict numbers, each field at most once.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        // {"amount": 1, "amount": 1e9}: which one counts would be the parser's choice, and a proxy's may differ from ours (RFC 8259 §4).
        options.AllowDuplicateProperties = false;
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new StrictEnumConverterFactory());
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // Chinese names and reasons as readable text, not \u escapes.
        options.Encoder = JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
    }
}

/// <summary>
/// Enums travel as their one text form (<see cref="FinanceSupermarket.Domain.EnumText"/>: "working_capital", "A"), exactly:
/// the framework's converter would also take member names in any case ("WorkingCapital") and numbers.
/// </summary>
public sealed class StrictEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(StrictEnumConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class StrictEnumConverter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && FinanceSupermarket.Domain.EnumText.TryParse<T>(reader.GetString(), out var value)
                ? value
                : throw new JsonException($"Must be one of {string.Join(", ", FinanceSupermarket.Domain.EnumText.AllTexts<T>())}.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(FinanceSupermarket.Domain.EnumText.ToText(value));
    }
}
