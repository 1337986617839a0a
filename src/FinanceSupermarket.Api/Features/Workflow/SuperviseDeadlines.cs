using Dapper;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Jobs;
using FinanceSupermarket.Domain;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>
/// The supervisor (督导), run every minute and at start-up: escalates dispatches whose answer or feedback deadline has
/// passed (<see cref="EscalateDispatch"/>), then re-drives every step the database says is due but was not done (a lost
/// job, a crashed node, an in-memory job store after a restart). Each transition is conditional on the row's state, so
/// running it twice, or on two nodes at once, does nothing twice. A sweep, not a command: every item is a unit of work
/// of its own, so one that fails is logged and left for the next run without stopping the others.
/// </summary>
public sealed record SuperviseDeadlines : IRequest<SuperviseDeadlines.Report>
{
    public sealed record Report(int Overdue, int Published, int Dispatched, int Webhooks);

    private const int Batch = 500;

    public sealed class Handler(Db db, TimeProvider clock, IOptions<WorkflowOptions> options, JobQueue jobs, IMediator mediator,
        ILogger<SuperviseDeadlines> logger) : IRequestHandler<SuperviseDeadlines, Report>
    {
        private const string DueDispatchesSql = """
            SELECT d.id FROM dispatches d
            WHERE (d.status = 'pending' AND d.answer_due_at <= @Now) OR (d.status = 'accepted' AND d.feedback_due_at <= @Now)
            ORDER BY d.answer_due_at
            """;

        // A dispatched request is owed a dispatch step when it has fewer open dispatches than configured and either none at
        // all (it must be topped up or expire) or an institution in its ranking not yet asked. That is the state a decline,
        // a rejection or an escalation leaves when the node dies before its follow-up dispatch; the dispatch rows' own
        // times give that follow-up its grace period.
        private const string StalledSql = """
            SELECT r.id, r.status FROM financing_requests r
            WHERE (r.status IN ('submitted', 'published') AND r.duplicate_of IS NULL AND r.updated_at <= @Before)
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
            List<string> due;
            List<StalledRequest> stalled;
            List<string> webhooks;
            await using (var connection = await db.OpenAsync(cancellationToken))
            {
                due = (await connection.QueryAsync<string>(db.Dialect.Top(DueDispatchesSql), new { Now = now, Take = Batch })).ToList();
                stalled = (await connection.QueryAsync<StalledRequest>(db.Dialect.Top(StalledSql),
                    new { Before = before, PerRequest = options.Value.InstitutionsPerRequest, Take = Batch })).ToList();
                webhooks = (await connection.QueryAsync<string>(db.Dialect.Top(DueWebhooksSql), new { Before = before, Take = Batch })).ToList();
            }

            var overdue = 0;
            foreach (var dispatch in due)
                await IsolatedAsync($"escalating dispatch {dispatch}", async () =>
                {
                    if (await mediator.Send(new EscalateDispatch(dispatch), cancellationToken)) overdue++;
                });

            var published = 0;
            var dispatched = 0;
            foreach (var request in stalled)
                await IsolatedAsync($"re-driving request {request.Id}", async () =>
                {
                    var submitted = request.Status == EnumText.ToText(RequestStatus.Submitted);
                    if (submitted && await mediator.Send(new PublishRequest(request.Id), cancellationToken)) published++;
                    else if (!submitted && await mediator.Send(new DispatchRequest(request.Id), cancellationToken) >= 0) dispatched++;
                });

            foreach (var delivery in webhooks) jobs.Enqueue<NotificationJobs>(job => job.DeliverWebhookAsync(delivery));
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

        private sealed class StalledRequest
        {
            public string Id { get; set; } = "";
            public string Status { get; set; } = "";
        }
    }
}
