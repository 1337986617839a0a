using System.Collections;
using System.Globalization;
using System.Resources;
using FinanceSupermarket.Api.Portal;
using FinanceSupermarket.Api.Portal.Shared;
using FinanceSupermarket.Domain;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>The portal's texts: every word of the domain, and every other text, in Chinese and in English.</summary>
public sealed class EnumWordsTests
{
    private static readonly ResourceManager Texts = new(typeof(Text).FullName!, typeof(Text).Assembly);

    private static ResourceSet Chinese => Texts.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false)!;

    // Only the English file itself: a missing English text would otherwise fall back to the Chinese one.
    private static ResourceSet English => Texts.GetResourceSet(PortalModule.English, createIfNotExists: true, tryParents: false)!;

    public static IEnumerable<Type> DomainEnums() => typeof(EnumText).Assembly.GetExportedTypes().Where(type => type.IsEnum);

    [TestCaseSource(nameof(DomainEnums))]
    public void Every_value_of_a_domain_enum_has_chinese_and_english_words(Type type)
    {
        var key = typeof(EnumWords).GetMethod(nameof(EnumWords.Key))!.MakeGenericMethod(type);
        foreach (var value in Enum.GetValues(type))
        {
            var name = (string)key.Invoke(null, [value])!;
            Chinese.GetString(name).ShouldNotBeNullOrWhiteSpace($"{name} has no Chinese text");
            English.GetString(name).ShouldNotBeNullOrWhiteSpace($"{name} has no English text");
        }
    }

    [Test]
    public void The_words_of_a_value_follow_the_pages_language()
    {
        var factory = new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance);
        IStringLocalizer<Text> text = new StringLocalizer<Text>(factory);
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = PortalModule.Chinese;
            text.Of(ProductKind.CreditLoan).ShouldBe("信用贷");
            text.List([GuaranteeMode.Credit, GuaranteeMode.Pledge]).ShouldBe("信用、质押");
            CultureInfo.CurrentUICulture = PortalModule.English;
            text.Of(TaxCreditLevel.B).ShouldBe("Grade B");
            text.List([GuaranteeMode.Credit, GuaranteeMode.Pledge]).ShouldBe("Credit (no collateral), Pledge");
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    [Test]
    public void Every_text_is_in_both_languages()
    {
        var chinese = Keys(Chinese);
        var english = Keys(English);

        chinese.Except(english).ShouldBeEmpty("Chinese texts without English");
        english.Except(chinese).ShouldBeEmpty("English texts without Chinese");
    }

    private static HashSet<string> Keys(ResourceSet texts) => texts.Cast<DictionaryEntry>().Select(entry => (string)entry.Key).ToHashSet();
}
