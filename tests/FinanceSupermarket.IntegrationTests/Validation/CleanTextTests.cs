using FinanceSupermarket.Api.Infrastructure.Validation;
using static FinanceSupermarket.Api.Infrastructure.Validation.CleanText.Kind;

namespace FinanceSupermarket.IntegrationTests.Validation;

/// <summary>
/// The one rule for the characters of text (<see cref="CleanText"/>): what real names, codes and free text look like
/// must pass, and what is garbage must not, whichever field it is in. The API tests (BadInputTests, FuzzTests) show the
/// rule applied to every field; these pin down the rule itself.
/// </summary>
public sealed class CleanTextTests
{
    [TestCase("嘉善农商银行", SingleLine)]
    [TestCase("Bank of Ningbo (Jiaxing Branch)", SingleLine)]
    [TestCase("嘉善 精密电子（演示）有限公司", SingleLine)]
    [TestCase("ئۈرۈمچى سودا بانكىسى", SingleLine)]        // Uyghur: right-to-left without any control character
    [TestCase("Nguye\u0302\u0303n", SingleLine)]          // ends in combining marks
    [TestCase("绿色工厂 👨‍👩‍👧‍👦", SingleLine)]
    [TestCase("Glasgow 🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", SingleLine)]   // a flag ends in tag characters
    [TestCase("爱心 ❤️", SingleLine)]                      // ends in the variation selector U+FE0F
    [TestCase("91330421MA0000001X", SingleLine)]
    [TestCase("owner@demo.local", SingleLine)]
    [TestCase("", SingleLine)]                             // whether a field may be empty is the field's own rule
    [TestCase("第一行\n第二行\r\n\t第三行", MultiLine)]
    [TestCase("  缩进的说明\n", MultiLine)]
    [TestCase("\u202bمرحبا\u202c 嘉善", MultiLine)]
    [TestCase(" Correct Horse Battery 9 ", Secret)]
    public void Real_text_is_clean(string text, CleanText.Kind kind) => CleanText.Problem(text, kind).ShouldBeNull();

    [TestCase("\0", SingleLine)]
    [TestCase("嘉善\0银行", MultiLine)]
    [TestCase("password\0", Secret)]
    [TestCase("\u001b[31m", MultiLine)]
    [TestCase("a\u007fb", SingleLine)]
    [TestCase("a\u0085b", MultiLine)]                      // C1 NEXT LINE
    [TestCase("330421\n", SingleLine)]
    [TestCase("C39\t", SingleLine)]
    [TestCase("a\u2028b", SingleLine)]
    [TestCase(" ", SingleLine)]
    [TestCase("\u200b", MultiLine)]
    [TestCase("\u3000\u3000", MultiLine)]
    [TestCase("\ufeff", Secret)]
    [TestCase("\u3164", SingleLine)]
    [TestCase("\u2800\u2800", MultiLine)]
    [TestCase("\u0301", SingleLine)]
    [TestCase("\n\t\r\n", MultiLine)]
    [TestCase(" 330421", SingleLine)]
    [TestCase("\ufeff330421", SingleLine)]
    [TestCase("嘉善银行\u200b", SingleLine)]
    [TestCase("嘉善银行\u3000", SingleLine)]
    [TestCase("\u202e行银善嘉", SingleLine)]
    [TestCase("abc\u2066def\u2069", SingleLine)]
    public void Garbage_is_refused(string text, CleanText.Kind kind) => CleanText.Problem(text, kind).ShouldNotBeNull();

    [Test]
    public void A_lone_surrogate_is_refused_in_every_kind_of_text()
    {
        // Built in code: an attribute's string cannot carry a lone surrogate (it is stored as UTF-8).
        foreach (var text in new[] { new string('\ud800', 1), "a" + '\udc00' + "b", "贷" + '\ud83d' })
            foreach (var kind in Enum.GetValues<CleanText.Kind>())
                CleanText.Problem(text, kind).ShouldNotBeNull();
    }
}
