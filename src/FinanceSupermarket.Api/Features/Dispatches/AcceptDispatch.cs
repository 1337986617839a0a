using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain.Calendar;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Dispatches;

/// <summary>
/// The institution takes the request on. Its final feedback is then due within the product's approvalDays working
/// days, capped by the platform's maximum.
/// </summary>
public sealed record AcceptDispatch(string Id) : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, TimeProvider clock, WorkingDayCalendar calendar,
        IOptions<WorkflowOptions> options) : ICommandHandler<AcceptDispatch>
    {
        public async ValueTask<Unit> Handle(AcceptDispatch command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var dispatch = await OwnDispatch.LoadAsync(unit, command.Id, user.RequireInstitutionId());
            var feedbackDueAt = calendar.AddWorkingDays(now, Math.Min(dispatch.ApprovalDays, options.Value.MaxFeedbackWorkingDays));
            if (!await steps.TryMoveAsync(Transitions.Accepted, dispatch.Step(now) with { Due = feedbackDueAt }, now)) throw dispatch.Refuse("accepting");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/accept", async (string id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new AcceptDispatch(id), ct);
                return TypedResults.Ok(await mediator.Send(new GetDispatch(id), ct));
            })
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("The institution a pending dispatch was sent to accepts it before its deadline; the result is then due within the product's `approvalDays` working days (capped by the platform). A dispatch that is no longer pending is a 409.")
            .WithSummary("Accept a dispatch (the institution dispatched to)");
}
