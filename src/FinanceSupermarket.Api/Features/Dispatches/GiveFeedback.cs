using Dapper;
using FinanceSupermarket.Api.Features.FinancingRequests;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Dispatches;

public enum FeedbackOutcome { Approved, Rejected, Withdrawn }

public sealed record FeedbackBody(FeedbackOutcome? Outcome, decimal? Amount, decimal? Rate, int? TermMonths, string? Reason);

/// <summary>
/// 第一时间反馈 (seeds/002 task 6): the institution's final result. The first approval resolves the request — its amount
/// is the matchmaking amount (撮合融资金额) regulators count — and closes the other open dispatches as superseded.
/// A rejection or withdrawal sends the request on to the next institution in the ranking.
/// </summary>
public sealed record GiveFeedback(string Id, FeedbackBody Body) : Mediator.ICommand<DispatchView>
{
    public sealed class Validator : AbstractValidator<GiveFeedback>
    {
        public Validator()
        {
            RuleFor(x => x.Body.Outcome).NotNull().OverridePropertyName("Outcome").WithMessage("Must be one of approved, rejected, withdrawn.");
            When(x => x.Body.Outcome == FeedbackOutcome.Approved, () =>
            {
                RuleFor(x => x.Body.Amount).NotNull().OverridePropertyName("Amount");
                RuleFor(x => x.Body.Amount!.Value).Money().OverridePropertyName("Amount").When(x => x.Body.Amount is not null);
                RuleFor(x => x.Body.Rate).NotNull().OverridePropertyName("Rate");
                RuleFor(x => x.Body.Rate!.Value).AnnualRate().OverridePropertyName("Rate").When(x => x.Body.Rate is not null);
                RuleFor(x => x.Body.TermMonths).NotNull().OverridePropertyName("TermMonths");
                RuleFor(x => x.Body.TermMonths!.Value).TermMonths().OverridePropertyName("TermMonths").When(x => x.Body.TermMonths is not null);
            });
            RuleFor(x => x.Body.Reason).NotEmpty().OverridePropertyName("Reason").When(x => x.Body.Outcome is FeedbackOutcome.Rejected or FeedbackOutcome.Withdrawn)
                .WithMessage("Say why the request was rejected or withdrawn.");
            RuleFor(x => x.Body.Reason).Text(500).OverridePropertyName("Reason");
        }
    }

    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock, Notifier notifier, IMediator mediator) : ICommandHandler<GiveFeedback, DispatchView>
    {
        private const string CloseSql = """
            UPDATE dispatches SET status = 'closed', outcome = @Outcome, approved_amount = @Amount, approved_rate = @Rate,
                approved_term_months = @TermMonths, reject_reason = @Reason, feedback_at = @Now, updated_at = @Now
            WHERE id = @Id AND status = 'accepted'
            """;
        private const string ResolveSql = """
            UPDATE financing_requests SET status = 'resolved', resolved_at = @Now, updated_at = @Now WHERE id = @RequestId AND status = 'dispatched'
            """;
        private const string OthersSql = """
            SELECT institution_id FROM dispatches WHERE request_id = @RequestId AND id <> @Id AND status IN ('pending', 'accepted')
            """;
        private const string SupersedeSql = """
            UPDATE dispatches SET status = 'superseded', updated_at = @Now WHERE request_id = @RequestId AND id <> @Id AND status IN ('pending', 'accepted')
            """;

        public async ValueTask<DispatchView> Handle(GiveFeedback command, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            var now = clock.GetUtcNow();
            var body = command.Body;
            var approved = body.Outcome == FeedbackOutcome.Approved;
            var requestId = await db.InTransactionAsync(async (connection, transaction) =>
            {
                var dispatch = await OwnDispatch.LoadAsync(connection, transaction, command.Id, institutionId);
                var closed = await connection.ExecuteAsync(CloseSql, new
                {
                    command.Id, Outcome = Domain.EnumText.ToText(body.Outcome!.Value), Amount = approved ? body.Amount : null, Rate = approved ? body.Rate : null,
                    TermMonths = approved ? body.TermMonths : null, Reason = approved ? null : body.Reason, Now = now,
                }, transaction);
                if (closed == 0) throw dispatch.Refuse("feedback");
                var enterprise = Recipient.Enterprise(dispatch.EnterpriseId, dispatch.RegionCode);

                if (!approved)
                {
                    await RequestTimeline.AppendAsync(connection, transaction, dispatch.RequestId, now, Domain.EnumText.ToText(body.Outcome!.Value),
                        $"{dispatch.InstitutionName}: {body.Reason}", institutionId);
                    await notifier.NotifyAsync(connection, transaction, now, new Notification(enterprise, "rejected",
                        $"{dispatch.InstitutionName} 反馈：未获批准（{body.Reason}）。平台将转派下一家机构。", dispatch.RequestId));
                    return dispatch.RequestId;
                }

                if (await connection.ExecuteAsync(ResolveSql, new { dispatch.RequestId, Now = now }, transaction) == 0)
                    throw new ConflictException($"The request is already {dispatch.RequestStatus}; an approval can no longer resolve it.");
                await RequestFigures.ApprovedAsync(connection, transaction, dispatch.RequestId, dispatch.SubmittedAt, now, body.Amount!.Value,
                    institutionId, dispatch.ProductKind, dispatch.ProductGuaranteeModes);
                var others = (await connection.QueryAsync<string>(OthersSql, new { dispatch.RequestId, command.Id }, transaction)).ToArray();
                await connection.ExecuteAsync(SupersedeSql, new { dispatch.RequestId, command.Id, Now = now }, transaction);
                var terms = $"{body.Amount:N2} yuan at {body.Rate}% for {body.TermMonths} months";
                await RequestTimeline.AppendAsync(connection, transaction, dispatch.RequestId, now, "approved", $"{dispatch.InstitutionName}: {terms}", institutionId);
                await RequestTimeline.AppendAsync(connection, transaction, dispatch.RequestId, now, "resolved", $"融资对接成功 / matched: {terms}");
                await notifier.NotifyAsync(connection, transaction, now,
                    [
                        new Notification(enterprise, "approved", $"{dispatch.InstitutionName} 已批准：{body.Amount:N2} 元，年利率 {body.Rate}%，期限 {body.TermMonths} 个月。", dispatch.RequestId),
                        new Notification(Recipient.Regulators(dispatch.RegionCode), "approved", $"撮合成功：{dispatch.InstitutionName} 批准 {body.Amount:N2} 元。", dispatch.RequestId),
                        .. others.Select(other => new Notification(Recipient.Institution(other, dispatch.RegionCode), "superseded",
                            "该融资需求已由其他机构批准，派单关闭。Another institution approved this request; your dispatch is closed.", dispatch.RequestId)),
                    ]);
                return dispatch.RequestId;
            }, cancellationToken);
            notifier.AfterCommit();
            if (!approved) await mediator.Send(new DispatchRequest(requestId), cancellationToken);
            return await mediator.Send(new GetDispatch(command.Id), cancellationToken);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/feedback", async (string id, FeedbackBody body, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new GiveFeedback(id, body), ct)))
            .WithSummary("Give the final result: approved (amount, rate, termMonths) or rejected/withdrawn (reason)");
}
