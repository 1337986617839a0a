using Dapper;
using FinanceSupermarket.Api.Features.Matching;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>
/// What terms would match before they are submitted, for the enterprise's own profile: how many products fit, the best
/// few with their reasons, and the near misses grouped by the one rule they fail ("add a guarantee → 4 more products").
/// Nothing is stored. The same engine and index as a submitted request's matches.
/// </summary>
public sealed record PreviewMatches(RequestTerms Body) : IQuery<PreviewMatches.View>, ITermsMessage
{
    public const int TopCount = 3;

    public sealed record View(int MatchCount, IReadOnlyList<Match> Top, IReadOnlyList<NearMissGroup> NearMisses, MatchReason? Refusal);

    /// <summary>The products one rule away, by that rule: what the enterprise could change to reach them.</summary>
    public sealed record NearMissGroup(MatchReason FailedRule, int Count, IReadOnlyList<string> ProductNames);

    public sealed class Validator : AbstractValidator<PreviewMatches>
    {
        public Validator(TimeProvider clock) => this.AddTermsRules(clock);
    }

    public sealed class Handler(Db db, CurrentUser user, MatchingIndex matching, TimeProvider clock) : IQueryHandler<PreviewMatches, View>
    {
        public async ValueTask<View> Handle(PreviewMatches query, CancellationToken cancellationToken)
        {
            var enterpriseId = user.RequireEnterpriseId();
            await using var connection = await db.OpenAsync(cancellationToken);
            var subject = await connection.QuerySingleOrDefaultAsync<MatchSubject>(MatchSubject.EnterpriseSql, new { EnterpriseId = enterpriseId })
                          ?? throw new NotFoundException("The enterprise profile");
            var terms = query.Body;
            subject.Amount = terms.Amount;
            subject.TermMonths = terms.TermMonths;
            subject.Purpose = EnumText.ToText(terms.Purpose!.Value);
            subject.GuaranteeModes = EnumText.Join(terms.GuaranteeModes);
            subject.MaxRate = terms.MaxRate;

            var result = matching.Index.Match(subject.ToQuery(clock.PlatformToday(), int.MaxValue, includeNearMisses: true));
            var nearMisses = result.NearMisses
                .GroupBy(miss => miss.FailedRule.Code)
                .Select(group => new NearMissGroup(group.First().FailedRule, group.Count(), group.Select(miss => miss.Product.Name).ToArray()))
                .OrderByDescending(group => group.Count)
                .ToArray();
            return new View(result.Matches.Count, result.Matches.Take(TopCount).ToArray(), nearMisses, result.Refusal);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/preview", async (RequestTerms body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new PreviewMatches(body), ct)))
            .RequireAuthorization(Infrastructure.Auth.AuthModule.Policies.Enterprise)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithDescription("What these terms would match for the caller's enterprise, ranked and explained, with the near misses grouped by the rule they failed. Nothing is stored.")
            .WithSummary("What these terms would match for the caller's enterprise, before submitting them (nothing is stored)");
}
