using System.ComponentModel.DataAnnotations;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Dispatches;

public sealed record CorrectionBody([property: Required] decimal? Amount, [property: Required] decimal? Rate, [property: Required] int? TermMonths, [property: Required] string? Reason);

/// <summary>
/// The approving institution corrects the result it posted: its own recorded step (who, when, old → new terms, why) on
/// the timeline the enterprise and the regulator read, and the figures follow it exactly. The corrected result awaits
/// the enterprise's word again (a dispute ends with it).
/// </summary>
public sealed record CorrectResult(string Id, CorrectionBody Body) : Mediator.ICommand
{
    public sealed class Validator : AbstractValidator<CorrectResult>
    {
        public Validator()
        {
            RuleFor(x => x.Body.Amount).NotNull().OverridePropertyName("Amount");
            RuleFor(x => x.Body.Amount!.Value).Money().OverridePropertyName("Amount").When(x => x.Body.Amount is not null);
            RuleFor(x => x.Body.Rate).NotNull().OverridePropertyName("Rate");
            RuleFor(x => x.Body.Rate!.Value).AnnualRate().OverridePropertyName("Rate").When(x => x.Body.Rate is not null);
            RuleFor(x => x.Body.TermMonths).NotNull().OverridePropertyName("TermMonths");
            RuleFor(x => x.Body.TermMonths!.Value).TermMonths().OverridePropertyName("TermMonths").When(x => x.Body.TermMonths is not null);
            RuleFor(x => x.Body.Reason).NotEmpty().WithMessage(_ => RuleTexts.Say("CorrectionReason")).Text(500).OverridePropertyName("Reason");
        }
    }

    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, TimeProvider clock) : ICommandHandler<CorrectResult>
    {
        public async ValueTask<Unit> Handle(CorrectResult command, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            var now = clock.GetUtcNow();
            var dispatch = await OwnDispatch.LoadAsync(unit, command.Id, institutionId);
            if (dispatch.Outcome != EnumText.ToText(FeedbackOutcome.Approved) || dispatch.PostedTerms is not { } old
                || dispatch.RequestStatus != EnumText.ToText(RequestStatus.Resolved))
                throw new ConflictException(RuleTexts.Say("CorrectOnlyApproval"));
            var terms = new ApprovedTerms(command.Body.Amount!.Value, command.Body.Rate!.Value, command.Body.TermMonths!.Value);
            dispatch.RequireWithinReason(terms);

            var detail = $"corrected {old} → {terms}: {command.Body.Reason!.Trim()} / 更正：{command.Body.Reason!.Trim()}";
            var step = dispatch.Step(now) with { Detail = detail, Values = new { terms.Amount, terms.Rate, terms.TermMonths } };
            if (!await steps.TryMoveAsync(Transitions.ResultCorrectedByInstitution, step, now))
                throw dispatch.Refuse("AnswerCorrection");
            var request = new RequestStep(dispatch.RequestId, dispatch.EnterpriseId, dispatch.RegionCode)
            {
                SubmittedAt = dispatch.SubmittedAt,
                Approval = new Approval(terms.Amount, terms.Rate, institutionId, dispatch.ProductKind, dispatch.ProductGuaranteeModes),
            };
            if (!await steps.TryMoveAsync(Transitions.ResultCorrected, request, now))
                throw new ConflictException(RuleTexts.Say("CorrectNotResolved"));
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/correction", async (string id, CorrectionBody body, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new CorrectResult(id, body), ct);
                return TypedResults.Ok(await mediator.Send(new GetDispatch(id), ct));
            })
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Corrects a posted approval's amount, rate or term, saying why. The correction is a step of its own on the request's timeline (who, when, old → new) and the regulator's figures follow it exactly.")
            .WithSummary("Correct a posted approval (amount, rate, termMonths) saying why; recorded, and the figures follow");
}
