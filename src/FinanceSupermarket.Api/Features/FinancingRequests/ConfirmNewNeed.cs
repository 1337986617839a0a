using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>
/// The enterprise says a request held as like one it has open is a new need: it is published and dispatched. (If it is
/// the same need, the enterprise cancels it instead.)
/// </summary>
public sealed record ConfirmNewNeed(string Id) : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, TimeProvider clock) : ICommandHandler<ConfirmNewNeed>
    {
        public async ValueTask<Unit> Handle(ConfirmNewNeed command, CancellationToken cancellationToken)
        {
            var request = await OwnRequest.LoadAsync(unit, command.Id, user.RequireEnterpriseId());
            if (!await steps.TryMoveAsync(Transitions.NewNeedConfirmed, request.Step(), clock.GetUtcNow()))
                throw new ConflictException(RuleTexts.Say("NotHeldAsLike"));
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/new-need", async (string id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new ConfirmNewNeed(id), ct);
                return TypedResults.Ok(await mediator.Send(new GetRequest(id), ct));
            })
            .RequireAuthorization(AuthModule.Policies.Enterprise)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("The owner says a request held as like an open one is a need of its own: it is published and dispatched.")
            .WithSummary("Confirm that a request held as like an open one is a new need, so that it is published (owner)");
}
