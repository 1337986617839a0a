using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>A regulator office and the region code prefix it supervises ("" = the whole country).</summary>
public sealed record RegulatorOfficeView(string Id, string Name, string Region, DateTimeOffset CreatedAt);

/// <summary>The regulator offices by name (admin): the organisations an admin invites analysts into.</summary>
public sealed record ListRegulatorOffices : IQuery<IReadOnlyList<RegulatorOfficeView>>
{
    public sealed class Handler(Db db) : IQueryHandler<ListRegulatorOffices, IReadOnlyList<RegulatorOfficeView>>
    {
        private const string ListSql = "SELECT id, name, region, created_at AS CreatedAt FROM regulator_offices ORDER BY name, id";

        public async ValueTask<IReadOnlyList<RegulatorOfficeView>> Handle(ListRegulatorOffices query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            return (await connection.QueryAsync<Row>(new CommandDefinition(ListSql, cancellationToken: cancellationToken)))
                .Select(row => new RegulatorOfficeView(row.Id, row.Name, row.Region, row.CreatedAt)).ToArray();
        }

        private sealed class Row
        {
            public string Id { get; set; } = "";
            public string Name { get; set; } = "";
            public string Region { get; set; } = "";
            public DateTimeOffset CreatedAt { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/regulator-offices", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListRegulatorOffices(), ct)))
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("The regulator offices by name, each with the region code prefix it supervises (empty for the whole country).")
            .WithSummary("The regulator offices and their regions (admin)");
}
