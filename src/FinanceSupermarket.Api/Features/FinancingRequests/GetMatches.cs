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

/// <summary>A request with its enterprise's profile and blacklist mark: what the matching engine ranks products against.</summary>
public sealed class MatchSubject
{
    public const string SelectSql = """
        SELECT r.id, r.enterprise_id AS EnterpriseId, r.region_code AS RegionCode, r.amount, r.term_months AS TermMonths, r.purpose,
               r.guarantee_modes AS GuaranteeModes, r.max_rate AS MaxRate, r.status, e.industry_code AS IndustryCode, e.size,
               e.established_on AS EstablishedOn, e.tags, e.tax_credit_level AS TaxCreditLevel, e.has_loan_history AS HasLoanHistory,
               (SELECT COUNT(*) FROM blacklist b WHERE b.credit_code = e.credit_code) AS BlacklistCount
        FROM financing_requests r
        JOIN enterprises e ON e.id = r.enterprise_id
        WHERE r.id = @Id
        """;

    public string Id { get; set; } = "";
    public string EnterpriseId { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public decimal Amount { get; set; }
    public int TermMonths { get; set; }
    public string Purpose { get; set; } = "";
    public string GuaranteeModes { get; set; } = "";
    public decimal? MaxRate { get; set; }
    public string Status { get; set; } = "";
    public string IndustryCode { get; set; } = "";
    public string Size { get; set; } = "";
    public DateOnly EstablishedOn { get; set; }
    public string Tags { get; set; } = "";
    public string TaxCreditLevel { get; set; } = "";
    public bool HasLoanHistory { get; set; }
    public long BlacklistCount { get; set; }

    public MatchQuery ToQuery(DateOnly today, int limit, bool includeNearMisses) => new(
        Amount, TermMonths, EnumText.Parse<FinancingPurpose>(Purpose), EnumText.Split<GuaranteeMode>(GuaranteeModes), MaxRate,
        new EnterpriseProfile(EnterpriseId, RegionCode, IndustryCode, EnumText.Parse<EnterpriseSize>(Size), EstablishedOn,
            EnumText.Split<EnterpriseTag>(Tags), EnumText.Parse<TaxCreditLevel>(TaxCreditLevel), HasLoanHistory, BlacklistCount > 0),
        today, limit, includeNearMisses);
}
