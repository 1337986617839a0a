using System.Globalization;
using System.Resources;

namespace FinanceSupermarket.Api.Infrastructure.Validation;

/// <summary>
/// The rules' own messages in the reader's language, chosen when a message is made: English for the API (RuleTexts.resx),
/// Chinese on the portal's pages, whose requests run in zh-CN (RuleTexts.zh-CN.resx).
/// </summary>
public static class RuleTexts
{
    private static readonly ResourceManager Texts = new(typeof(RuleTexts).FullName!, typeof(RuleTexts).Assembly);

    public static string Say(string key, params object?[] values) =>
        string.Format(CultureInfo.CurrentCulture, Texts.GetString(key, CultureInfo.CurrentUICulture) ?? key, values);
}
