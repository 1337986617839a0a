using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>A result its enterprise disputes, as the regulator follows it up (a class: Dapper fills it from any provider's types).</summary>
public sealed class DisputedResult
{
    public string RequestId { get; init; } = "";
    public string EnterpriseId { get; init; } = "";
    public string EnterpriseName { get; init; } = "";
    public string RegionCode { get; init; } = "";

    /// <summary>The region's GB/T 2260 name, filled from the reference data after the row is read.</summary>
    public string? RegionName { get; set; }
    public string InstitutionId { get; init; } = "";
    public string InstitutionName { get; init; } = "";
    public decimal DisputedAmount { get; init; }
    public string Reason { get; init; } = "";
    public DateTimeOffset DisputedAt { get; init; }
}

/// <summary>Results under dispute in the regulator's region, oldest first: counted apart from the matchmaking amount until settled.</summary>
public sealed record ListDisputes(int? Page, int? PageSize) : IQuery<Paged<DisputedResult>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<ListDisputes>
    {
        public Validator() => this.AddPagingRules(maxPageSize: 200);
    }

    public sealed class Handler(Db db, CurrentUser user, ReferenceData codes) : IQueryHandler<ListDisputes, Paged<DisputedResult>>
    {
        private const string FromSql = """
            FROM financing_requests r
            JOIN enterprises e ON e.id = r.enterprise_id
            JOIN institutions i ON i.id = r.approved_institution_id
            WHERE r.result_status = 'disputed' AND r.region_code LIKE @RegionLike
            """;
        private const string CountSql = "SELECT COUNT(*) " + FromSql;
        private const string PageSql = """
            SELECT r.id AS RequestId, r.enterprise_id AS EnterpriseId, e.name AS EnterpriseName, r.region_code AS RegionCode,
                   r.approved_institution_id AS InstitutionId, i.name AS InstitutionName, r.disputed_amount AS DisputedAmount,
                   r.dispute_reason AS Reason, r.disputed_at AS DisputedAt
            """ + " " + FromSql + " ORDER BY r.disputed_at, r.id";

        public async ValueTask<Paged<DisputedResult>> Handle(ListDisputes query, CancellationToken cancellationToken)
        {
            var disputes = await PageWindow.Of(query, defaultPageSize: 50).ReadAsync<DisputedResult>(db, CountSql, PageSql,
                new { RegionLike = (user.Region ?? "") + "%" }, cancellationToken);
            foreach (var dispute in disputes.Items) dispute.RegionName = codes.RegionName(dispute.RegionCode);
            return disputes;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/disputes", async ([AsParameters] ListDisputes query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .WithName("listDisputedResults")
            .WithDescription("Results the enterprise disputed in the regulator's region: they count apart (`disputedCount`, `disputedAmount`) until the enterprise confirms a result.")
            .WithSummary("Results under dispute in the regulator's region (counted apart until settled)");
}
