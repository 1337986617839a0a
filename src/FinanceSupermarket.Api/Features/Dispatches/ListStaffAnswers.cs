using Dapper;
using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using Mediator;

namespace FinanceSupermarket.Api.Features.Dispatches;

/// <summary>
/// Who of the institution answered what: its people's (and API clients') recent steps on dispatched needs — accepting,
/// declining, a result, a correction — as the requests' timelines record them, newest first, for its manager.
/// </summary>
public sealed record ListStaffAnswers(string InstitutionId) : IQuery<IReadOnlyList<ListStaffAnswers.Answer>>
{
    public const int Recent = 50;

    public sealed class Answer
    {
        public DateTimeOffset At { get; set; }

        /// <summary>The step, as on the timeline: accepted, declined, approved, rejected, withdrawn, result_corrected.</summary>
        public string Event { get; set; } = "";
        public string ActorId { get; set; } = "";
        public string ActorName { get; set; } = "";
        public string DispatchId { get; set; } = "";
        public string EnterpriseName { get; set; } = "";
    }

    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<ListStaffAnswers, IReadOnlyList<Answer>>
    {
        private const string AnswersSql = """
            SELECT ev.at, ev.event, ev.actor_id AS ActorId, ev.actor_name AS ActorName, d.id AS DispatchId, e.name AS EnterpriseName
            FROM request_events ev
            JOIN dispatches d ON d.request_id = ev.request_id AND d.institution_id = ev.institution_id
            JOIN financing_requests r ON r.id = ev.request_id
            JOIN enterprises e ON e.id = r.enterprise_id
            WHERE ev.institution_id = @InstitutionId AND ev.actor_id IS NOT NULL
              AND ev.event IN ('accepted', 'declined', 'approved', 'rejected', 'withdrawn', 'result_corrected')
            ORDER BY ev.id DESC
            """;

        public async ValueTask<IReadOnlyList<Answer>> Handle(ListStaffAnswers query, CancellationToken cancellationToken)
        {
            user.RequireSteward(MembershipKind.Institution, query.InstitutionId);
            await using var connection = await db.OpenAsync(cancellationToken);
            return (await connection.QueryAsync<Answer>(db.Dialect.Top(AnswersSql), new { query.InstitutionId, Take = Recent })).ToArray();
        }
    }
}
