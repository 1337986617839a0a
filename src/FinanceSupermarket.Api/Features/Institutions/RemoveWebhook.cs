using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>The institution stops its webhook: the URL and its secrets go; deliveries not yet made fail instead of going anywhere.</summary>
public sealed record RemoveWebhook(string InstitutionId) : Mediator.ICommand
{
    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<RemoveWebhook>
    {
        public async ValueTask<Unit> Handle(RemoveWebhook command, CancellationToken cancellationToken)
        {
            user.RequireOwnOrAdmin(command.InstitutionId);
            var before = await InstitutionWebhook.ReadAsync(unit, command.InstitutionId);
            if (before.Url is null && before.Secret is null) return Unit.Value;
            await InstitutionWebhook.RemoveAsync(unit, command.InstitutionId);
            unit.Record(clock.GetUtcNow(), "institution", command.InstitutionId, "changed", $"webhookUrl: {before.Url ?? "(none)"} → (none); webhookSecret: removed");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapDelete("/{id}/webhook", async (string id, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new RemoveWebhook(id), ct);
                return TypedResults.NoContent();
            })
            .ForTheInstitutionOrAdmins()
            .WithName("removeWebhook")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Remove the institution's webhook and its secrets")
            .WithDescription("After this nothing is delivered to the institution's system; its notifications stay in the platform. 404 for another institution's id.");
}
