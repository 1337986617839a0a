using System.Collections.Concurrent;
using Dapper;
using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Api.Features.Matching;

/// <summary>
/// This node's in-memory index of listed products, and the shelves' catalogue (<see cref="ShelfCatalogue"/>), kept in step
/// with the products table: a product write on this node refreshes them at once, after commit, and
/// <see cref="MatchingIndexRefresher"/> picks up other nodes' writes from the catalog version within seconds. Only products
/// stamped after the version already seen are read again, and each is applied on its own (the index copies one block).
/// </summary>
public sealed class MatchingIndex(Db db, ShelfCatalogue shelves, ILogger<MatchingIndex> logger)
{
    private const string CatalogVersionSql = "SELECT version FROM catalog_version WHERE id = 1";
    private const string ChangedProductsSql = ProductRow.SelectSql + " WHERE p.catalog_version > @Seen AND p.catalog_version <= @Current";
    private const string ListedProductsSql = ProductRow.SelectSql + " WHERE p.status = 'listed' AND p.catalog_version <= @Current";

    // An upsert costs about as much as a few hundred products of a bulk build, so a change of more products than this
    // (an import) is loaded as a new index instead.
    private const int RebuildAbove = 5_000;

    // The workflow's record of each institution (on-time answers, approvals) feeds the ranking.
    private const string TrackRecordsSql = """
        SELECT institution_id AS InstitutionId,
               SUM(CASE WHEN answered_at IS NOT NULL OR (status = 'overdue' AND answered_at IS NULL) THEN 1 ELSE 0 END) AS Due,
               SUM(CASE WHEN answered_on_time = @True THEN 1 ELSE 0 END) AS OnTime,
               SUM(CASE WHEN outcome IS NOT NULL THEN 1 ELSE 0 END) AS Decided,
               SUM(CASE WHEN outcome = 'approved' THEN 1 ELSE 0 END) AS Approved
        FROM dispatches
        GROUP BY institution_id
        """;

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private long _seenVersion = -1;
    private volatile ProductIndex _index = ProductIndex.Build([]);
    private IReadOnlyDictionary<string, InstitutionTrackRecord> _trackRecords = new Dictionary<string, InstitutionTrackRecord>();

    // The engine ranks by ids; the matches name each product's institution. A changed institution's products are stamped
    // again (ChangeInstitution), so its new name arrives with them.
    private readonly ConcurrentDictionary<string, string> _institutionNames = new();

    public ProductIndex Index => _index;

    /// <summary>
    /// A ranked listing as the shelves show a product: its institution, regions and industries by name (the index keeps
    /// no descriptions: GET /products/{id} has it).
    /// </summary>
    public ProductView Shown(ProductListing product, ReferenceData codes) => new ProductView(
        product.Id, product.InstitutionId, _institutionNames.GetValueOrDefault(product.InstitutionId) ?? "", product.Name, product.Kind,
        product.MinAmount, product.MaxAmount, product.MinTermMonths, product.MaxTermMonths, product.MinRate, product.MaxRate, product.GuaranteeModes,
        product.RegionCodes, product.IndustryCodes, product.EnterpriseSizes, product.RequiredTags, product.MinYearsInBusiness,
        product.MinTaxCreditLevel, product.FirstLoanFriendly, product.PolicySupport, product.ApprovalDays, Description: null, product.Status).Named(codes);

    public long SeenVersion => Interlocked.Read(ref _seenVersion);

    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var current = await connection.ExecuteScalarAsync<long>(CatalogVersionSql);
            var seen = SeenVersion;
            if (current == seen) return;
            var changed = (await connection.QueryAsync<ProductRow>(ChangedProductsSql, new { Seen = seen, Current = current })).ToArray();
            if (seen < 0 || changed.Length > RebuildAbove)
            {
                var listed = (await connection.QueryAsync<ProductRow>(ListedProductsSql, new { Current = current })).ToArray();
                RememberInstitutionNames(listed);
                var rebuilt = ProductIndex.Build(listed.Select(ToListing));
                rebuilt.SetTrackRecords(_trackRecords);
                _index = rebuilt;
                shelves.Load(listed);
            }
            else
            {
                RememberInstitutionNames(changed);
                foreach (var row in changed) _index.Upsert(ToListing(row));
                shelves.Apply(changed);
            }
            Interlocked.Exchange(ref _seenVersion, current);
            logger.LogInformation("Matching index at catalog version {Version}: {Changed} products reloaded, {Listed} listed", current, changed.Length, Index.Count);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private void RememberInstitutionNames(IEnumerable<ProductRow> rows)
    {
        foreach (var row in rows) _institutionNames[row.InstitutionId] = row.InstitutionName;
    }

    public async Task RefreshTrackRecordsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var records = (await connection.QueryAsync<TrackRecordRow>(TrackRecordsSql, new { True = true }))
            .Where(row => row.Due > 0)
            .ToDictionary(row => row.InstitutionId, row => new InstitutionTrackRecord((int)row.Due, (double)row.OnTime / row.Due,
                row.Decided == 0 ? 0.5 : (double)row.Approved / row.Decided));
        _trackRecords = records;
        _index.SetTrackRecords(records);
    }

    private sealed class TrackRecordRow
    {
        public string InstitutionId { get; set; } = "";
        public long Due { get; set; }
        public long OnTime { get; set; }
        public long Decided { get; set; }
        public long Approved { get; set; }
    }

    public static ProductListing ToListing(ProductRow row)
    {
        var view = row.ToView();
        return new ProductListing(view.Id, view.InstitutionId, view.Name, view.Kind, view.MinAmount, view.MaxAmount, view.MinTermMonths,
            view.MaxTermMonths, view.MinRate, view.MaxRate, view.GuaranteeModes, view.RegionCodes, view.IndustryCodes, view.EnterpriseSizes,
            view.RequiredTags, view.MinYearsInBusiness, view.MinTaxCreditLevel, view.FirstLoanFriendly, view.PolicySupport, view.ApprovalDays,
            view.Status, ProductRow.SplitCodes(row.InstitutionRegionCodes));
    }
}

/// <summary>Polls the catalog version so that several API nodes on one database agree within seconds.</summary>
public sealed class MatchingIndexRefresher(MatchingIndex index, IConfiguration configuration, ILogger<MatchingIndexRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(configuration.GetValue("Matching:RefreshSeconds", 2.0));
        var trackRecordPeriod = TimeSpan.FromSeconds(configuration.GetValue("Matching:TrackRecordRefreshSeconds", 60.0));
        var trackRecordsDue = DateTime.UtcNow;
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await index.RefreshAsync(stoppingToken);
                if (DateTime.UtcNow >= trackRecordsDue)
                {
                    await index.RefreshTrackRecordsAsync(stoppingToken);
                    trackRecordsDue = DateTime.UtcNow + trackRecordPeriod;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Matching index refresh failed; retrying next period");
            }
        }
    }
}

public static class MatchingModule
{
    public static IServiceCollection AddMatching(this IServiceCollection services) =>
        services.AddSingleton<ShelfCatalogue>().AddSingleton<MatchingIndex>().AddHostedService<MatchingIndexRefresher>();
}
