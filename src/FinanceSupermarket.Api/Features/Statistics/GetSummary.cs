using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain.Reference;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>The regulator's figures (撮合融资金额, 融资笔数, 申贷获得率, 首贷户, 信用贷占比, 限时答复, 满意度) for a period, region and industry.</summary>
public sealed record GetSummary(DateOnly? From, DateOnly? To, string? Region, string? Industry) : IQuery<GetSummary.View>, IStatisticsFilter
{
    public sealed record View(DateOnly From, DateOnly To, string Region, string Industry, Figures Figures);

    public sealed class Validator(ReferenceData codes, TimeProvider clock) : StatisticsFilterValidator<GetSummary>(codes, clock);

    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock, IConfiguration configuration) : IQueryHandler<GetSummary, View>
    {
        public async ValueTask<View> Handle(GetSummary query, CancellationToken cancellationToken)
        {
            var scope = StatisticsScope.For(user, clock, query.From, query.To, query.Region, query.Industry);
            await using var connection = await db.OpenAsync(cancellationToken);
            var whole = (await FigureSums.LoadAsync(connection, db.Dialect, configuration, scope, by: null)).Single();
            var targets = await Targets.ForScopeAsync(connection, scope);
            var figures = whole.ToFigures(Targets.Progress(targets.GetValueOrDefault(scope.Region), whole));
            return new View(scope.From, scope.To, scope.Region, scope.Industry, figures);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/summary", async ([AsParameters] GetSummary query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .WithName("getStatisticsSummary")
            .WithDescription("The figures of the regulator's region (narrowed by `region` and `industry`) for requests submitted in a period of Asia/Shanghai days: requests, dispatches, answers on time, approvals, the matchmaking amount, the amount-weighted average approved rate, first loans, disputes, and progress against the year's targets. The median and 90th-percentile delays (hours to first answer and to result) are those of the delays rounded to two significant figures (0.01 h below 1 h, 0.1 h below 10 h, 1 h below 100 h, 10 h beyond).")
            .WithSummary("Counts and amounts for requests submitted in a period (Asia/Shanghai days), region and industry");
}
