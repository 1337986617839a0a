using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>A financing request with its timeline: for its enterprise, the institutions it was dispatched to, a regulator of its region, admins.</summary>
public sealed record GetRequest(string Id) : IQuery<RequestView>
{
    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<GetRequest, RequestView>
    {
        private const string ByIdSql = RequestRow.SelectSql + " WHERE id = @Id";
        private const string TimelineSql = "SELECT at, event, detail FROM request_events WHERE request_id = @Id ORDER BY id";

        public async ValueTask<RequestView> Handle(GetRequest query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<RequestRow>(ByIdSql, new { query.Id });
            if (row is null || !CanSee(row)) throw new NotFoundException("The financing request");
            var timeline = (await connection.QueryAsync<TimelineRow>(TimelineSql, new { query.Id }))
                .Select(entry => new TimelineEntry(entry.At, entry.Event, entry.Detail)).ToArray();
            return row.ToView(timeline, []);
        }

        private bool CanSee(RequestRow row) =>
            user.Is(Role.Admin) || user.Is(Role.Enterprise) && user.EnterpriseId == row.EnterpriseId || user.RegulatorCovers(row.RegionCode);

        private sealed class TimelineRow
        {
            public DateTimeOffset At { get; set; }
            public string Event { get; set; } = "";
            public string? Detail { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) => Results.Ok(await mediator.Send(new GetRequest(id), ct)))
            .RequireAuthorization()
            .WithSummary("A financing request with its timeline and dispatches");
}
