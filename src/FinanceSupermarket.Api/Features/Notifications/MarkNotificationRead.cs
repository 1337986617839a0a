using Dapper;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using Mediator;

namespace FinanceSupermarket.Api.Features.Notifications;

public sealed record MarkNotificationRead(long Id) : Mediator.ICommand<Unit>
{
    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<MarkNotificationRead, Unit>
    {
        private const string MarkSql = "UPDATE notifications SET read_at = @Now" + ListNotifications.MineSql + " AND id = @Id AND read_at IS NULL";
        private const string ExistsSql = "SELECT COUNT(*) FROM notifications" + ListNotifications.MineSql + " AND id = @Id";

        public async ValueTask<Unit> Handle(MarkNotificationRead command, CancellationToken cancellationToken)
        {
            var parameters = new DynamicParameters(ListNotifications.Mine(user));
            parameters.AddDynamicParams(new { command.Id, Now = clock.GetUtcNow() });
            if (await unit.ExecuteAsync(MarkSql, parameters) == 0 && await unit.ExecuteScalarAsync<long>(ExistsSql, parameters) == 0)
                throw new NotFoundException("The notification");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id:long}/read", async (long id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new MarkNotificationRead(id), ct);
                return TypedResults.NoContent();
            })
            .WithDescription("Marks one of the caller's notifications read; another person's notification answers 404.")
            .WithSummary("Mark one of the caller's notifications read");
}
