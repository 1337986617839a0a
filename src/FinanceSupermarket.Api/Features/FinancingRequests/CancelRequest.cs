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
        private const string StateSql = """
            SELECT status, region_code AS RegionCode, submitted_at AS SubmittedAt FROM financing_requests WHERE id = @Id AND enterprise_id = @EnterpriseId
            """;

        public async ValueTask<Unit> Handle(CancelRequest command, CancellationToken cancellationToken)
        {
            var enterpriseId = user.RequireEnterpriseId();
            var now = clock.GetUtcNow();
            var state = await unit.QuerySingleOrDefaultAsync<State>(StateSql, new { command.Id, EnterpriseId = enterpriseId })
                        ?? throw new NotFoundException("The financing request");
            var request = new RequestStep(command.Id, enterpriseId, state.RegionCode) { SubmittedAt = state.SubmittedAt, Detail = command.Reason };
            if (!await steps.TryMoveAsync(Transitions.Cancelled, request, now))
                throw new ConflictException($"The request is {state.Status} and can no longer be cancelled.");

            // The institutions still working on it are told, and their dispatches closed.
            await steps.MoveOpenDispatchesAsync(Transitions.ClosedByCancel, request, except: null, now);
            return Unit.Value;
        }

        private sealed class State
        {
            public string Status { get; set; } = "";
            public string RegionCode { get; set; } = "";
            public DateTimeOffset SubmittedAt { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/cancel", async (string id, CancelBody? body, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new CancelRequest(id, body?.Reason), ct);
                return Results.Ok(await mediator.Send(new GetRequest(id), ct));
            })
            .RequireAuthorization(AuthModule.Policies.Enterprise)
            .WithSummary("Cancel an open financing request (owner)");
}
