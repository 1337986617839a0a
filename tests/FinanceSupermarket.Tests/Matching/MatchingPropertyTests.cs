using System.Text.RegularExpressions;
using FinanceSupermarket.Testing;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Tests.Matching;

/// <summary>
/// Thousands of random requests against a few thousand random products (fixed seeds), checked against a
/// brute-force reference written here from the rules' wording, not from the engine's code. The only engine code
/// used is <see cref="Scoring.Score"/>, the definition of the ranking.
/// </summary>
public class MatchingPropertyTests
{
    private const int ProductCount = 2_500, RequestCount = 3_000;

    [Test]
    public void Every_returned_product_is_eligible_and_no_better_eligible_product_is_missing()
    {
        var generator = new ProductGenerator(20250630);
        var all = generator.Products(ProductCount, delistedShare: 0.05);
        var tracks = generator.TrackRecords();
        var index = ProductIndex.Build(all);
        index.SetTrackRecords(tracks);
        var matched = 0;
        var nearMissed = 0;

        for (var i = 0; i < RequestCount; i++)
        {
            var query = generator.Query(A.Today, limit: i % 3 == 0 ? 5 : 20, includeNearMisses: i % 2 == 0);
            var result = index.Match(query);

            var years = Reference.YearsBetween(query.Enterprise.EstablishedOn, query.Today);
            var failures = all.ToDictionary(p => p, p => Reference.FailedRules(p, query, years), ByReference);

            // Every returned product satisfies every hard rule.
            foreach (var match in result.Matches)
                failures[match.Product].ShouldBeEmpty($"request {i}: {match.Product.Id}");

            // The same list, in the same order, as ranking every eligible product by brute force.
            var expected = Reference.Rank(all.Where(p => failures[p] is []), query, tracks);
            result.Matches.Select(m => (m.Product.Id, m.Score)).ShouldBe(expected, $"request {i}");

            if (query.IncludeNearMisses)
            {
                var near = all.Where(p => failures[p] is [var rule] && rule is not ("region" or "listed")).ToList();
                var expectedNear = Reference.Rank(near, query, tracks);
                result.NearMisses.Select(n => (n.Product.Id, n.Score)).ShouldBe(expectedNear, $"request {i} near misses");
                foreach (var n in result.NearMisses)
                    n.FailedRule.Code.ShouldBe(failures[n.Product].Single());
                nearMissed += result.NearMisses.Count;
            }
            else
            {
                result.NearMisses.ShouldBeEmpty();
            }
            matched += result.Matches.Count;
        }

        // The data must exercise the engine: plenty of matches and near misses, not a run of empty lists.
        matched.ShouldBeGreaterThan(RequestCount * 3);
        nearMissed.ShouldBeGreaterThan(RequestCount);
    }

    [Test]
    public void Updates_keep_the_index_equal_to_one_built_from_scratch()
    {
        var generator = new ProductGenerator(42);
        var products = generator.Products(1_000).ToDictionary(p => p.Id);
        var index = ProductIndex.Build(products.Values);
        var random = new Random(42);
        for (var i = 0; i < 500; i++)
        {
            var id = $"P{random.Next(1, 1_200):D6}";
            if (random.Next(3) == 0)
            {
                index.Remove(id);
                products.Remove(id);
            }
            else
            {
                var product = generator.Product(id, delistedShare: 0.2);
                index.Upsert(product);
                if (product.Status == ProductStatus.Listed) products[id] = product;
                else products.Remove(id);
            }
        }

        var fresh = ProductIndex.Build(products.Values);
        index.Count.ShouldBe(products.Count);
        for (var i = 0; i < 300; i++)
        {
            var query = generator.Query(A.Today, includeNearMisses: true);
            var a = index.Match(query);
            var b = fresh.Match(query);
            a.Matches.Select(m => (m.Product, m.Score)).ShouldBe(b.Matches.Select(m => (m.Product, m.Score)));
            a.NearMisses.Select(m => (m.Product, m.FailedRule)).ShouldBe(b.NearMisses.Select(m => (m.Product, m.FailedRule)));
        }
    }

