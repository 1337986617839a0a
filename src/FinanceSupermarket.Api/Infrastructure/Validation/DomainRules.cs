using FinanceSupermarket.Domain;
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

    /// <summary>A GB/T 2260 administrative division code: 6 digits; prefixes (2 or 4 digits) where a region is served.</summary>
    public static IRuleBuilderOptions<T, string> RegionCode<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Matches("^[1-8][0-9]{5}$").WithMessage("Must be a 6-digit administrative division code (GB/T 2260), e.g. 330421.");

    public static IRuleBuilderOptions<T, string> RegionPrefix<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Matches("^[1-8][0-9]([0-9]{2}){0,2}$").WithMessage("Must be a region code prefix of 2, 4 or 6 digits, e.g. 33 or 3304.");

    /// <summary>A GB/T 4754 code: section letter, optionally followed by division/group/class digits (C, C39, C391, C3911).</summary>
    public static IRuleBuilderOptions<T, string> IndustryCode<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Matches("^[A-T]([0-9]{2}([0-9]{1,2})?)?$").WithMessage("Must be a GB/T 4754 industry code: a section letter A–T and up to 4 digits, e.g. C39.");

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
