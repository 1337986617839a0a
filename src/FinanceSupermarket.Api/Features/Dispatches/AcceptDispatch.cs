using Dapper;
using FinanceSupermarket.Api.Features.FinancingRequests;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain.Calendar;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Dispatches;

/// <summary>
/// The institution takes the request on. Its final feedback is then due within the product's approvalDays working
/// days, capped by the platform's maximum.
/// </summary>
public sealed record AcceptDispatch(string Id) : Mediator.ICommand<DispatchView>
{
    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock, WorkingDayCalendar calendar, IOptions<WorkflowOptions> options,
        Notifier notifier, IMediator mediator) : ICommandHandler<AcceptDispatch, DispatchView>
    {
        private const string AcceptSql = """
            UPDATE dispatches SET status = 'accepted', answered_at = @Now, answered_on_time = @OnTime, feedback_due_at = @FeedbackDueAt, updated_at = @Now
            WHERE id = @Id AND status = 'pending'
            """;

        public async ValueTask<DispatchView> Handle(AcceptDispatch command, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            var now = clock.GetUtcNow();
            await db.InTransactionAsync(async (connection, transaction) =>
            {
                var dispatch = await OwnDispatch.LoadAsync(connection, transaction, command.Id, institutionId);
                var feedbackDueAt = calendar.AddWorkingDays(now, Math.Min(dispatch.ApprovalDays, options.Value.MaxFeedbackWorkingDays));
                var onTime = now <= dispatch.AnswerDueAt;
                var accepted = await connection.ExecuteAsync(AcceptSql, new { command.Id, Now = now, OnTime = onTime, FeedbackDueAt = feedbackDueAt }, transaction);
                if (accepted == 0) throw dispatch.Refuse("accepting");
                await RequestFigures.AnsweredAsync(connection, transaction, dispatch.RequestId, dispatch.SubmittedAt, now, accepted: true, onTime);
                await RequestTimeline.AppendAsync(connection, transaction, dispatch.RequestId, now, "accepted",
                    $"{dispatch.InstitutionName} accepted; result due {feedbackDueAt.PlatformText()} / 已受理，反馈期限 {feedbackDueAt.PlatformText()}", institutionId);
                await notifier.NotifyAsync(connection, transaction, now, new Notification(Recipient.Enterprise(dispatch.EnterpriseId, dispatch.RegionCode), "accepted",
                    $"{dispatch.InstitutionName} 已受理您的融资需求，将于 {feedbackDueAt.PlatformText()} 前反馈结果。{dispatch.InstitutionName} accepted your request.", dispatch.RequestId));
                return accepted;
            }, cancellationToken);
            notifier.AfterCommit();
            return await mediator.Send(new GetDispatch(command.Id), cancellationToken);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/accept", async (string id, IMediator mediator, CancellationToken ct) => Results.Ok(await mediator.Send(new AcceptDispatch(id), ct)))
            .WithSummary("Accept a dispatch (the institution dispatched to)");
}
