using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>An institution's public profile; its webhook settings only to itself and admins.</summary>
public sealed record GetInstitution(string Id) : IQuery<GetInstitution.View>
{
    /// <summary>The profile; <c>Regions</c> are the region codes served beside their names.</summary>
    public sealed record View(
        string Id, string Name, InstitutionKind Kind, IReadOnlyList<string> RegionCodes, IReadOnlyList<NamedCode> Regions, string? WebhookUrl);

    public sealed class Handler(Db db, CurrentUser user, ReferenceData codes) : IQueryHandler<GetInstitution, View>
    {
        private const string ByIdSql = "SELECT id, name, kind, region_codes AS RegionCodes, webhook_url AS WebhookUrl FROM institutions WHERE id = @Id";

        public async ValueTask<View> Handle(GetInstitution query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<InstitutionRow>(ByIdSql, new { query.Id }) ?? throw new NotFoundException("The institution");
            var seesSettings = user.Is(Role.Admin) || user.Is(Role.Institution) && user.InstitutionId == row.Id;
            return new View(row.Id, row.Name, row.InstitutionKind, row.Regions, row.NamedRegions(codes), seesSettings ? row.WebhookUrl : null);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}", async (string id, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetInstitution(id), ct)))
            .WithDescription("An institution's public profile: name, kind and the regions it serves. The webhook is never shown.")
            .WithSummary("An institution's profile (public)");
}
