using System.Data.Common;
using System.Globalization;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;
using FinanceSupermarket.Testing;
using Npgsql;
using NpgsqlTypes;

namespace FinanceSupermarket.Benchmarks;

/// <summary>
/// Fills a migrated database with the generator's institutions and products, written straight into the tables the API
/// writes (products, product_regions as ProductStore.OfferAsync fills it, the catalog version) — COPY on PostgreSQL, one
/// transaction of prepared INSERTs on SQLite — so that 100,000 products take seconds rather than 100,000 POSTs. The host's
/// catalogue then picks them up through its own refresh, as it does on start.
/// </summary>
internal static class ShelvesData
{
    public sealed record Institution(string Id, string Name, string Kind, string[] RegionCodes);

    /// <summary><paramref name="count"/> products the API would accept (each offered inside its institution's regions), and their institutions.</summary>
    public static (Institution[] Institutions, ProductListing[] Products) Generate(int count)
    {
        var generator = new ProductGenerator(Workload.ProductSeed);
        // About one product in eight names a region its institution does not serve and is dropped: generate enough.
        var products = generator.Products(count * 5 / 4).Select(WorkflowLatency.InsideInstitution).OfType<ProductListing>().Take(count).ToArray();
        var institutions = products.DistinctBy(p => p.InstitutionId).Select(p =>
        {
            var name = p.Name.Split('·')[0];
            return new Institution(p.InstitutionId, $"{name}（{p.InstitutionId}）", WorkflowLatency.KindOf(name),
                p.InstitutionRegionCodes.Count == 0 ? ProductGenerator.Provinces : [.. p.InstitutionRegionCodes]);
        }).ToArray();
        var regionsOf = institutions.ToDictionary(i => i.Id, i => i.RegionCodes);
        // The product as stored: its institution's regions as the API registered them (the "national" ones serve the four provinces).
        return (institutions, [.. products.Select(p => p with { InstitutionRegionCodes = regionsOf[p.InstitutionId] })]);
    }

    public static async Task LoadAsync(Db db, Institution[] institutions, ProductListing[] products)
    {
        await using var connection = await db.OpenAsync();
        var version = await connection.ExecuteScalarAsync<long>("SELECT version FROM catalog_version WHERE id = 1") + 1;
        var now = DateTimeOffset.UtcNow;
        if (connection is NpgsqlConnection npgsql) await CopyAsync(npgsql, institutions, products, version, now);
        else await InsertAsync(connection, institutions, products, version, now);
        // The version that tells every node's catalogue to read these products again (ProductStore.StampCatalogVersionAsync).
        await connection.ExecuteAsync("UPDATE catalog_version SET version = @Version WHERE id = 1", new { Version = version });
    }

    /// <summary>Where the product is offered, as ProductStore.OfferAsync records it.</summary>
    private static IEnumerable<string> Offered(ProductListing p) =>
        (p.RegionCodes.Count > 0 ? p.RegionCodes : p.InstitutionRegionCodes).Select(Codes.NormaliseRegionPrefix).Distinct();

    private static string? Level(ProductListing p) => p.MinTaxCreditLevel is { } level ? EnumText.ToText(level) : null;

