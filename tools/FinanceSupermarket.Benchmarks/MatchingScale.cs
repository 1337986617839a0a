using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;
using FinanceSupermarket.Testing;

namespace FinanceSupermarket.Benchmarks;

/// <summary>
/// <c>--scale</c>: the matching engine at 100,000 and 1,000,000 products in one run — match medians with the bytes each
/// match reads beside the machine's memory bandwidth measured here, product list / change / delist times, and the same
/// requests ranked by the fair SQL peer and the naive one (PostgreSQL), timed alternately with the engine.
/// Each engine figure is given twice: wall-clock time, and the thread's own CPU time (CLOCK_THREAD_CPUTIME_ID), which
/// leaves out the time the scheduler gave other work on the shared cores.
/// </summary>
public static class MatchingScale
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = Option(args, "--sizes")?.Split(',').Select(int.Parse).ToArray() ?? [100_000, 1_000_000];
        var rounds = int.Parse(Option(args, "--rounds") ?? "200");
        var withSql = !args.Contains("--no-sql");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; {Load()}");

        var bandwidth = MemoryBandwidth();
        Console.WriteLine($"memory bandwidth, one core summing a 256 MB array: {bandwidth:N1} GB/s (best of 5); {Load()}");

        foreach (var size in sizes)
        {
            Console.WriteLine();
            Console.WriteLine($"== {size:N0} products ==");
            var (products, tracks) = Workload.Products(size);
            var watch = Stopwatch.StartNew();
            var index = ProductIndex.Build(products);
            index.SetTrackRecords(tracks);
            Console.WriteLine($"bulk build: {watch.Elapsed.TotalMilliseconds:N0} ms ({index.Count:N0} listed); {Load()}");

            var requests = Workload.Requests();
            var nearMissRequests = Workload.Requests(includeNearMisses: true);
            Matches(index, requests, "match (top 20)", bandwidth);
            Matches(index, nearMissRequests, "match + near misses", bandwidth);

            // Before the updates below: the peers hold the catalogue as loaded (the updates once ran first, so at 100,000 the
            // engine ranked 2,000 changed products that the peers had never seen: 9 of 16 top 20s "differed").
            if (withSql) await SqlPeers(index, products, tracks, requests, rounds, size, args.Contains("--explain"));
            Updates(index, size);
            GC.KeepAlive(products);
        }
        return 0;
    }

    /// <summary>One core streaming a large array (adding longs, 4 independent sums): what a scan can read per second at best.</summary>
    private static double MemoryBandwidth()
    {
        var data = new long[32 * 1024 * 1024];
        for (var i = 0; i < data.Length; i++) data[i] = i;
        var best = double.MaxValue;
        long sum = 0;
        for (var pass = 0; pass < 5; pass++)
        {
            var start = Stopwatch.GetTimestamp();
            sum += Sum(data);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        GC.KeepAlive(sum);
        return data.Length * sizeof(long) / best / 1e9;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Sum(long[] data)
    {
        long a = 0, b = 0, c = 0, d = 0;
        for (var i = 0; i < data.Length; i += 4)
        {
            a += data[i];
            b += data[i + 1];
            c += data[i + 2];
            d += data[i + 3];
        }
        return a + b + c + d;
    }

    private static void Matches(ProductIndex index, MatchQuery[] requests, string label, double bandwidth)
    {
        var warmUp = Stopwatch.StartNew();
        for (var i = 0; warmUp.ElapsedMilliseconds < 1_000; i++) index.Match(requests[i & 15]);
        long bytes = 0, entries = 0, blocks = 0;
        foreach (var q in requests)
        {
            index.Match(q, out var work);
            bytes += work.Bytes;
            entries += work.Entries;
            blocks += work.Blocks;
        }
        var (wall, cpu) = Timed(4_000, i => index.Match(requests[i & 15]));
        var perMatch = bytes / (double)requests.Length;
        var median = cpu[cpu.Length / 2];
        Console.WriteLine($"{label,-20} {Summary(wall, cpu)}   reads {perMatch / 1024,6:N0} KB/match ({blocks / requests.Length:N0} blocks, " +
                          $"{entries / requests.Length:N0} entries scored) = {perMatch / (median / 1e6) / 1e9:N2} GB/s at the CPU median, " +
                          $"{perMatch / (median / 1e6) / 1e9 / bandwidth:P0} of bandwidth; {Load()}");
    }

    /// <summary>Wall-clock and thread CPU times of each call, sorted, in µs.</summary>
    private static (double[] Wall, double[] Cpu) Timed(int n, Action<int> run)
    {
        var wall = new double[n];
        var cpu = new double[n];
        for (var i = 0; i < n; i++)
        {
            var cpuStart = ThreadCpuMicroseconds();
            var start = Stopwatch.GetTimestamp();
            run(i);
            wall[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            cpu[i] = ThreadCpuMicroseconds() - cpuStart;
        }
        Array.Sort(wall);
        Array.Sort(cpu);
        return (wall, cpu);
    }

    private static string Summary(double[] wall, double[] cpu) =>
        $"wall median {wall[wall.Length / 2],8:N1} µs p99 {wall[wall.Length * 99 / 100],9:N1} µs | " +
        $"CPU median {cpu[cpu.Length / 2],8:N1} µs p99 {cpu[cpu.Length * 99 / 100],8:N1} µs";

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds, Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private const int ThreadCpuClock = 3;   // CLOCK_THREAD_CPUTIME_ID (Linux)

    internal static double ThreadCpuMicroseconds()
    {
        ClockGetTime(ThreadCpuClock, out var t);
        return t.Seconds * 1e6 + t.Nanoseconds / 1e3;
    }

    /// <summary>Products changed in place, newly listed and delisted, one at a time (each publishes a snapshot).</summary>
    private static void Updates(ProductIndex index, int size)
    {
        var generator = new ProductGenerator(99);
        generator.Products(Math.Min(size, 20_000));   // the same institutions as the catalogue's, as far as ids go
        var random = new Random(5);
        var changes = Enumerable.Range(0, 2_000).Select(_ => generator.Product($"P{random.Next(1, size + 1):D6}")).ToArray();
        var listings = Enumerable.Range(0, 1_000).Select(i => generator.Product($"N{i:D6}")).ToArray();
        Time("change", changes, index.Upsert);
        Time("list", listings, index.Upsert);
        Time("delist", listings, p => index.Upsert(p with { Status = ProductStatus.Delisted }));
    }

    private static void Time(string label, ProductListing[] products, Action<ProductListing> apply)
    {
        for (var i = 0; i < 100; i++) apply(products[i]);   // warm up (the same products again below)
        var (wall, cpu) = Timed(products.Length, i => apply(products[i]));
        Console.WriteLine($"product {label,-12} {Summary(wall, cpu)}   ({products.Length:N0} one at a time); {Load()}");
    }

    private static async Task SqlPeers(ProductIndex index, List<ProductListing> products, Dictionary<string, InstitutionTrackRecord> tracks,
        MatchQuery[] requests, int rounds, int size, bool explain)
    {
        var watch = Stopwatch.StartNew();
        await using var sql = await SqlRanking.StartAsync(products, tracks);
        Console.WriteLine($"PostgreSQL loaded in {watch.Elapsed.TotalSeconds:N0} s (both peers' tables); {Load()}");
        if (explain)
        {
            Console.WriteLine("the fair peer's plan for the first request (its first read):");
            foreach (var line in await sql.ExplainFairAsync(requests[0])) Console.WriteLine("  " + line);
        }
        // The peers compute the score with the engine's double arithmetic and its rounding, so scores are compared exactly.
        int sameFair = 0, sameNaive = 0, fairScores = 0, naiveScores = 0;
        foreach (var q in requests)
        {
            var ranked = index.Match(q).Matches.Select(m => (m.Product.Id, m.Score)).ToList();
            var fairRows = await sql.RankFairAsync(q);
            var naiveRows = await sql.RankNaiveAsync(q);
            if (fairRows.Select(r => r.Id).SequenceEqual(ranked.Select(r => r.Id))) sameFair++;
            if (naiveRows.Select(r => r.Id).SequenceEqual(ranked.Select(r => r.Id))) sameNaive++;
            fairScores += fairRows.Zip(ranked).Count(pair => pair.First.Score == pair.Second.Score);
            naiveScores += naiveRows.Zip(ranked).Count(pair => pair.First.Score == pair.Second.Score);
        }
        var total = requests.Sum(q => index.Match(q).Matches.Count);
        Console.WriteLine($"same top 20 in the same order as the engine: fair SQL {sameFair}/{requests.Length} requests, naive SQL " +
                          $"{sameNaive}/{requests.Length}; same score at the same place: fair {fairScores}/{total}, naive {naiveScores}/{total}; " +
                          $"the fair peer read deeper {sql.DeeperReads} times in {requests.Length} requests");

        // Round-robin over the 16 requests, alternating engine / fair / naive so that all three see the same load.
        var naiveEvery = size >= 1_000_000 ? 8 : 2;
        List<double> engineTimes = [], fairTimes = [], naiveTimes = [];
        for (var r = 0; r < rounds; r++)
        {
            var q = requests[r & 15];
            var start = Stopwatch.GetTimestamp();
            index.Match(q);
            engineTimes.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            start = Stopwatch.GetTimestamp();
            await sql.RankFairAsync(q);
            fairTimes.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            if (r % naiveEvery != 0) continue;
            start = Stopwatch.GetTimestamp();
            await sql.RankNaiveAsync(q);
            naiveTimes.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        double engine = Median(engineTimes), fair = Median(fairTimes), naive = Median(naiveTimes);
        Console.WriteLine($"side by side, {rounds} rounds ({naiveTimes.Count} for the naive peer): engine {engine:N1} µs, fair SQL {fair:N0} µs, " +
                          $"naive SQL {naive:N0} µs (medians); fair / engine {fair / engine:N0}×, naive / engine {naive / engine:N0}×, " +
                          $"naive / fair {naive / fair:N1}×; {Load()}");
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>The machine's load average (1, 5, 15 minutes): other work shares the two cores.</summary>
    public static string Load() => "load " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
