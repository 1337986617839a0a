using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The same figures per group: region (one level below the scope's region: province → city → county), industry
/// (GB/T 4754 division), month of submission, or the institution / product kind whose approval resolved the request
/// (requests not approved form the group "").
/// </summary>
public sealed record GetBreakdown(string? By, DateOnly? From, DateOnly? To, string? Region, string? Industry)
    : IQuery<GetBreakdown.View>, IStatisticsFilter
{
    public static readonly string[] Groupings = ["region", "industry", "institution", "product_kind", "month"];

    /// <summary>One group's figures; <c>Name</c> is the key's name (嘉善县, 计算机、通信和其他电子设备制造业, the institution's name, 信用贷).</summary>
    public sealed record Group(string Key, string? Name, Figures Figures);

    public sealed record View(string By, DateOnly From, DateOnly To, string Region, string Industry, IReadOnlyList<Group> Groups);

    public sealed class Validator : AbstractValidator<GetBreakdown>
    {
        public Validator(ReferenceData codes, TimeProvider clock)
        {
            Include(new StatisticsFilterValidator<GetBreakdown>(codes, clock));
            RuleFor(x => x.By).NotEmpty().Must(by => Groupings.Contains(by)).WithMessage($"Must be one of {string.Join(", ", Groupings)}.");
        }
    }

    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock, IConfiguration configuration, ReferenceData codes) : IQueryHandler<GetBreakdown, View>
    {
        public async ValueTask<View> Handle(GetBreakdown query, CancellationToken cancellationToken)
        {
            var scope = StatisticsScope.For(user, clock, query.From, query.To, query.Region, query.Industry);
            await using var connection = await db.OpenAsync(cancellationToken);
            var sums = await FigureSums.LoadAsync(connection, db.Dialect, configuration, scope, query.By);
            var targets = query.By == "region" ? await Targets.ForScopeAsync(connection, scope) : new Dictionary<string, RegionTarget>();
            var nameOf = await GroupNames.ForAsync(connection, codes, query.By!);
            var groups = sums
                .OrderBy(group => group.GroupKey, StringComparer.Ordinal)
                .Select(group => new Group(group.GroupKey, nameOf(group.GroupKey), group.ToFigures(Targets.Progress(targets.GetValueOrDefault(group.GroupKey), group))))
                .ToArray();
            return new View(query.By!, scope.From, scope.To, scope.Region, scope.Industry, groups);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/breakdown", async ([AsParameters] GetBreakdown query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .WithName("getStatisticsBreakdown")
            .WithDescription("The summary's figures grouped by region, industry, institution, product kind or month, each group named.")
            .WithSummary("The summary's figures per region, industry, institution, product kind or month");
}
