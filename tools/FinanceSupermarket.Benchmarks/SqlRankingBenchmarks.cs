using BenchmarkDotNet.Attributes;

namespace FinanceSupermarket.Benchmarks;

/// <summary>The same ranking as <see cref="MatchingBenchmarks"/>, as one PostgreSQL query read with Dapper.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class SqlRankingBenchmarks
{
    private SqlRanking _sql = null!;
    private FinanceSupermarket.Matching.MatchQuery[] _requests = null!;
    private int _next;

    [Params(100_000)]
    public int Products { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        var (products, tracks) = Workload.Products(Products);
        _sql = await SqlRanking.StartAsync(products, tracks);
        _requests = Workload.Requests();
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _sql.DisposeAsync();

    [Benchmark(Description = "SQL ranking (Dapper)")]
    public Task<List<SqlRanking.Row>> Rank() => _sql.RankAsync(_requests[_next = (_next + 1) & 15]);
}
