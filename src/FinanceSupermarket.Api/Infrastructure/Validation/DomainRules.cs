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
            .WithMessage(_ => RuleTexts.Say("Money"));

    public static IRuleBuilderOptions<T, decimal> AnnualRate<T>(this IRuleBuilder<T, decimal> rule) =>
        rule.GreaterThan(0).LessThanOrEqualTo(36).PrecisionScale(6, 3, ignoreTrailingZeros: true)
            .WithMessage(_ => RuleTexts.Say("AnnualRate"));

    public static IRuleBuilderOptions<T, int> TermMonths<T>(this IRuleBuilder<T, int> rule) =>
        rule.InclusiveBetween(1, 360).WithMessage(_ => RuleTexts.Say("TermMonths"));

    /// <summary>
    /// A GB/T 2260 administrative division code of the shipped list (ReferenceData/regions.csv): six digits of a county,
    /// or of a city or province written in six digits (330400, 330000).
    /// </summary>
    public static IRuleBuilderOptions<T, string> RegionCode<T>(this IRuleBuilder<T, string> rule, ReferenceData codes) =>
        rule.NotEmpty().Must(codes.IsRegionCode)
            .WithMessage((_, code) => RuleTexts.Say("RegionCode", Not(code)));

    /// <summary>Where a product or institution serves: a listed province (33), city (3304) or county (330421).</summary>
    public static IRuleBuilderOptions<T, string> RegionPrefix<T>(this IRuleBuilder<T, string> rule, ReferenceData codes) =>
        rule.NotEmpty().Must(codes.IsRegionPrefix)
            .WithMessage((_, code) => RuleTexts.Say("RegionPrefix", Not(code)));

    /// <summary>A GB/T 4754-2017 section, division, group or class of the shipped list (C, C39, C391, C3911).</summary>
    public static IRuleBuilderOptions<T, string> IndustryCode<T>(this IRuleBuilder<T, string> rule, ReferenceData codes) =>
        rule.NotEmpty().Must(codes.IsIndustryCode)
            .WithMessage((_, code) => RuleTexts.Say("IndustryCode", Not(code)));

    private static string Not(string? code) => string.IsNullOrEmpty(code) ? "" : RuleTexts.Say("NotOne", code);

    public static IRuleBuilderOptions<T, string?> Text<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.MaximumLength(maxLength).WithMessage(_ => RuleTexts.Say("Text", maxLength));

    public static IRuleBuilderOptions<T, string> Name<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(200).WithMessage(_ => RuleTexts.Say("Name"));

    public static IRuleBuilderOptions<T, IReadOnlyList<TItem>> DistinctList<T, TItem>(this IRuleBuilder<T, IReadOnlyList<TItem>> rule, int maxCount) =>
        rule.NotNull().Must(list => list is null || (list.Count <= maxCount && list.Distinct().Count() == list.Count))
            .WithMessage(_ => RuleTexts.Say("DistinctList", maxCount));

    public static IRuleBuilderOptions<T, string> CreditCode<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Must(Domain.CreditCode.IsValid)
            .WithMessage(_ => RuleTexts.Say("CreditCode"));
}
