using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Notifications;

public sealed record NotificationView(long Id, string Event, string Message, string? RequestId, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

/// <summary>The caller's notifications, newest first: an enterprise's or institution's own, a regulator's within its region.</summary>
public sealed record ListNotifications(bool? UnreadOnly, int? Page, int? PageSize) : IQuery<Paged<NotificationView>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<ListNotifications>
    {
        public Validator()
        {
            this.AddPagingRules();
        }
    }

    /// <summary>The WHERE clause that keeps each user to its own notifications; marking one read uses it too.</summary>
    public const string MineSql = """
         WHERE recipient_role = @Role
          AND (recipient_id = @RecipientId OR (recipient_role = 'regulator' AND region_code LIKE @RegionLike))
        """;

    public static object Mine(CurrentUser user) => new
    {
        Role = user.Role is { } role ? EnumText.ToText(role) : "",
        RecipientId = user.Is(Role.Enterprise) ? user.EnterpriseId : user.Is(Role.Institution) ? user.InstitutionId : "-",
        RegionLike = (user.Region ?? "") + "%",
    };

    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<ListNotifications, Paged<NotificationView>>
    {
        private const string FilterSql = MineSql + " AND (@UnreadOnly = 0 OR read_at IS NULL)";
        private const string CountSql = "SELECT COUNT(*) FROM notifications" + FilterSql;
        private const string PageSql = """
            SELECT id, event, message, request_id AS RequestId, created_at AS CreatedAt, read_at AS ReadAt FROM notifications
            """ + FilterSql + " ORDER BY id DESC";

        public async ValueTask<Paged<NotificationView>> Handle(ListNotifications query, CancellationToken cancellationToken)
        {
            var window = PageWindow.Of(query);
            var mine = new DynamicParameters(Mine(user));
            mine.AddDynamicParams(new { UnreadOnly = query.UnreadOnly == true ? 1 : 0, window.Skip, window.Take });
            await using var connection = await db.OpenAsync(cancellationToken);
            var total = await connection.ExecuteScalarAsync<long>(CountSql, mine);
            var items = (await connection.QueryAsync<NotificationView>(db.Dialect.Page(PageSql), mine)).ToArray();
            return window.With(items, total);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async ([AsParameters] ListNotifications query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .WithDescription("What happened to the caller's requests or dispatches, newest first; `?unreadOnly=true` for the unread ones only.")
            .WithSummary("The caller's notifications, newest first (?unreadOnly=true)");
}
