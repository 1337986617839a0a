using System.Text;
using Dapper;
using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Testing;

namespace FinanceSupermarket.Benchmarks;

/// <summary>Where a keyset page starts: after the last product of the page before, in the shelves' order.</summary>
internal sealed record Cursor(decimal MinRate, string Id);

/// <summary>
/// The shelves in SQL as a competent engineer would write them, to stand beside the in-memory catalogue: the statement
/// built for the filters given (no catch-all <c>(@x IS NULL OR …)</c>), keyset paging on (min_rate, id) instead of OFFSET,
/// indexes that serve the order for the filters that narrow most (all listed, by kind, by institution; product_regions
/// probed by its primary key), and a COUNT(*) only when the caller wants a total.
/// </summary>
internal sealed class ShelfSqlPeer(Db db)
{
    /// <summary>What the peer adds to the schema; the SQL path would need a migration with these if it were kept.</summary>
    public static readonly string[] Indexes =
    [
        "CREATE INDEX ix_bench_shelves_rate ON products (status, min_rate, id)",
        "CREATE INDEX ix_bench_shelves_kind_rate ON products (status, kind, min_rate, id)",
        "CREATE INDEX ix_bench_shelves_institution_rate ON products (status, institution_id, min_rate, id)",
    ];

    public async Task CreateIndexesAsync()
    {
        await using var connection = await db.OpenAsync();
        foreach (var index in Indexes) await connection.ExecuteAsync(index);
        // One word: Dapper would take it for a stored procedure's name unless told it is text.
        await connection.ExecuteAsync(new CommandDefinition("ANALYZE", commandType: System.Data.CommandType.Text));
    }

    /// <summary>One page (keyset: after <paramref name="after"/>), and the total when <paramref name="withTotal"/>.</summary>
    public async Task<(ProductRow[] Page, long? Total)> BrowseAsync(ShelfFilter filter, Cursor? after, int take, bool withTotal)
    {
        var (where, parameters) = Where(filter);
        parameters.Add("Take", take);
        var page = new StringBuilder(ProductRow.SelectSql).Append(where);
        if (after is not null)
        {
            page.Append(" AND (p.min_rate, p.id) > (@AfterRate, @AfterId)");
            parameters.Add("AfterRate", after.MinRate);
            parameters.Add("AfterId", after.Id);
        }
        page.Append(" ORDER BY p.min_rate, p.id");
        await using var connection = await db.OpenAsync();
        var rows = (await connection.QueryAsync<ProductRow>(db.Dialect.Top(page.ToString()), parameters)).ToArray();
        long? total = withTotal ? await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM products p" + where, parameters) : null;
        return (rows, total);
    }

    private static (string Where, DynamicParameters Parameters) Where(ShelfFilter f)
    {
        // The visits of --shelves search no names; the catalogue's name search has no index to stand beside.
        if (f.Q is not null) throw new ArgumentException("The SQL peer does not search names.", nameof(f));
        var sql = new StringBuilder(" WHERE p.status = 'listed'");
        var parameters = new DynamicParameters();
        if (f.Kind is not null)
        {
            sql.Append(" AND p.kind = @Kind");
            parameters.Add("Kind", f.Kind);
        }
        if (f.InstitutionId is not null)
        {
            sql.Append(" AND p.institution_id = @InstitutionId");
            parameters.Add("InstitutionId", f.InstitutionId);
        }
        if (f.Amount is { } amount)
        {
            sql.Append(" AND p.min_amount <= @Amount AND p.max_amount >= @Amount");
            parameters.Add("Amount", amount);
        }
        if (f.TermMonths is { } term)
        {
            sql.Append(" AND p.min_term_months <= @TermMonths AND p.max_term_months >= @TermMonths");
            parameters.Add("TermMonths", term);
        }
        // The lists are stored as comma-separated words: one word among them.
        if (f.GuaranteeMode is not null)
        {
            sql.Append(" AND ',' || p.guarantee_modes || ',' LIKE @GuaranteeMode");
            parameters.Add("GuaranteeMode", $"%,{f.GuaranteeMode},%");
        }
        if (f.PolicySupport is not null)
        {
            sql.Append(" AND ',' || p.policy_support || ',' LIKE @PolicySupport");
            parameters.Add("PolicySupport", $"%,{f.PolicySupport},%");
        }
        if (f.Region is { } region)
        {
            // Offered in a province, city or county that holds the region, or somewhere inside it.
            var ancestors = new[] { 2, 4 }.Where(length => region.Length > length).Select(length => region[..length]).ToArray();
            sql.Append(" AND EXISTS (SELECT 1 FROM product_regions r WHERE r.product_id = p.id AND (r.region_prefix LIKE @RegionLike");
            for (var i = 0; i < ancestors.Length; i++)
            {
                sql.Append($" OR r.region_prefix = @Ancestor{i}");
                parameters.Add($"Ancestor{i}", ancestors[i]);
            }
            sql.Append("))");
            parameters.Add("RegionLike", region + "%");
        }
        return (sql.ToString(), parameters);
    }
}
