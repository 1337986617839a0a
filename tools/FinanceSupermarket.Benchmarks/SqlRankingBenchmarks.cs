using BenchmarkDotNet.Attributes;

namespace FinanceSupermarket.Benchmarks;

/// <summary>The same ranking as <see cref="MatchingBenchmarks"/> in PostgreSQL: the fair peer and the naive one (see <see cref="SqlRanking"/>).</summary>
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

    [Benchmark(Baseline = true, Description = "SQL ranking, fair (postings, masks, indexes)")]
    public Task<List<SqlRanking.Row>> RankFair() => _sql.RankFairAsync(_requests[_next = (_next + 1) & 15]);

    [Benchmark(Description = "SQL ranking, naive (text[] columns, unnest per row)")]
    public Task<List<SqlRanking.Row>> RankNaive() => _sql.RankNaiveAsync(_requests[_next = (_next + 1) & 15]);
}
