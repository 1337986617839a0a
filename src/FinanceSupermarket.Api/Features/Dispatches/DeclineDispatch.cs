using Dapper;
using FinanceSupermarket.Api.Features.FinancingRequests;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Dispatches;

public sealed record DeclineBody(string Reason);

/// <summary>The institution declines, saying why; the request goes on to the next institution in the ranking.</summary>
public sealed record DeclineDispatch(string Id, string Reason) : Mediator.ICommand<DispatchView>
{
    public sealed class Validator : AbstractValidator<DeclineDispatch>
    {
        public Validator() => RuleFor(x => x.Reason).NotEmpty().MaximumLength(500).WithMessage("Say why, in at most 500 characters.");
    }

    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock, Notifier notifier, IMediator mediator) : ICommandHandler<DeclineDispatch, DispatchView>
    {
        private const string DeclineSql = """
            UPDATE dispatches SET status = 'declined', answered_at = @Now, answered_on_time = @OnTime, decline_reason = @Reason, updated_at = @Now
            WHERE id = @Id AND status = 'pending'
            """;

        public async ValueTask<DispatchView> Handle(DeclineDispatch command, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            var now = clock.GetUtcNow();
            var requestId = await db.InTransactionAsync(async (connection, transaction) =>
            {
                var dispatch = await OwnDispatch.LoadAsync(connection, transaction, command.Id, institutionId);
                var onTime = now <= dispatch.AnswerDueAt;
                if (await connection.ExecuteAsync(DeclineSql, new { command.Id, command.Reason, Now = now, OnTime = onTime }, transaction) == 0)
                    throw dispatch.Refuse("declining");
                await RequestFigures.AnsweredAsync(connection, transaction, dispatch.RequestId, dispatch.SubmittedAt, now, accepted: false, onTime);
                await RequestTimeline.AppendAsync(connection, transaction, dispatch.RequestId, now, "declined", $"{dispatch.InstitutionName}: {command.Reason}", institutionId);
                await notifier.NotifyAsync(connection, transaction, now, new Notification(Recipient.Enterprise(dispatch.EnterpriseId, dispatch.RegionCode), "declined",
                    $"{dispatch.InstitutionName} 未受理：{command.Reason}。平台将转派下一家机构。", dispatch.RequestId));
                return dispatch.RequestId;
            }, cancellationToken);
            notifier.AfterCommit();
            await mediator.Send(new DispatchRequest(requestId), cancellationToken);
            return await mediator.Send(new GetDispatch(command.Id), cancellationToken);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/decline", async (string id, DeclineBody body, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new DeclineDispatch(id, body.Reason), ct)))
            .WithSummary("Decline a dispatch with a reason (the institution dispatched to)");
}
