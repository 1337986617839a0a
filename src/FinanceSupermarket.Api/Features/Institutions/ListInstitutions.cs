using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>An institution in the list: the regions it serves beside their names; DeactivatedAt set for one an admin deactivated.</summary>
public sealed record InstitutionListItem(
    string Id, string Name, InstitutionKind Kind, IReadOnlyList<string> RegionCodes, IReadOnlyList<NamedCode> Regions, DateTimeOffset? DeactivatedAt);

/// <summary>The institutions on the platform by name; admins also see deactivated ones (?includeDeactivated=true).</summary>
public sealed record ListInstitutions(bool? IncludeDeactivated, int? Page, int? PageSize) : IQuery<Paged<InstitutionListItem>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<ListInstitutions>
    {
        public Validator() => this.AddPagingRules();
    }

    public sealed class Handler(Db db, CurrentUser user, ReferenceData codes) : IQueryHandler<ListInstitutions, Paged<InstitutionListItem>>
    {
        private const string FromSql = "FROM institutions WHERE (@All = 1 OR deactivated_at IS NULL)";
        private const string CountSql = "SELECT COUNT(*) " + FromSql;
        private const string PageSql = "SELECT id, name, kind, region_codes AS RegionCodes, deactivated_at AS DeactivatedAt " + FromSql + " ORDER BY name, id";

        public async ValueTask<Paged<InstitutionListItem>> Handle(ListInstitutions query, CancellationToken cancellationToken)
        {
            var rows = await PageWindow.Of(query).ReadAsync<InstitutionRow>(db, CountSql, PageSql,
                new { All = query.IncludeDeactivated == true && user.Is(Role.Admin) ? 1 : 0 }, cancellationToken);
            return rows.Select(row => new InstitutionListItem(row.Id, row.Name, row.InstitutionKind, row.Regions, row.NamedRegions(codes), row.DeactivatedAt));
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async ([AsParameters] ListInstitutions query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .WithDescription("The institutions on the platform with their regions by name; admins may add `?includeDeactivated=true`.")
            .WithSummary("The institutions on the platform (public); admins may include deactivated ones");
}
