using BenchmarkDotNet.Attributes;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Benchmarks;

/// <summary>Ranking one request (top 20) against N products; requests vary round-robin.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class MatchingBenchmarks
{
    private ProductIndex _index = null!;
    private MatchQuery[] _requests = null!, _nearMissRequests = null!;
    private int _next;

    [Params(1_000, 10_000, 100_000)]
    public int Products { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (products, tracks) = Workload.Products(Products);
        _index = ProductIndex.Build(products);
        _index.SetTrackRecords(tracks);
        _requests = Workload.Requests();
        _nearMissRequests = Workload.Requests(includeNearMisses: true);
    }

    private int Next() => _next = (_next + 1) & 15;

    [Benchmark(Baseline = true, Description = "Match")]
    public MatchResult Match() => _index.Match(_requests[Next()]);

    [Benchmark(Description = "Match + near misses")]
    public MatchResult MatchWithNearMisses() => _index.Match(_nearMissRequests[Next()]);

    /// <summary>What the API pays when it serialises the answer: the reasons of all 20 matches written out.</summary>
    [Benchmark(Description = "Match + read all reasons")]
    public int MatchAndExplain()
    {
        var count = 0;
        foreach (var match in _index.Match(_requests[Next()]).Matches) count += match.Reasons.Count;
        return count;
    }
}
