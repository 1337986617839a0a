using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using Mediator;

namespace FinanceSupermarket.Api.Features.Blacklist;

public sealed record ListBlacklist : IQuery<IReadOnlyList<BlacklistEntry>>
{
    public sealed class Handler(Db db) : IQueryHandler<ListBlacklist, IReadOnlyList<BlacklistEntry>>
    {
        private const string ListSql = "SELECT credit_code AS CreditCode, reason, added_at AS AddedAt FROM blacklist ORDER BY added_at";

        public async ValueTask<IReadOnlyList<BlacklistEntry>> Handle(ListBlacklist query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            return (await connection.QueryAsync<Row>(ListSql)).Select(row => new BlacklistEntry(row.CreditCode, row.Reason, row.AddedAt)).ToArray();
        }

        private sealed class Row
        {
            public string CreditCode { get; set; } = "";
            public string Reason { get; set; } = "";
            public DateTimeOffset AddedAt { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListBlacklist(), ct)))
            .WithDescription("The enterprises barred from matching, by credit code, with the reason.")
            .WithSummary("The blacklist (admin)");
}