    [Test]
    public void Products_listed_changed_and_delisted_one_by_one_rank_as_a_full_scan_of_the_catalogue()
    {
        // Enough products that home regions span several blocks, and bounds off the engine's integer scales (amounts with
        // more than 4 decimals, rates with more than 6), terms and years beyond the buckets, so that every bucket edge is met.
        var generator = new ProductGenerator(7);
        var random = new Random(7);
        var catalogue = generator.Products(5_000).Select(p => Odd(p, random)).ToDictionary(p => p.Id);
        var tracks = generator.TrackRecords();
        var index = ProductIndex.Build(catalogue.Values);
        index.SetTrackRecords(tracks);
        var matched = 0;

        for (var round = 0; round < 40; round++)
        {
            for (var change = 0; change < 100; change++)
            {
                var id = $"P{random.Next(1, 6_500):D6}";
                var product = Odd(generator.Product(id, delistedShare: 0.25), random);
                index.Upsert(product);
                if (product.Status == ProductStatus.Listed) catalogue[id] = product;
                else catalogue.Remove(id);
            }
            index.Count.ShouldBe(catalogue.Count);
            for (var i = 0; i < 10; i++)
            {
                var query = generator.Query(A.Today, limit: 10, includeNearMisses: i % 2 == 0);
                query = query with { Amount = random.Next(4) == 0 ? query.Amount + 0.00005m : query.Amount };
                matched += MatchShouldAgreeWithTheReference(index, catalogue.Values, query, tracks, $"round {round}, request {i}");
            }
        }
        matched.ShouldBeGreaterThan(1_000);   // the requests must find products, not agree on empty lists
    }

