using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// Which requests a figure counts: those submitted on Asia/Shanghai calendar days from..to (inclusive), in a region
/// prefix inside the regulator's own, and an industry prefix. Every figure describes that cohort of requests.
/// </summary>
public sealed record StatisticsScope(DateOnly From, DateOnly To, string Region, string Industry)
{
    public object Parameters => new { From, To, RegionLike = Region + "%", IndustryLike = Industry + "%" };

    /// <summary>The filter over financing_requests (aliased r) that every statistics query shares.</summary>
    public const string WhereSql = """
         WHERE r.submitted_day >= @From AND r.submitted_day <= @To AND r.region_code LIKE @RegionLike AND r.industry_code LIKE @IndustryLike
        """;

    /// <summary>A regulator sees its own region prefix and inside it; anything wider is refused, never silently widened.</summary>
    public static StatisticsScope For(CurrentUser user, TimeProvider clock, DateOnly? from, DateOnly? to, string? region, string? industry)
    {
        var own = user.Region ?? "";
        var chosen = string.IsNullOrEmpty(region) ? own : region;
        if (!chosen.StartsWith(own, StringComparison.Ordinal))
            throw new ForbiddenException($"Region {region} lies outside your region {own}.");
        var today = clock.PlatformToday();
        return new StatisticsScope(from ?? new DateOnly(today.Year, 1, 1), to ?? today, chosen, industry ?? "");
    }
}

/// <summary>The query string every statistics endpoint takes.</summary>
public interface IStatisticsFilter
{
    DateOnly? From { get; }
    DateOnly? To { get; }
    string? Region { get; }
    string? Industry { get; }
}

public class StatisticsFilterValidator<T> : AbstractValidator<T> where T : IStatisticsFilter
{
    public StatisticsFilterValidator(ReferenceData codes, TimeProvider clock)
    {
        RuleFor(x => x.Region!).RegionPrefix(codes).When(x => !string.IsNullOrEmpty(x.Region));
        RuleFor(x => x.Industry!).IndustryCode(codes).When(x => !string.IsNullOrEmpty(x.Industry));
        RuleFor(x => x.To).GreaterThanOrEqualTo(x => x.From).When(x => x.From is not null && x.To is not null).WithMessage(_ => RuleTexts.Say("NotBeforeFrom"));
        // Figures exist from the platform's start up to today; a period may reach to the end of next year (a plan's year), no further.
        RuleFor(x => x.From).Must(date => date is null || (date.Value.Year >= 2000 && date.Value.Year <= clock.PlatformToday().Year + 1))
            .WithMessage(_ => RuleTexts.Say("DateInRange"));
        RuleFor(x => x.To).Must(date => date is null || (date.Value.Year >= 2000 && date.Value.Year <= clock.PlatformToday().Year + 1))
            .WithMessage(_ => RuleTexts.Say("DateInRange"));
    }
}
