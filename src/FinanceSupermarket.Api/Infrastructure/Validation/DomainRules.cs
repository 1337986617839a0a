using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;

namespace FinanceSupermarket.Api.Infrastructure.Validation;

/// <summary>Rules shared by several validators, in the domain's words.</summary>
public static class DomainRules
{
    /// <summary>The largest amount the platform takes (100 亿元): anything above is a typing mistake, not an SME need.</summary>
    public const decimal MaxAmount = 10_000_000_000m;

    public static IRuleBuilderOptions<T, decimal> Money<T>(this IRuleBuilder<T, decimal> rule) =>
        rule.GreaterThan(0).LessThanOrEqualTo(MaxAmount).PrecisionScale(18, 2, ignoreTrailingZeros: true)
            .WithMessage("Must be a positive amount in yuan with at most 2 decimals, at most 10,000,000,000.");

    public static IRuleBuilderOptions<T, decimal> AnnualRate<T>(this IRuleBuilder<T, decimal> rule) =>
        rule.GreaterThan(0).LessThanOrEqualTo(36).PrecisionScale(6, 3, ignoreTrailingZeros: true)
            .WithMessage("Must be an annual rate in percent above 0 and at most 36 (e.g. 3.85), with at most 3 decimals.");

    public static IRuleBuilderOptions<T, int> TermMonths<T>(this IRuleBuilder<T, int> rule) =>
        rule.InclusiveBetween(1, 360).WithMessage("Must be a term of 1 to 360 months.");

    /// <summary>
    /// A GB/T 2260 administrative division code of the shipped list (ReferenceData/regions.csv): six digits of a county,
    /// or of a city or province written in six digits (330400, 330000).
    /// </summary>
    public static IRuleBuilderOptions<T, string> RegionCode<T>(this IRuleBuilder<T, string> rule, ReferenceData codes) =>
        rule.NotEmpty().Must(codes.IsRegionCode)
            .WithMessage((_, code) => $"Must be a 6-digit administrative division code of GB/T 2260, e.g. 330421 (嘉善县){Not(code)}.");

    /// <summary>Where a product or institution serves: a listed province (33), city (3304) or county (330421).</summary>
    public static IRuleBuilderOptions<T, string> RegionPrefix<T>(this IRuleBuilder<T, string> rule, ReferenceData codes) =>
        rule.NotEmpty().Must(codes.IsRegionPrefix)
            .WithMessage((_, code) => $"Must be a GB/T 2260 province, city or county code of 2, 4 or 6 digits, e.g. 33, 3304 or 330421{Not(code)}.");

    /// <summary>A GB/T 4754-2017 section, division, group or class of the shipped list (C, C39, C391, C3911).</summary>
    public static IRuleBuilderOptions<T, string> IndustryCode<T>(this IRuleBuilder<T, string> rule, ReferenceData codes) =>
        rule.NotEmpty().Must(codes.IsIndustryCode)
            .WithMessage((_, code) => $"Must be a GB/T 4754-2017 industry code: a section letter A–T and its division, group or class digits, e.g. C39{Not(code)}.");

    private static string Not(string? code) => string.IsNullOrEmpty(code) ? "" : $"; {code} is not one";

    public static IRuleBuilderOptions<T, string?> Text<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.MaximumLength(maxLength).WithMessage($"Must be at most {maxLength} characters.");

    public static IRuleBuilderOptions<T, string> Name<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(200).WithMessage("Must be given, at most 200 characters.");

    public static IRuleBuilderOptions<T, IReadOnlyList<TItem>> DistinctList<T, TItem>(this IRuleBuilder<T, IReadOnlyList<TItem>> rule, int maxCount) =>
        rule.NotNull().Must(list => list is null || (list.Count <= maxCount && list.Distinct().Count() == list.Count))
            .WithMessage($"Must be a list of at most {maxCount} distinct values.");

    public static IRuleBuilderOptions<T, string> CreditCode<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Must(Domain.CreditCode.IsValid)
            .WithMessage("Must be an 18-character 统一社会信用代码 whose check character is right (GB 32100-2015).");
}
