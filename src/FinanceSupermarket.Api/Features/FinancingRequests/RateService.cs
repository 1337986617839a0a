using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

public sealed record RatingBody(int Score, string? Comment);

/// <summary>The enterprise rates the service once its request is settled (贷款满意度, seeds/001).</summary>
public sealed record RateService(string Id, int Score, [property: MultiLine] string? Comment) : Mediator.ICommand
{
    public sealed class Validator : AbstractValidator<RateService>
    {
        public Validator()
        {
            RuleFor(x => x.Score).InclusiveBetween(1, 5).WithMessage(_ => RuleTexts.Say("RatingScore"));
            RuleFor(x => x.Comment).Text(500);
        }
    }

    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, TimeProvider clock) : ICommandHandler<RateService>
    {
        public async ValueTask<Unit> Handle(RateService command, CancellationToken cancellationToken)
        {
            var state = await OwnRequest.LoadAsync(unit, command.Id, user.RequireEnterpriseId());
            var step = state.Step($"{command.Score}/5 {command.Comment}".Trim()) with { Values = new { command.Score, command.Comment } };
            if (!await steps.TryMoveAsync(Transitions.Rated, step, clock.GetUtcNow()))
                throw new ConflictException(state.Rating is not null
                    ? "The service was already rated."
                    : $"The request is {state.Status}; rate the service once it is resolved or expired.");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/rating", async (string id, RatingBody body, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new RateService(id, body.Score, body.Comment), ct);
                return TypedResults.Ok(await mediator.Send(new GetRequest(id), ct));
            })
            .RequireAuthorization(AuthModule.Policies.Enterprise)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("The owner rates the service from 1 to 5 with an optional comment, once the request is resolved or expired; once only.")
            .WithSummary("Rate the service 1–5 with a comment (owner, once the request is resolved or expired)");
}