    [Test]
    public void Skipping_blocks_by_their_score_bound_loses_no_product_of_the_ranking()
    {
        // Enough products that the busy home regions fill several blocks of 1,024 each (a match skips the blocks whose best
        // possible score is below its worst kept one); short limits raise that score early, changes move products into
        // free slots of other blocks and take the best product of a block away, and track records change the scores.
        var generator = new ProductGenerator(11);
        var random = new Random(11);
        var catalogue = generator.Products(30_000).ToDictionary(p => p.Id);
        var tracks = generator.TrackRecords();
        var index = ProductIndex.Build(catalogue.Values);
        index.SetTrackRecords(tracks);
        var matched = 0;

        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 12; i++)
            {
                var query = generator.Query(A.Today, limit: (i % 3) switch { 0 => 1, 1 => 5, _ => 20 }, includeNearMisses: i % 4 == 0);
                matched += MatchShouldAgreeWithTheReference(index, catalogue.Values, query, tracks, $"round {round}, request {i}");
            }
            var best = catalogue.Values.OrderByDescending(p => Scoring.Score(p, generator.Query(A.Today))).Take(50).Select(p => p.Id).ToList();
            foreach (var id in best) Change(id);
            for (var change = 0; change < 300; change++) Change($"P{random.Next(1, 33_000):D6}");
            tracks = generator.TrackRecords();
            index.SetTrackRecords(tracks);
        }
        matched.ShouldBeGreaterThan(300);

        void Change(string id)
        {
            var product = generator.Product(id, delistedShare: 0.3);
            index.Upsert(product);
            if (product.Status == ProductStatus.Listed) catalogue[id] = product;
            else catalogue.Remove(id);
        }
    }

    private static ProductListing Odd(ProductListing p, Random random) => random.Next(8) switch
    {
        0 => p with { MinAmount = p.MinAmount + 0.00003m, MaxAmount = p.MaxAmount + 0.00007m },
        1 => p with { MinRate = p.MinRate + 0.0000004m },
        2 => p with { MinTermMonths = 0, MaxTermMonths = random.Next(100, 400) },
        3 => p with { MinYearsInBusiness = random.Next(5, 30) },
        4 => p with { MinAmount = 0, MaxAmount = 1_000_000_000_000m },
        _ => p,
    };

    /// <summary>The hard rules as written in the brief, one by one, with decimals, strings and LINQ.</summary>
    private static class Reference
    {
        /// <summary>The rules a product fails, stopping at two (then it is neither a match nor a near miss).</summary>
        public static List<string> FailedRules(ProductListing p, MatchQuery q, int yearsInBusiness)
        {
            var e = q.Enterprise;
            var failed = new List<string>(2);
            // Not listed, or another region: never a match nor a near miss, whatever else holds.
            if (p.Status != ProductStatus.Listed || e.Blacklisted) return ["listed"];
            if (!InRegions(e.RegionCode, p.RegionCodes) || !InRegions(e.RegionCode, p.InstitutionRegionCodes)) return ["region"];
            if (!(p.MinAmount <= q.Amount && q.Amount <= p.MaxAmount)) failed.Add("amount");
            if (!(p.MinTermMonths <= q.TermMonths && q.TermMonths <= p.MaxTermMonths)) failed.Add("term");
            if (!p.GuaranteeModes.Any(q.GuaranteeModes.Contains)) failed.Add("guarantee_mode");
            if (failed.Count > 1) return failed;
            if (q.MaxRate is { } max && max < p.MinRate) failed.Add("max_rate");
            if (p.IndustryCodes.Count > 0 && !p.IndustryCodes.Any(c => e.IndustryCode.StartsWith(c, StringComparison.Ordinal))) failed.Add("industry");
            if (p.EnterpriseSizes.Count > 0 && !p.EnterpriseSizes.Contains(e.Size)) failed.Add("enterprise_size");
            if (!p.RequiredTags.All(e.Tags.Contains)) failed.Add("required_tags");
            if (yearsInBusiness < p.MinYearsInBusiness) failed.Add("years_in_business");
            if (p.MinTaxCreditLevel is { } min && e.TaxCreditLevel < min) failed.Add("tax_credit_level");
            if (p.Kind == ProductKind.FirstLoan && e.HasLoanHistory || p.Kind == ProductKind.Renewal && !e.HasLoanHistory) failed.Add("loan_history");
            return failed;
        }

        public static List<(string Id, double Score)> Rank(IEnumerable<ProductListing> products, MatchQuery query,
            Dictionary<string, InstitutionTrackRecord> tracks) =>
            products
                .Select(p => (Product: p, Score: Scoring.Score(p, query, tracks.GetValueOrDefault(p.InstitutionId))))
                .OrderByDescending(x => x.Score).ThenBy(x => x.Product.MinRate).ThenBy(x => x.Product.Id, StringComparer.Ordinal)
                .Take(query.Limit)
                .Select(x => (x.Product.Id, x.Score))
                .ToList();

        private static bool InRegions(string region, IReadOnlyList<string> prefixes) =>
            prefixes.Count == 0 || prefixes.Any(p => region.StartsWith(GbT2260Prefix(p), StringComparison.Ordinal));

        // GB/T 2260: "330100" is Hangzhou, i.e. every code starting "3301"; "330000" is Zhejiang.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Prefixes = new();
        private static string GbT2260Prefix(string code) =>
            Prefixes.GetOrAdd(code, c => Regex.Replace(c, "^(\\d\\d(?:\\d\\d)??)(?:00)+$", "$1"));

        public static int YearsBetween(DateOnly from, DateOnly to)
        {
            var years = 0;
            while (from.AddYears(years + 1) <= to) years++;
            return years;
        }
    }

    /// <summary>Products keyed by identity: a record's own equality would hash and compare every field of each.</summary>
    private static readonly IEqualityComparer<ProductListing> ByReference = ReferenceEqualityComparer.Instance;

    /// <summary>The index's matches (and near misses, when asked) are the reference's ranking of the catalogue; returns how many matched.</summary>
    private static int MatchShouldAgreeWithTheReference(ProductIndex index, IReadOnlyCollection<ProductListing> catalogue, MatchQuery query,
        Dictionary<string, InstitutionTrackRecord> tracks, string what)
    {
        var result = index.Match(query);
        var years = Reference.YearsBetween(query.Enterprise.EstablishedOn, query.Today);
        var failures = catalogue.ToDictionary(p => p, p => Reference.FailedRules(p, query, years), ByReference);
        result.Matches.Select(m => (m.Product.Id, m.Score)).ShouldBe(Reference.Rank(catalogue.Where(p => failures[p] is []), query, tracks), what);
        if (query.IncludeNearMisses)
        {
            var near = catalogue.Where(p => failures[p] is [var rule] && rule is not ("region" or "listed"));
            result.NearMisses.Select(n => (n.Product.Id, n.Score)).ShouldBe(Reference.Rank(near, query, tracks), $"{what} near misses");
        }
        return result.Matches.Count;
    }
}
