using FinanceSupermarket.Api.Infrastructure.OpenApi;
using System.ComponentModel.DataAnnotations;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;
using FinanceSupermarket.Api.Infrastructure.Validation;

namespace FinanceSupermarket.Api.Features.Dispatches;

/// <summary>Why an institution does not take a dispatched request on, from a list the regulator can count (贷款申请限时答复制: a refusal says why).</summary>
public enum DeclineReason
{
    /// <summary>不符合本机构授信政策 (industry, purpose or guarantee the institution does not lend to).</summary>
    OutsideCreditPolicy,

    /// <summary>超出本机构服务区域.</summary>
    OutsideServiceArea,

    /// <summary>金额或期限超出可办理范围.</summary>
    AmountOutOfRange,

    /// <summary>资料不足，无法受理.</summary>
    InsufficientInformation,

    /// <summary>授信额度已满或受理能力不足.</summary>
    Capacity,

    /// <summary>其他原因 (the free text says which).</summary>
    Other,
}

/// <summary>A decline: the reason from the list, and the institution's own words (required for <c>other</c>).</summary>
public sealed record DeclineBody([property: Required] DeclineReason? ReasonCode, [property: MultiLine] string? Reason) : Contract.IExample<DeclineBody>
{
    public static DeclineBody Example => new(DeclineReason.OutsideServiceArea, "本行暂不服务该区域");
}

/// <summary>The institution declines, saying why; the request goes on to the next institution in the ranking.</summary>
public sealed record DeclineDispatch(string Id, DeclineReason? ReasonCode, [property: MultiLine] string? Reason) : Mediator.ICommand
{
    public sealed class Validator : AbstractValidator<DeclineDispatch>
    {
        public Validator()
        {
            RuleFor(x => x.ReasonCode).NotNull().WithMessage($"Choose the reason: {string.Join(", ", EnumText.AllTexts<DeclineReason>())}.");
            RuleFor(x => x.Reason).NotEmpty().When(x => x.ReasonCode == DeclineReason.Other).WithMessage("Say why, when the reason is other.");
            RuleFor(x => x.Reason).Text(500);
        }
    }

    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, TimeProvider clock) : ICommandHandler<DeclineDispatch>
    {
        public async ValueTask<Unit> Handle(DeclineDispatch command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var dispatch = await OwnDispatch.LoadAsync(unit, command.Id, user.RequireInstitutionId());
            var code = EnumText.ToText(command.ReasonCode!.Value);
            var reason = string.IsNullOrEmpty(command.Reason) ? null : command.Reason;
            var step = dispatch.Step(now) with
            {
                Detail = reason is null ? code : $"{code}: {reason}", Values = new { Reason = reason, ReasonCode = code },
            };
            if (!await steps.TryMoveAsync(Transitions.Declined, step, now)) throw dispatch.Refuse("declining");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/decline", async (string id, DeclineBody body, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new DeclineDispatch(id, body.ReasonCode, body.Reason), ct);
                return TypedResults.Ok(await mediator.Send(new GetDispatch(id), ct));
            })
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Declines a pending dispatch with a `reasonCode` from the list and, optionally, the institution's own words (required for `other`). The request goes on to the next institution of its ranking.")
            .WithSummary("Decline a dispatch with a reasonCode from the list and optional words (the institution dispatched to)");
}
