using System.Diagnostics;
using BenchmarkDotNet.Running;
using FinanceSupermarket.Benchmarks;
using FinanceSupermarket.Matching;
using FinanceSupermarket.Testing;

// dotnet run -c Release --project tools/FinanceSupermarket.Benchmarks -- --filter '*' [--job short]   BenchmarkDotNet
//                                                                     -- --index-size                  memory of the index for 100,000 products
//                                                                     -- --quick                       in-process timing of Match, 1k/10k/100k
//                                                                     -- --scale [--sizes 100000,1000000] [--rounds 200] [--no-sql]
//                                                                                                      match and update times at 100k and 1M, bytes per
//                                                                                                      match vs memory bandwidth, beside the fair and naive SQL peers
//                                                                     -- --workflow-latency [--rate 50] [--seconds 20] [--providers sqlite,postgresql]
//                                                                                                      submission → dispatched through the running API
//                                                                     -- --statistics [--requests 1000000] [--runs 20]   summary and breakdowns, rows vs rollup
//                                                                     -- --portal [--rounds 300]       the portal's pages beside the JSON API
//                                                                     -- --shelves [--products 100000] [--connections 64] [--seconds 20] [--providers sqlite,postgresql]
//                                                                                                      the public shelves' throughput from memory beside the SQL peer
return args switch
{
    ["--index-size", ..] => IndexSize(),
    ["--quick", ..] => Quick(),
    ["--workflow-latency", ..] => await WorkflowLatency.RunAsync(args),
    ["--statistics", ..] => await StatisticsBenchmark.RunAsync(args),
    ["--portal", ..] => await PortalRender.RunAsync(args),
    ["--scale", ..] => await MatchingScale.RunAsync(args),
    ["--shelves", ..] => await ShelvesThroughput.RunAsync(args),
    _ => RunBenchmarkDotNet(args),
};

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(MatchingBenchmarks).Assembly).Run(args);
    return 0;
}

static int IndexSize()
{
    const int count = 100_000;
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var (products, tracks) = Workload.Products(count);
    var withProducts = GC.GetTotalMemory(forceFullCollection: true);
    var watch = Stopwatch.StartNew();
    var index = ProductIndex.Build(products);
    index.SetTrackRecords(tracks);
    var buildTime = watch.Elapsed;
    var withIndex = GC.GetTotalMemory(forceFullCollection: true);

    Console.WriteLine($"products generated:            {count:N0} ({index.Count:N0} listed)");
    Console.WriteLine($"product objects (the caller's): {Mb(withProducts - before)}");
    Console.WriteLine($"index built over them:         {Mb(withIndex - withProducts)}  (target < 100 MB)");
    Console.WriteLine($"products + index:              {Mb(withIndex - before)}");
    Console.WriteLine($"build time:                    {buildTime.TotalMilliseconds:N0} ms");

    var generator = new ProductGenerator(99);
    var changes = Enumerable.Range(0, 200).Select(i => generator.Product($"P{i * 397 % count + 1:D6}")).ToArray();
    watch.Restart();
    foreach (var change in changes) index.Upsert(change);
    Console.WriteLine($"upsert (copies one block):     {watch.Elapsed.TotalMilliseconds / changes.Length:N1} ms each, averaged over {changes.Length}");
    GC.KeepAlive(products);
    GC.KeepAlive(index);
    return 0;

    static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:N1} MB";
}

static int Quick()
{
    Console.WriteLine("products   median µs   p90 µs   allocated B/request   (top 20; + near misses; + reading all reasons)");
    foreach (var count in new[] { 1_000, 10_000, 100_000 })
    {
        var (products, tracks) = Workload.Products(count);
        var index = ProductIndex.Build(products);
        index.SetTrackRecords(tracks);
        Report(count, "Match", Workload.Requests(), q => index.Match(q));
        Report(count, "+ near misses", Workload.Requests(includeNearMisses: true), q => index.Match(q));
        Report(count, "+ all reasons", Workload.Requests(), q =>
        {
            var n = 0;
            foreach (var m in index.Match(q).Matches) n += m.Reasons.Count;
            return n;
        });
    }
    return 0;

    static void Report<T>(int count, string label, MatchQuery[] requests, Func<MatchQuery, T> run)
    {
        // Warm up for a while, not a number of calls: tiered JIT promotes hot methods only after ~100 ms.
        var warmUp = Stopwatch.StartNew();
        for (var i = 0; warmUp.ElapsedMilliseconds < 700; i++) run(requests[i & 15]);
        const int n = 3_000;
        var times = new double[n];
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < n; i++)
        {
            var start = Stopwatch.GetTimestamp();
            run(requests[i & 15]);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / n;
        Array.Sort(times);
        Console.WriteLine($"{count,8:N0}   {times[n / 2],9:N1}   {times[n * 9 / 10],6:N1}   {allocated,19:N0}   {label}");
    }
}
