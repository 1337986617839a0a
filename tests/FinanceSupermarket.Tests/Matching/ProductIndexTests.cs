using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Tests.Matching;

public class ProductIndexTests
{
    [Test]
    public void Upsert_lists_a_new_product_and_replaces_a_changed_one()
    {
        var index = ProductIndex.Build([]);
        index.Count.ShouldBe(0);

        index.Upsert(A.Product());
        index.Count.ShouldBe(1);
        index.Match(A.Query()).Matches.ShouldHaveSingleItem();

        index.Upsert(A.Product() with { MinAmount = 4_000_000m });
        index.Count.ShouldBe(1);
        index.Find("p1")!.MinAmount.ShouldBe(4_000_000m);
        index.Match(A.Query()).Matches.ShouldBeEmpty();
    }

    [Test]
    public void Delisting_or_removing_a_product_takes_it_off_the_index()
    {
        var index = ProductIndex.Build([A.Product("p1"), A.Product("p2"), A.Product("p3")]);

        index.Upsert(A.Product("p1") with { Status = ProductStatus.Delisted });
        index.Remove("p3");
        index.Remove("unknown");

        index.Count.ShouldBe(1);
        index.Find("p1").ShouldBeNull();
        index.Find("p3").ShouldBeNull();
        index.Find("p2").ShouldNotBeNull();
        index.Match(A.Query()).Matches.Select(m => m.Product.Id).ShouldBe(["p2"]);
    }

    [Test]
    public void Build_skips_delisted_products_and_keeps_the_last_of_duplicate_ids()
    {
        var index = ProductIndex.Build([A.Product("p1"), A.Product("p2") with { Status = ProductStatus.Delisted }, A.Product("p1") with { MinRate = 3m }]);

        index.Count.ShouldBe(1);
        index.Find("p1")!.MinRate.ShouldBe(3m);
    }

    [Test]
    public void Changing_a_track_record_changes_the_ranking()
    {
        var index = ProductIndex.Build([A.Product("a", "i-a"), A.Product("b", "i-b")]);
        index.Match(A.Query()).Matches.Select(m => m.Product.Id).ShouldBe(["a", "b"]);

        index.SetTrackRecords(new Dictionary<string, InstitutionTrackRecord> { ["i-b"] = new(50, 1, 0.9) });

        index.Match(A.Query()).Matches.Select(m => m.Product.Id).ShouldBe(["b", "a"]);
    }

    [Test]
    public void A_product_moved_to_another_region_is_found_only_there()
    {
        var index = ProductIndex.Build([A.Product()]);
        index.Upsert(A.Product() with { RegionCodes = ["320583"], InstitutionRegionCodes = ["32"] });

        index.Match(A.Query()).Matches.ShouldBeEmpty();
        index.Match(A.Query(A.Enterprise() with { RegionCode = "320583" })).Matches.ShouldHaveSingleItem();
    }

    [Test]
    public void Matching_while_products_are_upserted_and_removed_always_sees_a_whole_index()
    {
        // Products s* are never touched; products c* are changed, removed and re-listed all the time by a writer.
        // Every read must return all s* exactly once, no duplicates, best first — and never throw.
        var stable = Enumerable.Range(1, 100).Select(i => A.Product($"s{i:D3}") with { MinRate = 4m }).ToArray();
        var churn = Enumerable.Range(1, 100).Select(i => A.Product($"c{i:D3}", $"i{i % 7}")).ToArray();
        var index = ProductIndex.Build(stable.Concat(churn));
        using var stop = new CancellationTokenSource();
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var reads = 0;

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var matches = index.Match(A.Query() with { Limit = 1_000, IncludeNearMisses = reads % 2 == 0 }).Matches;
                    var ids = matches.Select(m => m.Product.Id).ToArray();
                    if (ids.Distinct().Count() != ids.Length) problems.Enqueue("duplicate");
                    if (ids.Count(id => id[0] == 's') != stable.Length) problems.Enqueue("stable products missing");
                    for (var j = 1; j < matches.Count; j++)
                        if (matches[j - 1].Score < matches[j].Score) problems.Enqueue("out of order");
                    Interlocked.Increment(ref reads);
                }
            }
            catch (Exception e)
            {
                problems.Enqueue(e.ToString());
            }
        })).ToArray();

        var random = new Random(3);
        var writes = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (writes < 3_000 || (reads < 200 && watch.Elapsed < TimeSpan.FromSeconds(10)))
        {
            var product = churn[random.Next(churn.Length)];
            switch (random.Next(4))
            {
                case 0: index.Remove(product.Id); break;
                case 1: index.Upsert(product with { Status = ProductStatus.Delisted }); break;
                case 2: index.Upsert(product with { MinRate = 2.5m + random.Next(300) / 100m, MinAmount = random.Next(1, 5) * 1_000_000m }); break;
                default: index.SetTrackRecords(new Dictionary<string, InstitutionTrackRecord> { [$"i{random.Next(7)}"] = new(10, random.NextDouble(), 0.5) }); break;
            }
            writes++;
        }
        stop.Cancel();
        Task.WaitAll(readers);

        problems.ShouldBeEmpty();
        reads.ShouldBeGreaterThan(0);
        index.Count.ShouldBeInRange(stable.Length, stable.Length + churn.Length);
    }
}
