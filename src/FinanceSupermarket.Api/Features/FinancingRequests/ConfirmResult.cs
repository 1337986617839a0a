using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>The enterprise confirms the result the institution posted (or, after a dispute, accepts it after all).</summary>
public sealed record ConfirmResult(string Id) : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, TimeProvider clock) : ICommandHandler<ConfirmResult>
    {
        public async ValueTask<Unit> Handle(ConfirmResult command, CancellationToken cancellationToken)
        {
            var request = await OwnRequest.LoadAsync(unit, command.Id, user.RequireEnterpriseId());
            if (!await steps.TryMoveAsync(Transitions.ResultConfirmed, request.Step(), clock.GetUtcNow()))
                throw new ConflictException(request.ResultStatus is null
                    ? RuleTexts.Say("NoResultToConfirm", request.Status)
                    : RuleTexts.Say("ResultSettled", request.ResultStatus));
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/confirm", async (string id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new ConfirmResult(id), ct);
                return TypedResults.Ok(await mediator.Send(new GetRequest(id), ct));
            })
            .RequireAuthorization(AuthModule.Policies.Enterprise)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("The owner confirms the approval the institution posted (after a correction, say): a disputed approval counts again.")
            .WithSummary("Confirm the approved result the institution posted (owner)");
}