    private static async Task CopyAsync(NpgsqlConnection connection, Institution[] institutions, ProductListing[] products, long version, DateTimeOffset now)
    {
        var at = now.UtcDateTime;
        await using (var copy = await connection.BeginBinaryImportAsync("COPY institutions (id, name, kind, region_codes, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var i in institutions)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(i.Id, NpgsqlDbType.Varchar);
                await copy.WriteAsync(i.Name, NpgsqlDbType.Varchar);
                await copy.WriteAsync(i.Kind, NpgsqlDbType.Varchar);
                await copy.WriteAsync(string.Join(',', i.RegionCodes), NpgsqlDbType.Varchar);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }
            await copy.CompleteAsync();
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
                         "COPY products (" + ProductColumns + ") FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var p in products)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(p.Id, NpgsqlDbType.Varchar);
                await copy.WriteAsync(p.InstitutionId, NpgsqlDbType.Varchar);
                await copy.WriteAsync(p.Name, NpgsqlDbType.Varchar);
                await copy.WriteAsync(EnumText.ToText(p.Kind), NpgsqlDbType.Varchar);
                await copy.WriteAsync(p.MinAmount, NpgsqlDbType.Numeric);
                await copy.WriteAsync(p.MaxAmount, NpgsqlDbType.Numeric);
                await copy.WriteAsync(p.MinTermMonths, NpgsqlDbType.Integer);
                await copy.WriteAsync(p.MaxTermMonths, NpgsqlDbType.Integer);
                await copy.WriteAsync(p.MinRate, NpgsqlDbType.Numeric);
                await copy.WriteAsync(p.MaxRate, NpgsqlDbType.Numeric);
                await copy.WriteAsync(EnumText.Join(p.GuaranteeModes), NpgsqlDbType.Varchar);
                await copy.WriteAsync(string.Join(',', p.RegionCodes), NpgsqlDbType.Varchar);
                await copy.WriteAsync(string.Join(',', p.IndustryCodes.Distinct()), NpgsqlDbType.Varchar);
                await copy.WriteAsync(EnumText.Join(p.EnterpriseSizes), NpgsqlDbType.Varchar);
                await copy.WriteAsync(EnumText.Join(p.RequiredTags), NpgsqlDbType.Varchar);
                await copy.WriteAsync(p.MinYearsInBusiness, NpgsqlDbType.Integer);
                if (Level(p) is { } level) await copy.WriteAsync(level, NpgsqlDbType.Varchar);
                else await copy.WriteNullAsync();
                await copy.WriteAsync(p.FirstLoanFriendly, NpgsqlDbType.Boolean);
                await copy.WriteAsync(EnumText.Join(p.PolicySupport), NpgsqlDbType.Varchar);
                await copy.WriteAsync(p.ApprovalDays, NpgsqlDbType.Integer);
                await copy.WriteAsync("listed", NpgsqlDbType.Varchar);
                await copy.WriteAsync(version, NpgsqlDbType.Bigint);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }
            await copy.CompleteAsync();
        }
        await using (var copy = await connection.BeginBinaryImportAsync("COPY product_regions (product_id, region_prefix) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var p in products)
                foreach (var prefix in Offered(p))
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(p.Id, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(prefix, NpgsqlDbType.Varchar);
                }
            await copy.CompleteAsync();
        }
    }

    private const string ProductColumns =
        "id, institution_id, name, kind, min_amount, max_amount, min_term_months, max_term_months, min_rate, max_rate, guarantee_modes, " +
        "region_codes, industry_codes, enterprise_sizes, required_tags, min_years_in_business, min_tax_credit_level, first_loan_friendly, " +
        "policy_support, approval_days, status, catalog_version, created_at, updated_at";

    private static async Task InsertAsync(DbConnection connection, Institution[] institutions, ProductListing[] products, long version, DateTimeOffset now)
    {
        var at = now.UtcDateTime.ToString(SqlDialect.SqliteTimeFormat, CultureInfo.InvariantCulture);
        await using var transaction = await connection.BeginTransactionAsync();
        await InsertRowsAsync(connection, transaction, "INSERT INTO institutions (id, name, kind, region_codes, created_at) VALUES (@p0, @p1, @p2, @p3, @p4)",
            institutions.Select(i => new object?[] { i.Id, i.Name, i.Kind, string.Join(',', i.RegionCodes), at }));
        await InsertRowsAsync(connection, transaction,
            $"INSERT INTO products ({ProductColumns}) VALUES ({string.Join(", ", Enumerable.Range(0, 24).Select(n => $"@p{n}"))})",
            products.Select(p => new object?[]
            {
                p.Id, p.InstitutionId, p.Name, EnumText.ToText(p.Kind), (double)p.MinAmount, (double)p.MaxAmount, p.MinTermMonths, p.MaxTermMonths,
                (double)p.MinRate, (double)p.MaxRate, EnumText.Join(p.GuaranteeModes), string.Join(',', p.RegionCodes),
                string.Join(',', p.IndustryCodes.Distinct()), EnumText.Join(p.EnterpriseSizes), EnumText.Join(p.RequiredTags), p.MinYearsInBusiness,
                Level(p), p.FirstLoanFriendly ? 1 : 0, EnumText.Join(p.PolicySupport), p.ApprovalDays, "listed", version, at, at,
            }));
        await InsertRowsAsync(connection, transaction, "INSERT INTO product_regions (product_id, region_prefix) VALUES (@p0, @p1)",
            products.SelectMany(p => Offered(p).Select(prefix => new object?[] { p.Id, prefix })));
        await transaction.CommitAsync();
    }

    /// <summary>One prepared INSERT, its parameters set again for each row (SQLite in one transaction: tens of thousands a second).</summary>
    private static async Task InsertRowsAsync(DbConnection connection, DbTransaction transaction, string sql, IEnumerable<object?[]> rows)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        DbParameter[]? parameters = null;
        foreach (var row in rows)
        {
            if (parameters is null)
            {
                parameters = [.. row.Select((_, n) => { var p = command.CreateParameter(); p.ParameterName = $"@p{n}"; return p; })];
                command.Parameters.AddRange(parameters);
                await command.PrepareAsync();
            }
            for (var n = 0; n < row.Length; n++) parameters[n].Value = row[n] ?? DBNull.Value;
            await command.ExecuteNonQueryAsync();
        }
    }
}
