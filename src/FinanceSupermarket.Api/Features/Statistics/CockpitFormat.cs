using System.Globalization;
using FinanceSupermarket.Api.Portal.Shared;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>The cockpit's numbers in its tables: amounts in 万元 (exact, as the API's yuan divided by 10,000), rates in percent.</summary>
public static class CockpitFormat
{
    public static string TenThousands(decimal yuan) => Money.ToTenThousands(yuan).ToString("#,0.######", CultureInfo.InvariantCulture);

    public static string Percent(double? fraction) => fraction is { } value ? (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    public static string Hours(double? hours) => hours?.ToString("0.0", CultureInfo.InvariantCulture) ?? "—";

    public static string Rating(double? rating) => rating?.ToString("0.00", CultureInfo.InvariantCulture) ?? "—";

    /// <summary>A rate as a chart's value, in percent to one decimal (0 where there is nothing to count).</summary>
    public static decimal PercentValue(double? fraction) => Math.Round((decimal)(fraction ?? 0) * 100, 1);

    /// <summary>The share of approvals that went to first-loan enterprises (首贷户), by count.</summary>
    public static double? FirstLoanShare(Figures figures) => figures.ApprovedCount == 0 ? null : (double)figures.FirstLoanApprovedCount / figures.ApprovedCount;
}
