using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>An overdue dispatch as the regulator follows it up: every id and code beside its name.</summary>
public sealed record OverdueDispatch(
    string Id, string RequestId, string EnterpriseId, string EnterpriseName, string InstitutionId, string InstitutionName, string ProductId,
    string ProductName, string RegionCode, string? RegionName, decimal Amount, string Stage, DateTimeOffset DispatchedAt, DateTimeOffset AnswerDueAt,
    DateTimeOffset? FeedbackDueAt, DateTimeOffset OverdueAt);

/// <summary>
/// The 督导 list: dispatches whose answer or feedback deadline passed, in the regulator's region, newest first. It takes the
/// statistics' filter, so that the cockpit's list follows its period and region: the requests submitted from..to (every
/// one, however old, when no period is given), in a region and industry prefix inside the regulator's own.
/// </summary>
public sealed record ListOverdue(int? Page, int? PageSize, DateOnly? From = null, DateOnly? To = null, string? Region = null, string? Industry = null)
    : IQuery<Paged<OverdueDispatch>>, IPagedQuery, IStatisticsFilter
{
    public sealed class Validator : AbstractValidator<ListOverdue>
    {
        public Validator(ReferenceData codes, TimeProvider clock)
        {
            this.AddPagingRules(maxPageSize: 200);
            Include(new StatisticsFilterValidator<ListOverdue>(codes, clock));
        }
    }

    public sealed class Handler(Db db, CurrentUser user, ReferenceData codes, TimeProvider clock) : IQueryHandler<ListOverdue, Paged<OverdueDispatch>>
    {
        /// <summary>The bounds of "no period": every request since the platform's figures begin (StatisticsFilterValidator's earliest year).</summary>
        private static readonly DateOnly Earliest = new(2000, 1, 1);
        private const string FromSql = """
             FROM dispatches d
             JOIN financing_requests r ON r.id = d.request_id
             JOIN enterprises e ON e.id = r.enterprise_id
             JOIN institutions i ON i.id = d.institution_id
             JOIN products p ON p.id = d.product_id
            """ + StatisticsScope.WhereSql + " AND d.status = 'overdue'";
        private const string CountSql = "SELECT COUNT(*)" + FromSql;
        private const string PageSql = """
            SELECT d.id, d.request_id AS RequestId, r.enterprise_id AS EnterpriseId, e.name AS EnterpriseName, d.institution_id AS InstitutionId,
                   i.name AS InstitutionName, d.product_id AS ProductId, p.name AS ProductName, r.region_code AS RegionCode, r.amount,
                   CASE WHEN d.answered_at IS NULL THEN 'answer' ELSE 'feedback' END AS Stage,
                   d.dispatched_at AS DispatchedAt, d.answer_due_at AS AnswerDueAt, d.feedback_due_at AS FeedbackDueAt, d.overdue_at AS OverdueAt
            """ + FromSql + " ORDER BY d.overdue_at DESC, d.id";

        public async ValueTask<Paged<OverdueDispatch>> Handle(ListOverdue query, CancellationToken cancellationToken)
        {
            var scope = StatisticsScope.For(user, clock, query.From ?? Earliest, query.To ?? DateOnly.MaxValue, query.Region, query.Industry);
            var rows = await PageWindow.Of(query, defaultPageSize: 50).ReadAsync<Row>(db, CountSql, PageSql, scope.Parameters, cancellationToken);
            return rows.Select(row => row.ToView(codes));
        }

        private sealed class Row
        {
            public string Id { get; set; } = "";
            public string RequestId { get; set; } = "";
            public string EnterpriseId { get; set; } = "";
            public string EnterpriseName { get; set; } = "";
            public string InstitutionId { get; set; } = "";
            public string InstitutionName { get; set; } = "";
            public string ProductId { get; set; } = "";
            public string ProductName { get; set; } = "";
            public string RegionCode { get; set; } = "";
            public decimal Amount { get; set; }
            public string Stage { get; set; } = "";
            public DateTimeOffset DispatchedAt { get; set; }
            public DateTimeOffset AnswerDueAt { get; set; }
            public DateTimeOffset? FeedbackDueAt { get; set; }
            public DateTimeOffset OverdueAt { get; set; }

            public OverdueDispatch ToView(ReferenceData codes) => new(Id, RequestId, EnterpriseId, EnterpriseName, InstitutionId, InstitutionName,
                ProductId, ProductName, RegionCode, codes.RegionName(RegionCode), Amount, Stage, DispatchedAt, AnswerDueAt, FeedbackDueAt, OverdueAt);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/overdue", async ([AsParameters] ListOverdue query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .WithDescription("The 督导 list: dispatches of the regulator's region whose answer or feedback deadline passed, with the enterprise, institution, product and region by name; paged. Filtered as the statistics are: the requests submitted `from`–`to` (Asia/Shanghai days; all of them when no period is given), in `region` and `industry` (prefixes inside the regulator's own region).")
            .WithSummary("Overdue dispatches in the regulator's region (督导 list), with the enterprise, institution, product and region by name");
}
