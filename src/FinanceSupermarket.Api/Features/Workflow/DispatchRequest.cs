using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Calendar;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>
/// 第一时间督导 (seeds/002 task 6): keeps a published request dispatched to the best-ranked institutions, one dispatch
/// per institution, each with an answer deadline in working days (贷款申请限时答复制, task 10). Run after publishing,
/// and again whenever a dispatch is declined, rejected or overdue: it tops the open dispatches up from the ranking,
/// and when the ranking is exhausted with nothing open the request expires, saying why.
/// Idempotent and safe on several nodes: the request row is locked first, and (request, institution) is unique.
/// </summary>
public sealed record DispatchRequest(string RequestId) : Mediator.ICommand<int>
{
    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, TimeProvider clock, WorkingDayCalendar calendar, IOptions<WorkflowOptions> options)
        : ICommandHandler<DispatchRequest, int>
    {
        // Read with the row's lock (SqlDialect.Locked), which serialises dispatchers of one request across nodes; the WHERE
        // makes a finished request a no-op. A lock, not an UPDATE: no row version and no statistics trigger for a claim.
        private const string RequestSql = """
            SELECT enterprise_id AS EnterpriseId, region_code AS RegionCode, submitted_at AS SubmittedAt
            FROM financing_requests WHERE id = @Id AND status IN ('published', 'dispatched')
            """;
        private const string DispatchedSql = "SELECT institution_id AS InstitutionId, status FROM dispatches WHERE request_id = @Id";
        // The ranking's few rows are read by the request's key alone and delisted products dropped here: with the status in
        // the WHERE, a planner misled by stale statistics (a fresh catalogue) walked every listed product, 9 ms a dispatch.
        // The names are looked up row by row for the same reason: joined, PostgreSQL hashed the whole catalogue and every
        // institution for each dispatch (2,000 products: 1.6 ms cold against 0.1 ms for twenty key lookups).
        private const string RankingSql = """
            SELECT m.rank, m.product_id AS ProductId, m.institution_id AS InstitutionId,
                   (SELECT i.name FROM institutions i WHERE i.id = m.institution_id) AS InstitutionName,
                   (SELECT p.name FROM products p WHERE p.id = m.product_id) AS ProductName,
                   (SELECT p.status FROM products p WHERE p.id = m.product_id) AS ProductStatus
            FROM request_matches m
            WHERE m.request_id = @Id
            ORDER BY m.rank
            """;
        private const string InsertDispatchSql = """
            INSERT INTO dispatches (id, request_id, institution_id, product_id, rank, status, dispatched_at, answer_due_at, updated_at)
            VALUES (@Id, @RequestId, @InstitutionId, @ProductId, @Rank, 'pending', @Now, @AnswerDueAt, @Now)
            """;

        private static readonly string Listed = EnumText.ToText(ProductStatus.Listed);
        private static readonly string[] OpenStatuses = [EnumText.ToText(DispatchStatus.Pending), EnumText.ToText(DispatchStatus.Accepted)];

        public async ValueTask<int> Handle(DispatchRequest command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var id = new { Id = command.RequestId };
            if (await unit.QuerySingleOrDefaultAsync<RequestRow>(unit.Dialect.Locked(RequestSql), id) is not { } request) return 0;
            var dispatched = await unit.QueryAsync<DispatchedRow>(DispatchedSql, id);
            var open = dispatched.Count(d => OpenStatuses.Contains(d.Status));
            var taken = dispatched.Select(d => d.InstitutionId).ToHashSet();
            var next = (await unit.QueryAsync<RankedRow>(RankingSql, id))
                .Where(ranked => ranked.ProductStatus == Listed && taken.Add(ranked.InstitutionId))   // the best listed product of each institution not yet asked
                .Take(Math.Max(0, options.Value.InstitutionsPerRequest - open))
                .ToArray();

            var requestStep = new RequestStep(command.RequestId, request.EnterpriseId, request.RegionCode) { SubmittedAt = request.SubmittedAt };
            if (open == 0 && next.Length == 0)
            {
                var reason = dispatched.Count == 0
                    ? "No listed product matches this request. / 暂无匹配的金融产品。"
                    : $"All {dispatched.Count} institutions in the ranking declined, rejected or did not answer in time. / 排名内的 {dispatched.Count} 家机构均已拒绝或超时未答复。";
                await steps.TryMoveAsync(Transitions.Expired, requestStep with { Detail = reason }, now);
                return 0;
            }

            var answerDueAt = calendar.AddWorkingDays(now, options.Value.AnswerWorkingDays);
            var opening = dispatched.Count == 0 ? Transitions.FirstDispatch : Transitions.Redispatch;
            foreach (var ranked in next)
            {
                var dispatchId = Guid.CreateVersion7().ToString();
                unit.WriteLater(InsertDispatchSql, dispatchId, command.RequestId, ranked.InstitutionId, ranked.ProductId, ranked.Rank, now, answerDueAt);
                await steps.TryMoveAsync(opening, new DispatchStep(dispatchId, command.RequestId, ranked.InstitutionId, ranked.InstitutionName,
                    request.EnterpriseId, request.RegionCode, request.SubmittedAt)
                {
                    Detail = ranked.ProductName, Due = answerDueAt, Data = new { productId = ranked.ProductId, answerDueAt },
                }, now);
            }
            if (next.Length > 0) await steps.TryMoveAsync(Transitions.Dispatched, requestStep, now);
            return next.Length;
        }

        private sealed class RequestRow
        {
            public string EnterpriseId { get; set; } = "";
            public string RegionCode { get; set; } = "";
            public DateTimeOffset SubmittedAt { get; set; }
        }

        private sealed class DispatchedRow
        {
            public string InstitutionId { get; set; } = "";
            public string Status { get; set; } = "";
        }

        private sealed class RankedRow
        {
            public int Rank { get; set; }
            public string ProductId { get; set; } = "";
            public string InstitutionId { get; set; } = "";
            public string InstitutionName { get; set; } = "";
            public string ProductName { get; set; } = "";
            public string ProductStatus { get; set; } = "";
        }
    }
}
