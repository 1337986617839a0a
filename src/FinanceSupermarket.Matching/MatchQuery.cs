using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Matching;

/// <summary>One financing need to rank products for. <see cref="Today"/> fixes "years in business".</summary>
public sealed record MatchQuery(
    decimal Amount, int TermMonths, FinancingPurpose Purpose, IReadOnlyList<GuaranteeMode> GuaranteeModes,
    decimal? MaxRate, EnterpriseProfile Enterprise, DateOnly Today, int Limit = 20, bool IncludeNearMisses = false);

/// <summary>An eligible product, its score (0..100, see <see cref="Scoring"/>) and the criteria it met.</summary>
public sealed record Match(ProductListing Product, double Score, IReadOnlyList<MatchReason> Reasons);

/// <summary>A product that failed exactly one hard rule (<see cref="FailedRule"/>); Reasons are the criteria it met.</summary>
public sealed record NearMiss(ProductListing Product, double Score, MatchReason FailedRule, IReadOnlyList<MatchReason> Reasons);

/// <summary>Best first. <see cref="Refusal"/> is set (and both lists empty) when the enterprise is blacklisted.</summary>
public sealed record MatchResult(IReadOnlyList<Match> Matches, IReadOnlyList<NearMiss> NearMisses, MatchReason? Refusal);
