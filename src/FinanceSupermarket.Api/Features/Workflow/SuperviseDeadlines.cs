using Dapper;
using FinanceSupermarket.Api.Features.FinancingRequests;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Database;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>
/// The supervisor (督导), run every minute and at start-up: marks dispatches whose answer or feedback deadline has passed
/// as overdue, lists them for the regulator, tells the institution and the regulator, and re-dispatches the request;
/// then re-drives every step the database says is due but was not done (a lost job, a crashed node, an in-memory
/// job store after a restart). Each transition is conditional on the row's state, so running it twice, or on two
/// nodes at once, does nothing twice.
/// </summary>
public sealed record SuperviseDeadlines : Mediator.ICommand<SuperviseDeadlines.Report>
{
    public sealed record Report(int Overdue, int Published, int Dispatched, int Webhooks);

    private const int Batch = 500;

    public sealed class Handler(Db db, Notifier notifier, TimeProvider clock, IOptions<WorkflowOptions> options, IWorkflowScheduler scheduler, IMediator mediator,
        ILogger<SuperviseDeadlines> logger) : ICommandHandler<SuperviseDeadlines, Report>
    {
        private const string DueDispatchesSql = """
            SELECT d.id, d.request_id AS RequestId, d.institution_id AS InstitutionId, d.status, r.region_code AS RegionCode,
                   i.name AS InstitutionName
            FROM dispatches d
            JOIN financing_requests r ON r.id = d.request_id
            JOIN institutions i ON i.id = d.institution_id
            WHERE (d.status = 'pending' AND d.answer_due_at <= @Now) OR (d.status = 'accepted' AND d.feedback_due_at <= @Now)
            ORDER BY d.answer_due_at
            """;
        private const string MarkOverdueSql = "UPDATE dispatches SET status = 'overdue', overdue_at = @Now, updated_at = @Now WHERE id = @Id AND status = @Status";

        // A dispatched request is owed a dispatch step when it has fewer open dispatches than configured and either none at
        // all (it must be topped up or expire) or an institution in its ranking not yet asked. That is the state a decline,
        // a rejection or an escalation leaves when the node dies before its follow-up dispatch; the dispatch rows' own
        // times give that follow-up its grace period.
        private const string StalledSql = """
            SELECT r.id, r.status FROM financing_requests r
            WHERE (r.status IN ('submitted', 'published') AND r.updated_at <= @Before)
               OR (r.status = 'dispatched'
                   AND NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.request_id = r.id AND d.updated_at > @Before)
                   AND (SELECT COUNT(*) FROM dispatches d WHERE d.request_id = r.id AND d.status IN ('pending', 'accepted')) < @PerRequest
                   AND (NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.request_id = r.id AND d.status IN ('pending', 'accepted'))
                        OR EXISTS (SELECT 1 FROM request_matches m JOIN products p ON p.id = m.product_id
                                   WHERE m.request_id = r.id AND p.status = 'listed'
                                     AND NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.request_id = r.id AND d.institution_id = m.institution_id))))
            ORDER BY r.updated_at
            """;
        private const string DueWebhooksSql = "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= @Before ORDER BY next_attempt_at";

        public async ValueTask<Report> Handle(SuperviseDeadlines command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var before = now - options.Value.RedriveAfter;
            List<DueDispatch> due;
            List<StalledRequest> stalled;
            List<string> webhooks;
            await using (var connection = await db.OpenAsync(cancellationToken))
            {
                due = (await connection.QueryAsync<DueDispatch>(db.Dialect.Top(DueDispatchesSql), new { Now = now, Take = Batch })).ToList();
                stalled = (await connection.QueryAsync<StalledRequest>(db.Dialect.Top(StalledSql),
                    new { Before = before, PerRequest = options.Value.InstitutionsPerRequest, Take = Batch })).ToList();
                webhooks = (await connection.QueryAsync<string>(db.Dialect.Top(DueWebhooksSql), new { Before = before, Take = Batch })).ToList();
            }

            var overdue = 0;
            foreach (var dispatch in due)
                await IsolatedAsync($"escalating dispatch {dispatch.Id}", async () =>
                {
                    if (!await MarkOverdueAsync(dispatch, now, cancellationToken)) return;
                    overdue++;
                    await mediator.Send(new DispatchRequest(dispatch.RequestId), cancellationToken);
                });

            var published = 0;
            var dispatched = 0;
            foreach (var request in stalled)
                await IsolatedAsync($"re-driving request {request.Id}", async () =>
                {
                    if (request.Status == "submitted" && await mediator.Send(new PublishRequest(request.Id), cancellationToken)) published++;
                    else if (request.Status != "submitted" && await mediator.Send(new DispatchRequest(request.Id), cancellationToken) >= 0) dispatched++;
                });

            foreach (var delivery in webhooks) scheduler.DeliverWebhook(delivery);
            return new Report(overdue, published, dispatched, webhooks.Count);
        }

        /// <summary>
        /// One item that keeps failing (bad data, a bug) is logged and left for the next run: it must not stop the sweep,
        /// or every item behind it in the batch would starve with it.
        /// </summary>
        private async Task IsolatedAsync(string step, Func<Task> work)
        {
            try
            {
                await work();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Supervisor: {Step} failed; the next run tries again", step);
            }
        }

        private async Task<bool> MarkOverdueAsync(DueDispatch dispatch, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var marked = await db.InTransactionAsync(async (connection, transaction) =>
            {
                if (await connection.ExecuteAsync(MarkOverdueSql, new { dispatch.Id, dispatch.Status, Now = now }, transaction) == 0) return false;
                if (dispatch.Status == "pending") await RequestFigures.UnansweredAsync(connection, transaction, dispatch.RequestId);
                var stage = dispatch.Status == "pending" ? "answer / 答复" : "feedback / 反馈";
                await RequestTimeline.AppendAsync(connection, transaction, dispatch.RequestId, now, "overdue",
                    $"{dispatch.InstitutionName}: {stage} deadline passed, escalated / 超时未{(dispatch.Status == "pending" ? "答复" : "反馈")}，已督导", dispatch.InstitutionId);
                await notifier.NotifyAsync(connection, transaction, now,
                    new Notification(Recipient.Institution(dispatch.InstitutionId, dispatch.RegionCode), "overdue",
                        $"派单已超时（{stage}），已上报监管并转派。The dispatch is overdue ({stage}); it was escalated and re-dispatched.", dispatch.RequestId),
                    new Notification(Recipient.Regulators(dispatch.RegionCode), "overdue",
                        $"{dispatch.InstitutionName} 超时未{(dispatch.Status == "pending" ? "答复" : "反馈")}（派单 {dispatch.Id}）。", dispatch.RequestId));
                return true;
            }, cancellationToken);
            notifier.AfterCommit();
            return marked;
        }

        private sealed class DueDispatch
        {
            public string Id { get; set; } = "";
            public string RequestId { get; set; } = "";
            public string InstitutionId { get; set; } = "";
            public string Status { get; set; } = "";
            public string RegionCode { get; set; } = "";
            public string InstitutionName { get; set; } = "";
        }

        private sealed class StalledRequest
        {
            public string Id { get; set; } = "";
            public string Status { get; set; } = "";
        }
    }
}
