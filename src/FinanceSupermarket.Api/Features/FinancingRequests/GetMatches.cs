using Dapper;
using FinanceSupermarket.Api.Features.Matching;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Matching;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>The products ranked for a request, each with its score and the reasons, from this node's matching index.</summary>
public sealed record GetMatches(string Id, int? Limit, bool? IncludeNearMisses) : IQuery<GetMatches.View>
{
    public sealed record View(IReadOnlyList<Match> Items, int Total, IReadOnlyList<NearMiss> NearMisses, MatchReason? Refusal);

    public sealed class Validator : AbstractValidator<GetMatches>
    {
        public Validator() => RuleFor(x => x.Limit).InclusiveBetween(1, 100);
    }

    public sealed class Handler(Db db, CurrentUser user, MatchingIndex matching, TimeProvider clock) : IQueryHandler<GetMatches, View>
    {
        public async ValueTask<View> Handle(GetMatches query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var subject = await connection.QuerySingleOrDefaultAsync<MatchSubject>(MatchSubject.SelectSql, new { query.Id }) ?? throw new NotFoundException("The financing request");
            if (!user.MayRead(subject.EnterpriseId, subject.RegionCode))
                throw new NotFoundException("The financing request");

            var today = clock.PlatformToday();
            var result = matching.Index.Match(subject.ToQuery(today, query.Limit ?? 20, query.IncludeNearMisses ?? false));
            return new View(result.Matches, result.Matches.Count, result.NearMisses, result.Refusal);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}/matches", async (string id, int? limit, bool? includeNearMisses, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new GetMatches(id, limit, includeNearMisses), ct)))
            .RequireAuthorization()
            .WithSummary("Ranked, explained products for a request (owner, regulator of its region); ?includeNearMisses=true adds products one rule away");
}
