using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using Mediator;

namespace FinanceSupermarket.Api.Features.Enterprises;

public sealed record GetEnterprise(string Id) : IQuery<EnterpriseView>
{
    public sealed class Handler(Db db, CurrentUser user, ReferenceData codes) : IQueryHandler<GetEnterprise, EnterpriseView>
    {
        private const string ByIdSql = EnterpriseRow.SelectSql + " WHERE id = @Id";

        public async ValueTask<EnterpriseView> Handle(GetEnterprise query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<EnterpriseRow>(ByIdSql, new { query.Id });
            var visible = row is not null && user.MayRead(row.Id, row.RegionCode);
            return visible ? row!.ToView(codes) : throw new NotFoundException("The enterprise");
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}", async (string id, HttpResponse response, IMediator mediator, CancellationToken ct) =>
            {
                var profile = await mediator.Send(new GetEnterprise(id), ct);
                return response.OkWithETag(profile, profile.Version);
            })
            .RequireAuthorization()
            .WithEntityTag()
            .WithDescription("The profile with its region, industry and tags by name. Its owner, a regulator whose region covers it, or an admin; anyone else gets a 404. Its ETag is what a change names in If-Match.")
            .WithSummary("An enterprise profile: its owner, a regulator of its region, or an admin");
}
