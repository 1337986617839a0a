using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

public sealed record CancelBody(string? Reason);

/// <summary>The enterprise withdraws its need while it is still open (not resolved, expired or cancelled).</summary>
public sealed record CancelRequest(string Id, [property: MultiLine] string? Reason) : Mediator.ICommand
{
    public sealed class Validator : AbstractValidator<CancelRequest>
    {
        public Validator() => RuleFor(x => x.Reason).Text(500);
    }

    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, TimeProvider clock) : ICommandHandler<CancelRequest>
    {
        public async ValueTask<Unit> Handle(CancelRequest command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var state = await OwnRequest.LoadAsync(unit, command.Id, user.RequireEnterpriseId());
            var request = state.Step(command.Reason);
            if (!await steps.TryMoveAsync(Transitions.Cancelled, request, now))
                throw new ConflictException(RuleTexts.Say("RequestNotCancellable", state.Status));

            // The institutions still working on it are told, and their dispatches closed.
            await steps.MoveOpenDispatchesAsync(Transitions.ClosedByCancel, request, except: null, now);
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/cancel", async (string id, CancelBody? body, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new CancelRequest(id, body?.Reason), ct);
                return TypedResults.Ok(await mediator.Send(new GetRequest(id), ct));
            })
            .RequireAuthorization(AuthModule.Policies.Enterprise)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("cancelFinancingRequest")
            .WithDescription("The owner cancels an open request, optionally saying why; its open dispatches are closed.")
            .WithSummary("Cancel an open financing request (owner)");
}
