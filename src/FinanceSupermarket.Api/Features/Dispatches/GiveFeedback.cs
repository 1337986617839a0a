using FinanceSupermarket.Api.Infrastructure.OpenApi;
using System.ComponentModel.DataAnnotations;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Dispatches;

public enum FeedbackOutcome { Approved, Rejected, Withdrawn }

/// <summary>Why an institution did not approve, from a list the regulator can count, besides the institution's own words.</summary>
public enum RejectionReason
{
    WeakRepaymentCapacity, InsufficientCollateral, PoorCreditRecord, OutsideCreditPolicy, IncompleteDocuments, EnterpriseWithdrew, Other,
}

public sealed record FeedbackBody([property: Required] FeedbackOutcome? Outcome, decimal? Amount, decimal? Rate, int? TermMonths, [property: MultiLine] string? Reason, RejectionReason? ReasonCode = null)
    : Contract.IExample<FeedbackBody>
{
    public static FeedbackBody Example => new(FeedbackOutcome.Approved, 1_000_000m, 4.35m, 12, null);
}

/// <summary>
/// 第一时间反馈 (seeds/002 task 6): the institution's final result. The first approval resolves the request — its amount
/// is the matchmaking amount (撮合融资金额) regulators count — and closes the other open dispatches as superseded.
/// A rejection or withdrawal sends the request on to the next institution in the ranking.
/// </summary>
public sealed record GiveFeedback(string Id, FeedbackBody Body) : Mediator.ICommand
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
                .WithMessage(_ => RuleTexts.Say("FeedbackReason"));
            RuleFor(x => x.Body.ReasonCode).NotNull().OverridePropertyName("ReasonCode").When(x => x.Body.Outcome is FeedbackOutcome.Rejected)
                .WithMessage("Choose the reason: weak_repayment_capacity, insufficient_collateral, poor_credit_record, outside_credit_policy, incomplete_documents, enterprise_withdrew or other.");
            RuleFor(x => x.Body.Reason).Text(500).OverridePropertyName("Reason");
        }
    }

    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, TimeProvider clock) : ICommandHandler<GiveFeedback>
    {
        public async ValueTask<Unit> Handle(GiveFeedback command, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            var now = clock.GetUtcNow();
            var body = command.Body;
            var outcome = body.Outcome!.Value;
            var approved = outcome == FeedbackOutcome.Approved;
            var dispatch = await OwnDispatch.LoadAsync(unit, command.Id, institutionId);
            var terms = approved ? new ApprovedTerms(body.Amount!.Value, body.Rate!.Value, body.TermMonths!.Value) : null;
            if (terms is not null) dispatch.RequireWithinReason(terms);
            var step = dispatch.Step(now) with
            {
                Detail = body.ReasonCode is { } reasonCode && !approved ? $"{EnumText.ToText(reasonCode)}: {body.Reason}" : body.Reason, Terms = terms,
                Values = new
                {
                    Outcome = EnumText.ToText(outcome), Amount = terms?.Amount, Rate = terms?.Rate, TermMonths = terms?.TermMonths,
                    Reason = approved ? null : body.Reason, ReasonCode = body.ReasonCode is { } code && !approved ? EnumText.ToText(code) : null,
                },
            };
            var transition = outcome switch
            {
                FeedbackOutcome.Approved => Transitions.Approved,
                FeedbackOutcome.Rejected => Transitions.Rejected,
                _ => Transitions.Withdrawn,
            };
            if (!await steps.TryMoveAsync(transition, step, now)) throw dispatch.Refuse("AnswerFeedback");
            if (!approved) return Unit.Value;

            var request = new RequestStep(dispatch.RequestId, dispatch.EnterpriseId, dispatch.RegionCode)
            {
                SubmittedAt = dispatch.SubmittedAt, Detail = terms!.ToString(),
                Approval = new Approval(terms.Amount, terms.Rate, institutionId, dispatch.ProductKind, dispatch.ProductGuaranteeModes),
            };
            if (!await steps.TryMoveAsync(Transitions.Resolved, request, now))
                throw new ConflictException(RuleTexts.Say("RequestNoLongerOpen", dispatch.RequestStatus));
            await steps.MoveOpenDispatchesAsync(Transitions.Superseded, request, except: command.Id, now);
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/feedback", async (string id, FeedbackBody body, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new GiveFeedback(id, body), ct);
                return TypedResults.Ok(await mediator.Send(new GetDispatch(id), ct));
            })
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Posts the final result of an accepted dispatch: `approved` with the amount, annual rate and term (each within the matched product's ranges, the amount at most what was asked), or `rejected`/`withdrawn` with a `reasonCode` and the reason. The enterprise is told and the regulator's figures follow at once.")
            .WithSummary("Give the final result: approved (amount, rate, termMonths) or rejected/withdrawn (reason)");
}
