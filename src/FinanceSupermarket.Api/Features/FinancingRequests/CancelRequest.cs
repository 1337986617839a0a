using Dapper;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

public sealed record CancelBody(string? Reason);

/// <summary>The enterprise withdraws its need while it is still open (not resolved, expired or cancelled).</summary>
public sealed record CancelRequest(string Id, string? Reason) : Mediator.ICommand<RequestView>
{
    public sealed class Validator : AbstractValidator<CancelRequest>
    {
        public Validator() => RuleFor(x => x.Reason).Text(500);
    }

    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock, IMediator mediator, Notifier notifier) : ICommandHandler<CancelRequest, RequestView>
    {
        private const string StateSql = "SELECT status, region_code AS RegionCode FROM financing_requests WHERE id = @Id AND enterprise_id = @EnterpriseId";
        private const string OpenDispatchesSql = "SELECT institution_id AS InstitutionId FROM dispatches WHERE request_id = @Id AND status IN ('pending', 'accepted')";
        private const string CloseDispatchesSql = "UPDATE dispatches SET status = 'closed', updated_at = @Now WHERE request_id = @Id AND status IN ('pending', 'accepted')";
        private const string CancelSql = """
            UPDATE financing_requests SET status = @Cancelled, status_reason = @Reason, updated_at = @Now
            WHERE id = @Id AND status IN (@Submitted, @Published, @Dispatched)
            """;

        public async ValueTask<RequestView> Handle(CancelRequest command, CancellationToken cancellationToken)
        {
            var enterpriseId = user.RequireEnterpriseId();
            await db.InTransactionAsync(async (connection, transaction) =>
            {
                var state = await connection.QuerySingleOrDefaultAsync<State>(StateSql, new { command.Id, EnterpriseId = enterpriseId }, transaction)
                            ?? throw new NotFoundException("The financing request");
                var now = clock.GetUtcNow();
                var cancelled = await connection.ExecuteAsync(CancelSql, new
                {
                    command.Id, Cancelled = EnumText.ToText(RequestStatus.Cancelled), command.Reason, Now = now,
                    Submitted = EnumText.ToText(RequestStatus.Submitted), Published = EnumText.ToText(RequestStatus.Published),
                    Dispatched = EnumText.ToText(RequestStatus.Dispatched),
                }, transaction);
                if (cancelled == 0) throw new ConflictException($"The request is {state.Status} and can no longer be cancelled.");
                await RequestTimeline.AppendAsync(connection, transaction, command.Id, now, "cancelled", command.Reason);

                // The institutions still working on it are told, and their dispatches closed.
                var institutions = (await connection.QueryAsync<string>(OpenDispatchesSql, new { command.Id }, transaction)).ToArray();
                await connection.ExecuteAsync(CloseDispatchesSql, new { command.Id, Now = now }, transaction);
                await notifier.NotifyAsync(connection, transaction, now, institutions.Select(institution => new Notification(
                    Recipient.Institution(institution, state.RegionCode), "cancelled", "企业已撤回该融资需求。The enterprise withdrew this financing request.", command.Id)).ToArray());
                return cancelled;
            }, cancellationToken);
            notifier.AfterCommit();
            return await mediator.Send(new GetRequest(command.Id), cancellationToken);
        }

        private sealed class State
        {
            public string Status { get; set; } = "";
            public string RegionCode { get; set; } = "";
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/cancel", async (string id, CancelBody? body, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new CancelRequest(id, body?.Reason), ct)))
            .RequireAuthorization(AuthModule.Policies.Enterprise)
            .WithSummary("Cancel an open financing request (owner)");
}
