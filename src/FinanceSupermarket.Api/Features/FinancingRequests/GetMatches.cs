using Dapper;
using FinanceSupermarket.Api.Features.Matching;
using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain.Reference;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Matching;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>The products ranked for a request, each with its score and the reasons, from this node's matching index.</summary>
public sealed record GetMatches(string Id, int? Limit, bool? IncludeNearMisses) : IQuery<GetMatches.View>
{
    public sealed record View(IReadOnlyList<RankedProduct> Items, int Total, IReadOnlyList<NearMissProduct> NearMisses, MatchReason? Refusal);

    /// <summary>A match: the product as the shelves show it (its institution, regions and industries by name; no description), its score and reasons.</summary>
    public sealed record RankedProduct(ProductView Product, double Score, IReadOnlyList<MatchReason> Reasons);

    /// <summary>A product one hard rule away (<see cref="FailedRule"/>), shown as a match is.</summary>
    public sealed record NearMissProduct(ProductView Product, double Score, MatchReason FailedRule, IReadOnlyList<MatchReason> Reasons);

    public sealed class Validator : AbstractValidator<GetMatches>
    {
        public Validator() => RuleFor(x => x.Limit).InclusiveBetween(1, 100);
    }

    public sealed class Handler(Db db, CurrentUser user, MatchingIndex matching, ReferenceData codes, TimeProvider clock) : IQueryHandler<GetMatches, View>
    {
        public async ValueTask<View> Handle(GetMatches query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var subject = await connection.QuerySingleOrDefaultAsync<MatchSubject>(MatchSubject.SelectSql, new { query.Id }) ?? throw new NotFoundException("The financing request");
            if (!user.MayRead(subject.EnterpriseId, subject.RegionCode))
                throw new NotFoundException("The financing request");

            var today = clock.PlatformToday();
            var result = matching.Index.Match(subject.ToQuery(today, query.Limit ?? 20, query.IncludeNearMisses ?? false));
            return new View(
                result.Matches.Select(match => new RankedProduct(matching.Shown(match.Product, codes), match.Score, match.Reasons)).ToArray(),
                result.Matches.Count,
                result.NearMisses.Select(miss => new NearMissProduct(matching.Shown(miss.Product, codes), miss.Score, miss.FailedRule, miss.Reasons)).ToArray(),
                result.Refusal);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}/matches", async (string id, int? limit, bool? includeNearMisses, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetMatches(id, limit, includeNearMisses), ct)))
            .RequireAuthorization()
            .WithDescription("The products ranked for the request, each with its score and the reasons in English and Chinese, as the shelves show them; `?includeNearMisses=true` adds the products that failed one rule and which. The owner, or a regulator of its region.")
            .WithSummary("Ranked, explained products for a request (owner, regulator of its region); ?includeNearMisses=true adds products one rule away");
}
