using Dapper;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using Mediator;
using Microsoft.Extensions.Caching.Memory;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The platform's headline for its home page, public: this year's 撮合融资金额 and 笔数 across the country, and how many
/// institutions and listed products the shelves hold. Kept for a minute: the home page is the most visited and a minute-old
/// figure is as true to a visitor as a fresh one.
/// </summary>
public sealed record GetHeadline : IQuery<GetHeadline.View>
{
    public sealed record View(int Year, decimal ApprovedAmount, long ApprovedCount, long Institutions, long Products);

    public static readonly TimeSpan CachedFor = TimeSpan.FromMinutes(1);

    public sealed class Handler(Db db, IConfiguration configuration, TimeProvider clock, IMemoryCache cache) : IQueryHandler<GetHeadline, View>
    {
        private const string CatalogSql = """
            SELECT (SELECT COUNT(*) FROM institutions WHERE deactivated_at IS NULL) AS Institutions,
                   (SELECT COUNT(*) FROM products WHERE status = @Listed) AS Products
            """;

        public async ValueTask<View> Handle(GetHeadline query, CancellationToken cancellationToken) =>
            (await cache.GetOrCreateAsync(typeof(GetHeadline), async entry =>
            {
                entry.AbsoluteExpirationRelativeToNow = CachedFor;
                var today = clock.PlatformToday();
                var scope = new StatisticsScope(new DateOnly(today.Year, 1, 1), today, "", "");
                await using var connection = await db.OpenAsync(cancellationToken);
                var whole = (await FigureSums.LoadAsync(connection, db.Dialect, configuration, scope, by: null)).Single().ToFigures(null);
                var catalog = await connection.QuerySingleAsync<(long Institutions, long Products)>(CatalogSql, new { Listed = EnumText.ToText(ProductStatus.Listed) });
                return new View(today.Year, whole.ApprovedAmount, whole.ApprovedCount, catalog.Institutions, catalog.Products);
            }))!;
    }
}
