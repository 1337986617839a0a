using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using Mediator;

namespace FinanceSupermarket.Api.Features.Notifications;

public sealed record UnreadNotifications(long Unread);

/// <summary>
/// How many of the caller's notifications are unread: the portal's header shows it on every page, so it is one COUNT and
/// not the list query's count plus a page.
/// </summary>
public sealed record CountUnreadNotifications : IQuery<UnreadNotifications>
{
    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<CountUnreadNotifications, UnreadNotifications>
    {
        private const string UnreadSql = "SELECT COUNT(*) FROM notifications" + ListNotifications.MineSql + " AND read_at IS NULL";

        public async ValueTask<UnreadNotifications> Handle(CountUnreadNotifications query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            return new UnreadNotifications(await connection.ExecuteScalarAsync<long>(UnreadSql, ListNotifications.Mine(user)));
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/unread-count", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new CountUnreadNotifications(), ct)))
            .WithSummary("How many of the caller's notifications are unread")
            .WithDescription("One number for a badge: what `GET /api/v1/notifications` would list as unread for the caller, without reading the list.");
}
