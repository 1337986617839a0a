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

/// <summary>The 督导 list: dispatches whose answer or feedback deadline passed, in the regulator's region, newest first.</summary>
public sealed record ListOverdue(int? Page, int? PageSize) : IQuery<Paged<OverdueDispatch>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<ListOverdue>
    {
        public Validator()
        {
            this.AddPagingRules(maxPageSize: 200);
        }
    }

    public sealed class Handler(Db db, CurrentUser user, ReferenceData codes) : IQueryHandler<ListOverdue, Paged<OverdueDispatch>>
    {
        private const string FromSql = """
             FROM dispatches d
             JOIN financing_requests r ON r.id = d.request_id
             JOIN enterprises e ON e.id = r.enterprise_id
             JOIN institutions i ON i.id = d.institution_id
             JOIN products p ON p.id = d.product_id
             WHERE d.status = 'overdue' AND r.region_code LIKE @RegionLike
            """;
        private const string CountSql = "SELECT COUNT(*)" + FromSql;
        private const string PageSql = """
            SELECT d.id, d.request_id AS RequestId, r.enterprise_id AS EnterpriseId, e.name AS EnterpriseName, d.institution_id AS InstitutionId,
                   i.name AS InstitutionName, d.product_id AS ProductId, p.name AS ProductName, r.region_code AS RegionCode, r.amount,
                   CASE WHEN d.answered_at IS NULL THEN 'answer' ELSE 'feedback' END AS Stage,
                   d.dispatched_at AS DispatchedAt, d.answer_due_at AS AnswerDueAt, d.feedback_due_at AS FeedbackDueAt, d.overdue_at AS OverdueAt
            """ + FromSql + " ORDER BY d.overdue_at DESC, d.id";

        public async ValueTask<Paged<OverdueDispatch>> Handle(ListOverdue query, CancellationToken cancellationToken)
        {
            var rows = await PageWindow.Of(query, defaultPageSize: 50).ReadAsync<Row>(db, CountSql, PageSql,
                new { RegionLike = (user.Region ?? "") + "%" }, cancellationToken);
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
            .WithDescription("The 督导 list: dispatches of the regulator's region whose answer deadline passed, with the enterprise, institution, product and region by name; paged.")
            .WithSummary("Overdue dispatches in the regulator's region (督导 list), with the enterprise, institution, product and region by name");
}
