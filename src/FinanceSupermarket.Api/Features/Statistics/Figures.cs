namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The regulator's figures for one cohort of requests (DESIGN.md summary shape). Rates are fractions 0–1; null where
/// nothing was there to count (no decided request, no answer owed, no rating). ApprovedAverageRate is the amount-weighted
/// average annual rate of the approvals, in percent (普惠小微贷款利率, seeds/002). Approvals the enterprise disputes are
/// counted apart (DisputedCount, DisputedAmount) and left out of the approved figures until settled.
/// </summary>
public sealed record Figures(
    long RequestedCount, decimal RequestedAmount, long PublishedCount, long DispatchedCount, long AcceptedCount,
    long ApprovedCount, decimal ApprovedAmount, double? ApprovalRate, long FirstLoanApprovedCount, double? CreditLoanShare,
    double? OnTimeAnswerRate, double? MedianHoursToFirstAnswer, double? P90HoursToFirstAnswer, double? MedianHoursToResult,
    double? AverageRating, TargetProgress? Target, decimal? ApprovedAverageRate, long DisputedCount, decimal DisputedAmount);

/// <summary>How far the approved figures are towards the region's yearly target (e.g. 150 亿元 / 1,300 笔).</summary>
public sealed record TargetProgress(string RegionCode, int Year, decimal ApprovedAmountTarget, int ApprovedCountTarget, double AmountProgress, double CountProgress);
