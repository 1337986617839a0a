using Dapper;
using FinanceSupermarket.Api.Features.FinancingRequests;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Database;
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
    public sealed class Handler(Db db, Notifier notifier, TimeProvider clock, WorkingDayCalendar calendar, IOptions<WorkflowOptions> options)
        : ICommandHandler<DispatchRequest, int>
    {
        // Taking the row lock serialises dispatchers of one request across nodes; the WHERE makes a finished request a no-op.
        private const string ClaimSql = """
            UPDATE financing_requests SET updated_at = @Now WHERE id = @Id AND status IN ('published', 'dispatched')
            """;
        private const string RequestSql = """
            SELECT enterprise_id AS EnterpriseId, region_code AS RegionCode, status, submitted_at AS SubmittedAt FROM financing_requests WHERE id = @Id
            """;
        private const string DispatchedSql = "SELECT institution_id AS InstitutionId, status FROM dispatches WHERE request_id = @Id";
        // The ranking's few rows are read by the request's key alone and delisted products dropped here: with the status in
        // the WHERE, a planner misled by stale statistics (a fresh catalogue) walked every listed product, 9 ms a dispatch.
        private const string RankingSql = """
            SELECT m.rank, m.product_id AS ProductId, m.institution_id AS InstitutionId, i.name AS InstitutionName, p.name AS ProductName,
                   p.status AS ProductStatus
            FROM request_matches m
            JOIN institutions i ON i.id = m.institution_id
            JOIN products p ON p.id = m.product_id
            WHERE m.request_id = @Id
            ORDER BY m.rank
            """;
        private const string InsertDispatchSql = """
            INSERT INTO dispatches (id, request_id, institution_id, product_id, rank, status, dispatched_at, answer_due_at, updated_at)
            VALUES (@Id, @RequestId, @InstitutionId, @ProductId, @Rank, 'pending', @Now, @AnswerDueAt, @Now)
            """;
        private const string MarkDispatchedSql = """
            UPDATE financing_requests SET status = 'dispatched', dispatched_at = @Now WHERE id = @Id AND status = 'published'
            """;
        private const string ExpireSql = """
            UPDATE financing_requests SET status = 'expired', status_reason = @Reason, resolved_at = @Now, updated_at = @Now WHERE id = @Id
            """;

        public async ValueTask<int> Handle(DispatchRequest command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var added = await db.InTransactionAsync(async (connection, transaction) =>
            {
                var id = new { Id = command.RequestId, Now = now };
                if (await connection.ExecuteAsync(ClaimSql, id, transaction) == 0) return 0;
                var request = await connection.QuerySingleAsync<RequestRow>(RequestSql, id, transaction);
                var dispatched = (await connection.QueryAsync<DispatchedRow>(DispatchedSql, id, transaction)).ToArray();
                var open = dispatched.Count(d => d.Status is "pending" or "accepted");
                var taken = dispatched.Select(d => d.InstitutionId).ToHashSet();
                var next = (await connection.QueryAsync<RankedRow>(RankingSql, id, transaction))
                    .Where(ranked => ranked.ProductStatus == "listed" && taken.Add(ranked.InstitutionId))   // the best listed product of each institution not yet asked
                    .Take(Math.Max(0, options.Value.InstitutionsPerRequest - open))
                    .ToArray();

                if (open == 0 && next.Length == 0)
                {
                    await ExpireAsync(connection, transaction, command.RequestId, request, dispatched.Length, now);
                    return 0;
                }

                var answerDueAt = calendar.AddWorkingDays(now, options.Value.AnswerWorkingDays);
                foreach (var ranked in next)
                {
                    await connection.ExecuteAsync(InsertDispatchSql, new
                    {
                        Id = Guid.CreateVersion7().ToString(), RequestId = command.RequestId, ranked.InstitutionId, ranked.ProductId, ranked.Rank,
                        Now = now, AnswerDueAt = answerDueAt,
                    }, transaction);
                    var @event = dispatched.Length == 0 ? "dispatched" : "redispatched";
                    await RequestTimeline.AppendAsync(connection, transaction, command.RequestId, now, @event,
                        $"{ranked.InstitutionName} · {ranked.ProductName}, answer due {answerDueAt.PlatformText()} / 答复期限 {answerDueAt.PlatformText()}",
                        ranked.InstitutionId);
                    await notifier.NotifyAsync(connection, transaction, now, new Notification(Recipient.Institution(ranked.InstitutionId, request.RegionCode),
                        "dispatched", $"新的融资需求派单（{ranked.ProductName}），请于 {answerDueAt.PlatformText()} 前答复。A financing request was dispatched to you; answer by {answerDueAt.PlatformText()}.",
                        command.RequestId, new { productId = ranked.ProductId, answerDueAt }));
                }
                await connection.ExecuteAsync(MarkDispatchedSql, id, transaction);
                return next.Length;
            }, cancellationToken);
            notifier.AfterCommit();
            return added;
        }

        private async Task ExpireAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string requestId,
            RequestRow request, int everDispatched, DateTimeOffset now)
        {
            var reason = everDispatched == 0
                ? "No listed product matches this request. / 暂无匹配的金融产品。"
                : $"All {everDispatched} institutions in the ranking declined, rejected or did not answer in time. / 排名内的 {everDispatched} 家机构均已拒绝或超时未答复。";
            await connection.ExecuteAsync(ExpireSql, new { Id = requestId, Reason = reason, Now = now }, transaction);
            await RequestFigures.ExpiredAsync(connection, transaction, requestId, request.SubmittedAt, now);
            await RequestTimeline.AppendAsync(connection, transaction, requestId, now, "expired", reason);
            await notifier.NotifyAsync(connection, transaction, now,
                new Notification(Recipient.Enterprise(request.EnterpriseId, request.RegionCode), "expired", $"融资需求已失效：{reason}", requestId),
                new Notification(Recipient.Regulators(request.RegionCode), "expired", $"融资需求 {requestId} 已失效：{reason}", requestId));
        }

        private sealed class RequestRow
        {
            public string EnterpriseId { get; set; } = "";
            public string RegionCode { get; set; } = "";
            public string Status { get; set; } = "";
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
