using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

public sealed record DisputeBody(string Reason);

/// <summary>
/// The enterprise disputes the posted result (e.g. the amount it was told is not what it was offered): the regulator
/// sees it listed, and its amount is counted apart from the matchmaking amount until the enterprise confirms a result.
/// </summary>
public sealed record DisputeResult(string Id, string Reason) : Mediator.ICommand
{
    public sealed class Validator : AbstractValidator<DisputeResult>
    {
        public Validator() => RuleFor(x => x.Reason).NotEmpty().Text(500).WithMessage(_ => RuleTexts.Say("DisputeReason"));
    }

    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, TimeProvider clock) : ICommandHandler<DisputeResult>
    {
        public async ValueTask<Unit> Handle(DisputeResult command, CancellationToken cancellationToken)
        {
            var request = await OwnRequest.LoadAsync(unit, command.Id, user.RequireEnterpriseId());
            if (!await steps.TryMoveAsync(Transitions.ResultDisputed, request.Step(command.Reason.Trim()), clock.GetUtcNow()))
                throw new ConflictException(request.ResultStatus is null
                    ? $"The request is {request.Status}: there is no approved result to dispute."
                    : $"The result is {request.ResultStatus}; only a posted result can be disputed.");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/dispute", async (string id, DisputeBody body, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new DisputeResult(id, body.Reason), ct);
                return TypedResults.Ok(await mediator.Send(new GetRequest(id), ct));
            })
            .RequireAuthorization(AuthModule.Policies.Enterprise)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("The owner disputes the result the institution posted, saying why: an approval leaves the approved figures and is counted apart, listed for the regulator, until a result is confirmed.")
            .WithSummary("Dispute the result the institution posted, saying why (owner); listed for the regulator");
}
