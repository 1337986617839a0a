using Dapper;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using Mediator;

namespace FinanceSupermarket.Api.Features.Blacklist;

public sealed record RemoveFromBlacklist(string CreditCode) : Mediator.ICommand<Unit>
{
    public sealed class Handler(UnitOfWork unit, TimeProvider clock) : ICommandHandler<RemoveFromBlacklist, Unit>
    {
        private const string DeleteSql = "DELETE FROM blacklist WHERE credit_code = @CreditCode";

        public async ValueTask<Unit> Handle(RemoveFromBlacklist command, CancellationToken cancellationToken)
        {
            if (await unit.ExecuteAsync(DeleteSql, new { command.CreditCode }) == 0) throw new NotFoundException("The blacklist entry");
            unit.Record(clock.GetUtcNow(), "blacklist", command.CreditCode, "removed");
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapDelete("/{creditCode}", async (string creditCode, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new RemoveFromBlacklist(creditCode), ct);
                return TypedResults.NoContent();
            })
            .WithDescription("Lifts a blacklist entry: the enterprise's new requests are matched again.")
            .WithSummary("Lift a blacklist entry (admin)");
}
