using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>The regions' targets of a year, by region code (admin): what <see cref="SetTarget"/> set.</summary>
public sealed record ListTargets(int Year) : IQuery<IReadOnlyList<RegionTarget>>
{
    public sealed class Validator : AbstractValidator<ListTargets>
    {
        public Validator() => RuleFor(x => x.Year).InclusiveBetween(2000, 2100);
    }

    public sealed class Handler(Db db) : IQueryHandler<ListTargets, IReadOnlyList<RegionTarget>>
    {
        public async ValueTask<IReadOnlyList<RegionTarget>> Handle(ListTargets query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            return await Targets.OfYearAsync(connection, query.Year, cancellationToken);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/targets", async ([AsParameters] ListTargets query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("The yearly targets set for the regions (approved amount 撮合融资金额 in yuan, approved count 融资笔数), by region code.")
            .WithSummary("The regions' targets of a year (admin)");
}
