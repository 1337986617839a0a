using System.Data;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>
/// The public shelves (金融超市): listed products, filtered by kind, region served, institution, name, an amount (yuan) and a
/// term (months) within the product's ranges, a guarantee mode it accepts and a policy support it carries; paged.
/// </summary>
public sealed record BrowseProducts(
    string? Kind, string? Region, string? InstitutionId, string? Q, decimal? Amount, int? TermMonths, string? GuaranteeMode,
    string? PolicySupport, int? Page, int? PageSize) : IQuery<Paged<ProductView>>, IPagedQuery
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
            RuleFor(x => x.Amount!.Value).Money().OverridePropertyName(nameof(Amount)).When(x => x.Amount is not null);
            RuleFor(x => x.TermMonths!.Value).TermMonths().OverridePropertyName(nameof(TermMonths)).When(x => x.TermMonths is not null);
            RuleFor(x => x.GuaranteeMode).Must(mode => mode is null || EnumText.TryParse<GuaranteeMode>(mode, out _))
                .WithMessage($"Must be one of {string.Join(", ", EnumText.AllTexts<GuaranteeMode>())}.");
            RuleFor(x => x.PolicySupport).Must(support => support is null || EnumText.TryParse<PolicySupport>(support, out _))
                .WithMessage($"Must be one of {string.Join(", ", EnumText.AllTexts<PolicySupport>())}.");
            this.AddPagingRules();
        }
    }

    public sealed class Handler(Db db, ReferenceData codes) : IQueryHandler<BrowseProducts, Paged<ProductView>>
    {
        // A product serves a region when one of its prefixes is the region's ancestor (33 ⊇ 330421) or lies inside it.
        // Guarantee modes and policy supports are comma-joined words ("credit,pledge"): a word is the whole column, or
        // its first, last or an inner item.
        private const string FilterSql = """
             WHERE p.status = @Listed
              AND (@Kind IS NULL OR p.kind = @Kind)
              AND (@InstitutionId IS NULL OR p.institution_id = @InstitutionId)
              AND (@Q IS NULL OR LOWER(p.name) LIKE @Q ESCAPE '\')
              AND (@RegionLike IS NULL OR EXISTS (SELECT 1 FROM product_regions r WHERE r.product_id = p.id
                                                   AND (r.region_prefix IN (@Province, @City, @County) OR r.region_prefix LIKE @RegionLike)))
              AND (@Amount IS NULL OR (p.min_amount <= @Amount AND p.max_amount >= @Amount))
              AND (@TermMonths IS NULL OR (p.min_term_months <= @TermMonths AND p.max_term_months >= @TermMonths))
              AND (@GuaranteeMode IS NULL OR p.guarantee_modes = @GuaranteeMode OR p.guarantee_modes LIKE @GuaranteeModeFirst ESCAPE '\'
                   OR p.guarantee_modes LIKE @GuaranteeModeLast ESCAPE '\' OR p.guarantee_modes LIKE @GuaranteeModeInner ESCAPE '\')
              AND (@PolicySupport IS NULL OR p.policy_support = @PolicySupport OR p.policy_support LIKE @PolicySupportFirst ESCAPE '\'
                   OR p.policy_support LIKE @PolicySupportLast ESCAPE '\' OR p.policy_support LIKE @PolicySupportInner ESCAPE '\')
            """;
        private const string CountSql = "SELECT COUNT(*) FROM products p" + FilterSql;
        private const string PageSql = ProductRow.SelectSql + FilterSql + " ORDER BY p.min_rate, p.id";

        public async ValueTask<Paged<ProductView>> Handle(BrowseProducts query, CancellationToken cancellationToken)
        {
            var window = PageWindow.Of(query);
            var parameters = new DynamicParameters(new
            {
                Listed = EnumText.ToText(ProductStatus.Listed), query.Kind, query.InstitutionId,
                Q = query.Q is { Length: > 0 } q ? $"%{EscapeLike(q.ToLowerInvariant())}%" : null,
                RegionLike = query.Region is { } region ? region + "%" : null,
                Province = Ancestor(query.Region, 2), City = Ancestor(query.Region, 4), County = Ancestor(query.Region, 6),
                window.Skip, window.Take,
            });
            // Typed even when null: PostgreSQL cannot tell the type of a parameter that is only compared with NULL first.
            parameters.Add(nameof(query.Amount), query.Amount, DbType.Decimal);
            parameters.Add(nameof(query.TermMonths), query.TermMonths, DbType.Int32);
            AddListedWord(parameters, nameof(query.GuaranteeMode), query.GuaranteeMode);
            AddListedWord(parameters, nameof(query.PolicySupport), query.PolicySupport);
            await using var connection = await db.OpenAsync(cancellationToken);
            var total = await connection.ExecuteScalarAsync<long>(CountSql, parameters);
            var rows = await connection.QueryAsync<ProductRow>(db.Dialect.Page(PageSql), parameters);
            return window.With(rows.Select(row => row.ToView().Named(codes)).ToArray(), total);
        }

        /// <summary>The region's province (2 digits), city (4) or county (6) prefix; "-" (matching nothing) when it has none.</summary>
        private static string Ancestor(string? region, int length) => region is not null && region.Length >= length ? region[..length] : "-";

        /// <summary>The word and the LIKE patterns of it as the first, last and an inner item of a comma-joined column.</summary>
        private static void AddListedWord(DynamicParameters parameters, string name, string? word)
        {
            var escaped = word is null ? null : EscapeLike(word);
            parameters.Add(name, word, DbType.String);
            parameters.Add(name + "First", escaped is null ? null : escaped + ",%", DbType.String);
            parameters.Add(name + "Last", escaped is null ? null : "%," + escaped, DbType.String);
            parameters.Add(name + "Inner", escaped is null ? null : "%," + escaped + ",%", DbType.String);
        }

        private static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async ([AsParameters] BrowseProducts query, IMediator mediator, CancellationToken ct) =>
                // What people type in a search box often ends in a space: that is no reason to refuse the search.
                TypedResults.Ok(await mediator.Send(query with { Q = query.Q?.Trim() }, ct)))
            .WithDescription("The listed products, filtered by kind, region, institution, a search text, an amount (yuan) and term within the product's ranges, a guarantee mode it accepts or a policy support it carries; paged.")
            .WithSummary("The public shelves: listed products, filtered and paged");
}
