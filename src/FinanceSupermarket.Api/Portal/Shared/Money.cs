using System.Globalization;

namespace FinanceSupermarket.Api.Portal.Shared;

/// <summary>
/// Amounts as people read them: in Chinese 万元 and 亿元 (50 万元, 1.5 亿元), in English yuan with separators. Amounts are
/// stored in yuan; a form takes 万元 and stores its exact yuan value (× 10,000, no rounding).
/// </summary>
public static class Money
{
    public const decimal TenThousand = 10_000m;
    private const decimal HundredMillion = 100_000_000m;

    public static string Format(decimal yuan)
    {
        var culture = CultureInfo.CurrentUICulture;
        if (culture.Name == PortalModule.English.Name) return "¥" + yuan.ToString("#,0.##", CultureInfo.InvariantCulture);
        return Math.Abs(yuan) switch
        {
            >= HundredMillion => $"{(yuan / HundredMillion).ToString("#,0.####", CultureInfo.InvariantCulture)} 亿元",
            >= TenThousand => $"{(yuan / TenThousand).ToString("#,0.####", CultureInfo.InvariantCulture)} 万元",
            _ => $"{yuan.ToString("#,0.##", CultureInfo.InvariantCulture)} 元",
        };
    }

    /// <summary>A range of amounts ("10 万元 – 300 万元").</summary>
    public static string Range(decimal from, decimal to) => $"{Format(from)} – {Format(to)}";

    /// <summary>万元 as typed into a form, in yuan exactly.</summary>
    public static decimal FromTenThousands(decimal tenThousands) => tenThousands * TenThousand;

    /// <summary>
    /// Yuan as 万元 for a form, without trailing zeros: PostgreSQL's NUMERIC(18,2) gives 800000.00, which a form should show
    /// as 80, not 80.00 (dividing by 1.000… keeps the value and drops the zeros of the scale).
    /// </summary>
    public static decimal ToTenThousands(decimal yuan) => yuan / TenThousand / 1.000000000000000000000000000000000m;
}
