using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

public sealed class InstitutionListItem
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public string RegionCodes { get; init; } = "";
    public DateTimeOffset? DeactivatedAt { get; init; }
}

/// <summary>The institutions on the platform by name; admins also see deactivated ones (?includeDeactivated=true).</summary>
public sealed record ListInstitutions(bool? IncludeDeactivated, int? Page, int? PageSize) : IQuery<Paged<InstitutionListItem>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<ListInstitutions>
    {
        public Validator() => this.AddPagingRules();
    }

    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<ListInstitutions, Paged<InstitutionListItem>>
    {
        private const string FromSql = "FROM institutions WHERE (@All = 1 OR deactivated_at IS NULL)";
        private const string CountSql = "SELECT COUNT(*) " + FromSql;
        private const string PageSql = "SELECT id, name, kind, region_codes AS RegionCodes, deactivated_at AS DeactivatedAt " + FromSql + " ORDER BY name, id";

        public async ValueTask<Paged<InstitutionListItem>> Handle(ListInstitutions query, CancellationToken cancellationToken) =>
            await PageWindow.Of(query).ReadAsync<InstitutionListItem>(db, CountSql, PageSql,
                new { All = query.IncludeDeactivated == true && user.Is(Role.Admin) ? 1 : 0 }, cancellationToken);
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async ([AsParameters] ListInstitutions query, IMediator mediator, CancellationToken ct) => Results.Ok(await mediator.Send(query, ct)))
            .WithSummary("The institutions on the platform (public); admins may include deactivated ones");
}
