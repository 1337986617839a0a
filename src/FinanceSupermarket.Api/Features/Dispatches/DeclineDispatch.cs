using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FluentValidation;
using Mediator;
using FinanceSupermarket.Api.Infrastructure.Validation;

namespace FinanceSupermarket.Api.Features.Dispatches;

public sealed record DeclineBody(string Reason);

/// <summary>The institution declines, saying why; the request goes on to the next institution in the ranking.</summary>
public sealed record DeclineDispatch(string Id, [property: MultiLine] string Reason) : Mediator.ICommand
{
    public sealed class Validator : AbstractValidator<DeclineDispatch>
    {
        public Validator() => RuleFor(x => x.Reason).NotEmpty().MaximumLength(500).WithMessage("Say why, in at most 500 characters.");
    }

    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, TimeProvider clock) : ICommandHandler<DeclineDispatch>
    {
        public async ValueTask<Unit> Handle(DeclineDispatch command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var dispatch = await OwnDispatch.LoadAsync(unit, command.Id, user.RequireInstitutionId());
            if (!await steps.TryMoveAsync(Transitions.Declined, dispatch.Step(now) with { Detail = command.Reason }, now)) throw dispatch.Refuse("declining");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/decline", async (string id, DeclineBody body, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new DeclineDispatch(id, body.Reason), ct);
                return Results.Ok(await mediator.Send(new GetDispatch(id), ct));
            })
            .WithSummary("Decline a dispatch with a reason (the institution dispatched to)");
}
