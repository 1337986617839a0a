using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>The public shelves (金融超市): listed products, filtered by kind, region served, institution and name, paged.</summary>
public sealed record BrowseProducts(string? Kind, string? Region, string? InstitutionId, string? Q, int? Page, int? PageSize)
    : IQuery<Paged<ProductView>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<BrowseProducts>
    {
        public Validator(ReferenceData codes)
        {
            RuleFor(x => x.Kind).Must(kind => kind is null || EnumText.TryParse<ProductKind>(kind, out _))
                .WithMessage($"Must be one of {string.Join(", ", EnumText.AllTexts<ProductKind>())}.");
            RuleFor(x => x.Region!).RegionPrefix(codes).When(x => x.Region is not null);
            RuleFor(x => x.InstitutionId).Text(36);
            RuleFor(x => x.Q).Text(100);
            this.AddPagingRules();
        }
    }

    public sealed class Handler(Db db, ReferenceData codes) : IQueryHandler<BrowseProducts, Paged<ProductView>>
    {
        // A product serves a region when one of its prefixes is the region's ancestor (33 ⊇ 330421) or lies inside it.
        private const string FilterSql = """
             WHERE p.status = @Listed
              AND (@Kind IS NULL OR p.kind = @Kind)
              AND (@InstitutionId IS NULL OR p.institution_id = @InstitutionId)
              AND (@Q IS NULL OR LOWER(p.name) LIKE @Q ESCAPE '\')
              AND (@RegionLike IS NULL OR EXISTS (SELECT 1 FROM product_regions r WHERE r.product_id = p.id
                                                   AND (r.region_prefix IN (@Province, @City, @County) OR r.region_prefix LIKE @RegionLike)))
            """;
        private const string CountSql = "SELECT COUNT(*) FROM products p" + FilterSql;
        private const string PageSql = ProductRow.SelectSql + FilterSql + " ORDER BY p.min_rate, p.id";

        public async ValueTask<Paged<ProductView>> Handle(BrowseProducts query, CancellationToken cancellationToken)
        {
            var window = PageWindow.Of(query);
            var parameters = new
            {
                Listed = EnumText.ToText(ProductStatus.Listed), query.Kind, query.InstitutionId,
                Q = query.Q is { Length: > 0 } q ? $"%{EscapeLike(q.ToLowerInvariant())}%" : null,
                RegionLike = query.Region is { } region ? region + "%" : null,
                Province = Ancestor(query.Region, 2), City = Ancestor(query.Region, 4), County = Ancestor(query.Region, 6),
                window.Skip, window.Take,
            };
            await using var connection = await db.OpenAsync(cancellationToken);
            var total = await connection.ExecuteScalarAsync<long>(CountSql, parameters);
            var rows = await connection.QueryAsync<ProductRow>(db.Dialect.Page(PageSql), parameters);
            return window.With(rows.Select(row => row.ToView().Named(codes)).ToArray(), total);
        }

        /// <summary>The region's province (2 digits), city (4) or county (6) prefix; "-" (matching nothing) when it has none.</summary>
        private static string Ancestor(string? region, int length) => region is not null && region.Length >= length ? region[..length] : "-";

        private static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async ([AsParameters] BrowseProducts query, IMediator mediator, CancellationToken ct) =>
                // What people type in a search box often ends in a space: that is no reason to refuse the search.
                Results.Ok(await mediator.Send(query with { Q = query.Q?.Trim() }, ct)))
            .WithSummary("The public shelves: listed products, filtered and paged");
}
