using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using FluentValidation;
using FluentValidation.Results;

namespace FinanceSupermarket.Api.Infrastructure.Validation;

/// <summary>
/// Free text that may run over several lines (a description, a reason, a comment): line breaks and tabs are kept, and so
/// are bidirectional controls, which right-to-left scripts (Uyghur, Arabic) may need in running text.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MultiLineAttribute : Attribute;

/// <summary>A secret the platform only hashes or signs with (a password, a webhook secret): spaces around it are part of it.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

/// <summary>The name a client knows a value by where it is not the property's: a header ("Idempotency-Key"), a form field ("client_id").</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class FieldAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// The platform's one rule for the characters of text, whatever field it is in. Every text:
/// <list type="bullet">
/// <item>holds no control characters (Unicode category Cc: NUL, the other C0 and C1 controls, DEL) — PostgreSQL cannot
/// store NUL in text at all, and the others are never typed; multi-line text keeps line feed, carriage return and tab;</item>
/// <item>is well-formed UTF-16 (no lone surrogate, which no database encoding can store);</item>
/// <item>when given, has something visible in it: not only spaces or invisible characters (U+200B, U+3000, U+FEFF …);</item>
/// </list>
/// and a single-line text (a name, a code, an id, a login: every text not marked otherwise) also neither begins nor ends
/// with a space, line break or invisible character ("330421\n", " 嘉善银行"), holds no line or paragraph separator, and no
/// bidirectional embedding, override or isolate character, with which a name can be made to read as another one in a
/// list (Unicode Technical Standard #55, "Trojan Source", CVE-2021-42574). A secret keeps its spaces.
/// </summary>
public static class CleanText
{
    public enum Kind { SingleLine, MultiLine, Secret }

    /// <summary>What is wrong with the text, or null when it is clean.</summary>
    public static string? Problem(string text, Kind kind)
    {
        if (text.Length == 0) return null;   // whether a field may be empty is its own rule
        var visible = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (!Rune.TryGetRuneAt(text, i, out var rune)) return "Must be well-formed Unicode text (no lone surrogate).";
            if (!rune.IsBmp) i++;
            if (Rune.IsControl(rune) && !(kind == Kind.MultiLine && rune.Value is '\n' or '\r' or '\t'))
                return kind == Kind.MultiLine
                    ? "Must not contain control characters (such as NUL) other than line breaks and tabs."
                    : "Must not contain control characters (such as NUL, a tab or a line break).";
            if (kind == Kind.SingleLine && IsLineSeparator(rune)) return "Must be a single line.";
            if (kind == Kind.SingleLine && IsBidiControl(rune)) return "Must not contain bidirectional embedding, override or isolate characters.";
            visible |= !IsInvisible(rune);
        }
        if (!visible) return "Must contain visible characters, not only spaces or invisible ones.";
        if (kind == Kind.SingleLine && (IsBlank(Rune.GetRuneAt(text, 0)) || IsBlank(LastRune(text))))
            return "Must not begin or end with a space, a line break or an invisible character.";
        return null;
    }

    private static Rune LastRune(string text) =>
        Rune.DecodeLastFromUtf16(text, out var rune, out _) == System.Buffers.OperationStatus.Done ? rune : Rune.ReplacementChar;

    /// <summary>Nothing to see on its own: blank, a combining mark with nothing to combine with, an unassigned code point.</summary>
    private static bool IsInvisible(Rune rune) =>
        IsBlank(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.OtherNotAssigned;

    /// <summary>
    /// White space, controls, format characters (zero-width spaces and joiners, U+FEFF, bidirectional marks), and the
    /// Hangul fillers and the blank Braille pattern, letters and symbols that show nothing (Unicode's
    /// Default_Ignorable_Code_Point lists the fillers U+115F, U+1160, U+3164, U+FFA0). Not the tag characters
    /// (U+E0020–U+E007F), which end the flag emoji of England, Scotland and Wales.
    /// </summary>
    private static bool IsBlank(Rune rune) =>
        Rune.IsWhiteSpace(rune) || rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800
        || (rune.Value is < 0xE0020 or > 0xE007F && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format);

    private static bool IsLineSeparator(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>LRE, RLE, PDF, LRO, RLO (U+202A–U+202E) and LRI, RLI, FSI, PDI (U+2066–U+2069): the Unicode Bidirectional Algorithm's explicit formatting characters.</summary>
    private static bool IsBidiControl(Rune rune) => rune.Value is >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069;
}

/// <summary>
/// Applies <see cref="CleanText"/> to every text of every message, so that no field can be forgotten: each string
/// property, each string of a list, and those of nested records. A property named Body is the request's JSON body, whose
/// fields are top-level fields to the client (no "body." prefix), as the messages' own validators name them.
/// </summary>
public sealed class CleanTextValidator<T> : AbstractValidator<T>
{
    /// <summary>How to read the strings of a property (one, or each of a list: "[0]", "[1]" …) and which kind of text they are.</summary>
    private sealed record Text(Func<object, IEnumerable<(string Suffix, string? Value)>> Values, CleanText.Kind Kind);

    private static readonly ConcurrentDictionary<Type, IReadOnlyList<(PropertyInfo Property, string Field, Text? Text, bool Nested)>> Shapes = new();

    public CleanTextValidator() => RuleFor(message => message).Custom((message, context) =>
    {
        if (message is not null) Check(message, "", context, depth: 0);
    });

    private static void Check(object target, string prefix, ValidationContext<T> context, int depth)
    {
        foreach (var (property, field, text, nested) in ShapeOf(target.GetType()))
        {
            var value = property.GetValue(target);
            if (value is null) continue;
            if (text is not null)
            {
                foreach (var (suffix, item) in text.Values(value))
                    if (item is not null && CleanText.Problem(item, text.Kind) is { } problem)
                        context.AddFailure(new ValidationFailure(prefix + field + suffix, problem) { AttemptedValue = item });
            }
            else if (nested && depth < 4)
            {
                Check(value, field.Length == 0 ? prefix : prefix + field + ".", context, depth + 1);
            }
        }
    }

    private static IReadOnlyList<(PropertyInfo, string, Text?, bool)> ShapeOf(Type type) => Shapes.GetOrAdd(type, static type =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.CanRead && property.GetIndexParameters().Length == 0)
            .Select(property =>
            {
                var field = property.GetCustomAttribute<FieldAttribute>()?.Name ?? (property.Name == "Body" ? "" : property.Name);
                var kind = property.IsDefined(typeof(MultiLineAttribute)) ? CleanText.Kind.MultiLine
                    : property.IsDefined(typeof(SecretAttribute)) ? CleanText.Kind.Secret : CleanText.Kind.SingleLine;
                Text? text = property.PropertyType == typeof(string)
                    ? new Text(value => [("", (string)value)], kind)
                    : typeof(IEnumerable<string>).IsAssignableFrom(property.PropertyType)
                        ? new Text(value => ((IEnumerable<string?>)value).Select((item, index) => ($"[{index}]", item)), kind)
                        : null;
                // Records of the platform's own (a body, a demo account) are walked into; framework and domain values are not text.
                var nested = text is null && property.PropertyType.IsClass
                             && property.PropertyType.Namespace?.StartsWith("FinanceSupermarket.Api", StringComparison.Ordinal) == true;
                return (property, field, text, nested);
            })
            .Where(shape => shape.text is not null || shape.nested)
            .ToArray());
}
