using System.Data;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using FinanceSupermarket.Testing;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.IntegrationTests.Products;

/// <summary>
/// The shelves are served from memory; they must answer exactly as the SQL that served them before did (kept here as the
/// reference): the same products, in the same order, the same total, for any filters and page, after products were listed,
/// delisted and changed — and never a delisted product; also while they are listed, changed and delisted one at a time
/// between reads, in blocks small enough that the changes split, merge and move products between blocks.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class ShelvesFromMemoryTests(string provider) : ApiTestBase(provider)
{
    private const string ReferenceFilterSql = """
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

    private static readonly string[] Names = ["科技信用贷", "Green Loan 绿色贷", "TAX e贷", "首贷通", "供应链 Supply Chain", "100%_信用"];
    private static readonly string[] Kinds = ["credit_loan", "tech_loan", "green_loan", "first_loan", "supply_chain", "mortgage_loan"];
    private static readonly string[] Modes = ["credit", "mortgage", "pledge", "guarantee"];
    private static readonly string[] Supports = ["interest_subsidy", "risk_compensation", "gov_guarantee"];

    private sealed record Filters(ShelfFilter Shelf, int Page, int PageSize);

    // Small blocks, so that a few dozen products span several of them and a change splits, merges and moves across blocks.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Shelves:BlockSize"] = "8" };

    [Test]
    public async Task Any_filters_sort_and_page_give_the_products_and_total_the_shelves_SQL_gives()
    {
        var random = new Random(13);
        var institutions = await RegisterInstitutionsAsync();

        var listed = new List<(string Id, string Institution, string[] Served)>();
        for (var i = 0; i < 40; i++)
        {
            var (institution, served) = institutions[random.Next(institutions.Count)];
            listed.Add((await ListProductAsync(institution, body => RandomTerms(random, body, served)), institution, served));
        }
        var delisted = listed.Where(_ => random.Next(5) == 0).Select(product => product.Id).ToList();
        foreach (var id in delisted)
            await InstitutionClient(await InstitutionOfAsync(id)).PostJsonAsync($"/api/v1/products/{id}/delist", new { }).ShouldBe(HttpStatusCode.OK);
        // Changed products move along the shelves (a new floor rate, kind, regions): the catalogue merges each into its new place.
        foreach (var (id, institution, served) in listed.Where(product => !delisted.Contains(product.Id) && random.Next(3) == 0))
            await ChangeAsync(random, id, institution, served);

        await ShelvesAgreeWithSqlAsync(random, institutions, delisted, reads: 150);
    }

    [Test]
    public async Task Lists_changes_and_delists_interleaved_with_reads_give_what_the_shelves_SQL_gives()
    {
        var random = new Random(29);
        var institutions = await RegisterInstitutionsAsync();
        var live = new List<(string Id, string Institution, string[] Served)>();
        var delisted = new List<string>();

        // Products come and go one write at a time, each followed by reads: every block split, merge and move is read at once.
        for (var step = 0; step < 90; step++)
        {
            switch (live.Count < 10 ? 0 : random.Next(4))
            {
                case 0 or 1:
                    var (institution, served) = institutions[random.Next(institutions.Count)];
                    live.Add((await ListProductAsync(institution, body => RandomTerms(random, body, served)), institution, served));
                    break;
                case 2:
                    var changed = live[random.Next(live.Count)];
                    await ChangeAsync(random, changed.Id, changed.Institution, changed.Served);
                    break;
                default:
                    await DelistAsync(live[random.Next(live.Count)]);
                    break;
            }
            await ShelvesAgreeWithSqlAsync(random, institutions, delisted, reads: 3);
        }
        // Most of them leave: blocks shrink, empty and join their neighbours.
        while (live.Count > 3)
        {
            await DelistAsync(live[random.Next(live.Count)]);
            await ShelvesAgreeWithSqlAsync(random, institutions, delisted, reads: 3);
        }

        async Task DelistAsync((string Id, string Institution, string[] Served) product)
        {
            await InstitutionClient(product.Institution).PostJsonAsync($"/api/v1/products/{product.Id}/delist", new { }).ShouldBe(HttpStatusCode.OK);
            live.Remove(product);
            delisted.Add(product.Id);
        }
    }

    private async Task<List<(string Id, string[] Regions)>> RegisterInstitutionsAsync()
    {
        string[][] regions = [["33"], ["3304", "320583"], ["44", "37"]];
        var institutions = new List<(string Id, string[] Regions)>();
        foreach (var served in regions) institutions.Add((await RegisterInstitutionAsync(served), served));
        return institutions;
    }

    private static void RandomTerms(Random random, Dictionary<string, object?> body, string[] served)
    {
        var minAmount = random.Next(1, 50) * 100_000m;
        var minTerm = random.Next(1, 13);
        body["name"] = Names[random.Next(Names.Length)];
        body["kind"] = Kinds[random.Next(Kinds.Length)];
        body["minAmount"] = minAmount;
        body["maxAmount"] = minAmount * random.Next(1, 20);
        body["minTermMonths"] = minTerm;
        body["maxTermMonths"] = minTerm + random.Next(0, 48);
        body["minRate"] = Math.Round(3m + (decimal)random.NextDouble() * 3, 2 + random.Next(2));
        body["maxRate"] = 6.5m;
        body["guaranteeModes"] = Modes.Where(_ => random.Next(3) == 0).DefaultIfEmpty("credit").ToArray();
        body["policySupport"] = Supports.Where(_ => random.Next(4) == 0).ToArray();
        body["regionCodes"] = random.Next(3) == 0 ? Array.Empty<string>() : [Inside(served[random.Next(served.Length)], random)];
    }

    private async Task ChangeAsync(Random random, string id, string institution, string[] served)
    {
        var body = ProductBody();
        RandomTerms(random, body, served);
        await InstitutionClient(institution).PutJsonFromCurrentAsync($"/api/v1/products/{id}", body).ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>Random filters and pages: the API's answer is the reference SQL's, and never shows a delisted product.</summary>
    private async Task ShelvesAgreeWithSqlAsync(Random random, List<(string Id, string[] Regions)> institutions, List<string> delisted, int reads)
    {
        for (var i = 0; i < reads; i++)
        {
            var filters = new Filters(new ShelfFilter(
                Maybe(random, () => Kinds[random.Next(Kinds.Length)]),
                Maybe(random, () => new[] { "33", "3304", "330421", "32", "320583", "44", "4407", "440704", "37", "11" }[random.Next(10)]),
                Maybe(random, () => institutions[random.Next(institutions.Count)].Id),
                Maybe(random, () => new[] { "信用", "green", "LOAN", "e贷", "%", "_", "贷", "x" }[random.Next(8)]),
                random.Next(3) == 0 ? random.Next(1, 60) * 100_000m : null,
                random.Next(3) == 0 ? random.Next(1, 60) : null,
                Maybe(random, () => Modes[random.Next(Modes.Length)]),
                Maybe(random, () => Supports[random.Next(Supports.Length)])),
                random.Next(1, 4), random.Next(1, 12));

            var (expectedIds, expectedTotal) = await FromSqlAsync(filters);
            var answer = await Anonymous.GetAsync($"/api/v1/products?{filters.Shelf.QueryString(filters.Page, filters.PageSize)}").ShouldBe(HttpStatusCode.OK);
            var body = await answer.Content.ReadAsStringAsync();
            var page = JsonNode.Parse(body)!;
            var ids = page["items"]!.AsArray().Select(item => (string)item!["id"]!).ToList();

            ids.ShouldBe(expectedIds, $"filters {filters}");
            ((long)page["total"]!).ShouldBe(expectedTotal, $"filters {filters}");
            ids.ShouldNotContain(id => delisted.Contains(id));
            // The page is written from each product's kept JSON: exactly what the API's serialiser makes of the same page.
            body.ShouldBe(JsonSerializer.Serialize(Host.Service<ShelfCatalogue>().Browse(Query(filters)), JsonOptions), $"filters {filters}");
        }
    }

    private JsonSerializerOptions JsonOptions => Host.Service<IOptions<JsonOptions>>().Value.SerializerOptions;

    private static BrowseProducts Query(Filters filters)
    {
        var f = filters.Shelf;
        return new BrowseProducts(f.Kind, f.Region, f.InstitutionId, f.Q, f.Amount, f.TermMonths, f.GuaranteeMode, f.PolicySupport, filters.Page, filters.PageSize);
    }

    private async Task<string> InstitutionOfAsync(string productId) =>
        (string)(await (await Anonymous.GetAsync($"/api/v1/products/{productId}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["institutionId"]!;

    // A prefix the institution serves, or a city or county inside it (the seeds' counties).
    private static string Inside(string served, Random random)
    {
        var inside = new[] { "330421", "330402", "320583", "440704", "440781", "370211" }.Where(c => c.StartsWith(served, StringComparison.Ordinal)).ToArray();
        return random.Next(3) == 0 || inside.Length == 0 ? served : inside[random.Next(inside.Length)][..Math.Max(served.Length, random.Next(2) == 0 ? 4 : 6)];
    }

    private static string? Maybe(Random random, Func<string> value) => random.Next(3) == 0 ? value() : null;

    // The shelves' SQL as it was before they moved into memory.
    private async Task<(List<string> Ids, long Total)> FromSqlAsync(Filters filters)
    {
        var (f, page, pageSize) = (filters.Shelf, filters.Page, filters.PageSize);
        var db = Host.Service<Db>();
        var parameters = new DynamicParameters(new
        {
            Listed = "listed", f.Kind, f.InstitutionId,
            Q = f.Q is { Length: > 0 } q ? $"%{EscapeLike(q.ToLowerInvariant())}%" : null,
            RegionLike = f.Region is { } region ? region + "%" : null,
            Province = Ancestor(f.Region, 2), City = Ancestor(f.Region, 4), County = Ancestor(f.Region, 6),
            Skip = (page - 1) * pageSize, Take = pageSize,
        });
        parameters.Add(nameof(f.Amount), f.Amount, DbType.Decimal);
        parameters.Add(nameof(f.TermMonths), f.TermMonths, DbType.Int32);
        AddListedWord(parameters, nameof(f.GuaranteeMode), f.GuaranteeMode);
        AddListedWord(parameters, nameof(f.PolicySupport), f.PolicySupport);
        await using var connection = await db.OpenAsync();
        var total = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM products p" + ReferenceFilterSql, parameters);
        var ids = await connection.QueryAsync<string>(db.Dialect.Page("SELECT p.id FROM products p" + ReferenceFilterSql + " ORDER BY p.min_rate, p.id"), parameters);
        return (ids.ToList(), total);
    }

    private static string Ancestor(string? region, int length) => region is not null && region.Length >= length ? region[..length] : "-";

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
