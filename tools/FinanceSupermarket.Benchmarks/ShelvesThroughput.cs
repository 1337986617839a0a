using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapper;
using FinanceSupermarket.Api.Features.Matching;
using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;
using FinanceSupermarket.Testing;

namespace FinanceSupermarket.Benchmarks;

/// <summary>
/// --shelves: the public shelves (GET /api/v1/products) with 100,000 listed products, driven closed loop by 64 concurrent
/// visitors for N seconds each way (issue 13: ≥ 3,000 requests/s with p99 under 50 ms on SQLite and PostgreSQL). The API's
/// own Program runs in this process over loopback HTTP, its visitors in a process of their own (so that each one's CPU time
/// is counted apart); the products are written straight into its tables and its
/// catalogue loads them through its own refresh, as on start. Each visitor opens a filter (none, a kind, a region, kind +
/// region + amount, guarantee mode + term, an institution, a policy support) and pages on through 1–5 pages of 20.
/// Side by side in the same run, at the same concurrency and over the same visits: the catalogue's Browse called in
/// process (no HTTP, no JSON), and the SQL peer (<see cref="ShelfSqlPeer"/>) through Dapper on the host's own Db with keyset
/// paging, with and without the COUNT(*) that a total needs (taken on a visit's first page, carried to the next ones).
/// The SQL peer answers rows, not HTTP: it is spared the routing, validation and JSON the API path pays for.
/// </summary>
public static class ShelvesThroughput
{
    private const int PageSize = 20;
    private static readonly System.Text.Json.JsonSerializerOptions Json = CreateJson();

    private static System.Text.Json.JsonSerializerOptions CreateJson()
    {
        // The API's own settings (camelCase, enum words, Chinese unescaped), as its answers are written.
        var options = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        FinanceSupermarket.Api.Infrastructure.Http.JsonSetup.Configure(options);
        return options;
    }
    private const string SigningKey = "shelves-benchmark-signing-key-0123456789abcdef0123";

    public static async Task<int> RunAsync(string[] args)
    {
        if (StringOption(args, "--visitors-of") is { } address) return await VisitorsAsync(new Uri(address), args);
        var count = IntOption(args, "--products", 100_000);
        var connections = IntOption(args, "--connections", 64);
        var seconds = IntOption(args, "--seconds", 20);
        var providers = (StringOption(args, "--providers") ?? "sqlite,postgresql").Split(',', StringSplitOptions.RemoveEmptyEntries);
        // Which lines to time (all by default): api, browse, json, sql, sql-total — e.g. "api" alone while profiling it.
        var settings = new Settings(connections, seconds, IntOption(args, "--warm-up", 10),
            (StringOption(args, "--paths") ?? "api,browse,json,sql,sql-total").Split(',', StringSplitOptions.RemoveEmptyEntries));
        // The SQL peer's SQLite calls block their thread while they run: without enough threads at hand the pool would
        // add them one by one, and the first seconds would measure the thread pool, not the database.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, connections * 2), io);

        var (institutions, products) = ShelvesData.Generate(count);
        var visits = Visits(institutions.Select(i => i.Id).ToArray(), 4_096);
        var results = new List<Line>();
        foreach (var provider in providers)
        {
            Console.WriteLine($"== {provider}: {products.Length:N0} products of {institutions.Length:N0} institutions, {connections} connections, " +
                              $"{seconds} s per path; load average {LoadAverage()}");
            results.AddRange(provider.ToLowerInvariant() switch
            {
                "sqlite" => await RunSqliteAsync(institutions, products, visits, settings),
                "postgresql" => await RunPostgreSqlAsync(institutions, products, visits, settings),
                _ => throw new ArgumentException($"Unknown provider {provider}; use sqlite, postgresql."),
            });
        }

        Console.WriteLine();
        Console.WriteLine($"Shelves, {products.Length:N0} listed products, {connections} connections closed loop, {seconds} s per path, " +
                          $"{Environment.ProcessorCount} cores shared with other work, .NET {Environment.Version}, " +
                          $"{(System.Runtime.GCSettings.IsServerGC ? "server GC (as the API runs)" : "workstation GC (the API runs with server GC: set DOTNET_gcServer=1)")}:");
        Console.WriteLine("provider    path                                      requests  req/s    p50 ms   p99 ms   max ms  errors CPU µs/req visitors  load (1 min) start→end");
        Console.WriteLine("(CPU µs/req: this process's CPU time per request — the API and GC, or the in-process lines' own work; PostgreSQL's own processes are not in it;");
        Console.WriteLine(" visitors: the CPU time per request of the separate process that sends the API's requests)");
        foreach (var line in results) Console.WriteLine(line);
        foreach (var provider in providers)
        {
            var mine = results.Where(r => r.Provider == provider).ToArray();
            if (mine.SingleOrDefault(r => r.Path == ApiPath) is not { } api) continue;
            var beside = mine.SingleOrDefault(r => r.Path == SqlPagePath) is { } page && mine.SingleOrDefault(r => r.Path == SqlTotalPath) is { } total
                ? $"the API from memory is {Ratio(api, page)} the SQL keyset page, {Ratio(api, total)} the SQL keyset page + COUNT; "
                : "";
            Console.WriteLine($"{provider}: {beside}target ≥ 3,000 req/s with p99 < 50 ms: {(api.MeetsTarget ? "met" : "NOT met")}");
        }
        return results.Where(r => r.Path == ApiPath).All(r => r.MeetsTarget) ? 0 : 1;
    }

    /// <summary>The concurrency, the seconds per line, and which lines to time (their short names).</summary>
    private sealed record Settings(int Connections, int Seconds, int WarmUpSeconds, string[] Paths);

    private const string ApiPath = "API GET /api/v1/products (memory)";
    private const string BrowsePath = "catalogue.Browse in process (no HTTP)";
    private const string BrowseJsonPath = "catalogue.Browse + its JSON in process";
    private const string SqlPagePath = "SQL keyset page (no total)";
    private const string SqlTotalPath = "SQL keyset page + COUNT on page 1";

    private sealed record Line(string Provider, string Path, int Requests, double Seconds, double[] Sorted, int Errors, TimeSpan Cpu,
        string LoadBefore, string LoadAfter, TimeSpan? VisitorsCpu = null)
    {
        public double PerSecond => Requests / Seconds;
        public bool MeetsTarget => Errors == 0 && PerSecond >= 3_000 && Percentile(Sorted, 0.99) < 50;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Provider,-10}  {Path,-40} {Requests,9:N0} {PerSecond,6:N0} {Percentile(Sorted, 0.5),9:N2} {Percentile(Sorted, 0.99),8:N2} " +
            $"{Percentile(Sorted, 1),8:N1} {Errors,7} {Cpu.TotalMicroseconds / Math.Max(1, Requests),10:N0} " +
            $"{(VisitorsCpu is { } visitors ? (visitors.TotalMicroseconds / Math.Max(1, Requests)).ToString("N0", CultureInfo.InvariantCulture) : "-"),9}  {LoadBefore} → {LoadAfter}");
    }

    private static string Ratio(Line memory, Line sql) => string.Create(CultureInfo.InvariantCulture, $"{memory.PerSecond / sql.PerSecond:N1}× the req/s of");

    private static async Task<Line[]> RunSqliteAsync(ShelvesData.Institution[] institutions, ProductListing[] products, Visit[] visits, Settings settings)
    {
        var folder = Directory.CreateTempSubdirectory("fs-shelves-");
        try
        {
            return await RunAsync("sqlite", "Sqlite", $"Data Source={Path.Combine(folder.FullName, "shelves.db")}", institutions, products, visits, settings);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<Line[]> RunPostgreSqlAsync(ShelvesData.Institution[] institutions, ProductListing[] products, Visit[] visits, Settings settings)
    {
        if (Environment.GetEnvironmentVariable("BENCH_PG") is { Length: > 0 } configured)
            return await RunAsync("postgresql", "PostgreSql", configured, institutions, products, visits, settings);
        await using var server = await TemporaryPostgresServer.StartAsync();
        Console.WriteLine($"   {server} (fsync off: a throwaway server)");
        return await RunAsync("postgresql", "PostgreSql", await server.CreateDatabaseAsync("shelves"), institutions, products, visits, settings);
    }

    private static async Task<Line[]> RunAsync(string name, string provider, string connectionString, ShelvesData.Institution[] institutions,
        ProductListing[] products, Visit[] visits, Settings settings)
    {
        await using var api = await InProcessApi.StartAsync(
        [
            // The API's appsettings.json, copied beside this program, as the API reads it beside its own.
            "--urls", "http://127.0.0.1:0", "--environment", "Production", "--contentRoot", AppContext.BaseDirectory, "--applicationName", "FinanceSupermarket.Api",
            $"--Database:Provider={provider}", $"--Database:ConnectionString={connectionString}", "--Database:SeedDemoData=false",
            $"--Auth:SigningKey={SigningKey}", "--Workflow:RunJobs=false",
            // A log line per request would measure the console: errors only.
            "--Logging:LogLevel:Default=Error", "--Logging:LogLevel:Microsoft.AspNetCore.HttpLogging=Error",
        ]);
        var db = api.Service<Db>();
        var watch = Stopwatch.StartNew();
        await ShelvesData.LoadAsync(db, institutions, products);
        var written = watch.Elapsed;
        watch.Restart();
        await api.Service<MatchingIndex>().RefreshAsync();
        var catalogue = api.Service<ShelfCatalogue>();
        Console.WriteLine($"   products written into the tables in {written.TotalSeconds:N1} s; the host's catalogue read them through its refresh " +
                          $"in {watch.Elapsed.TotalSeconds:N1} s ({catalogue.Browse(Query(new ShelfFilter(), 1)).Total:N0} on the shelves)");
        var peer = new ShelfSqlPeer(db);
        watch.Restart();
        await peer.CreateIndexesAsync();
        Console.WriteLine($"   the SQL peer's indexes built and analysed in {watch.Elapsed.TotalSeconds:N1} s");
        await CheckPeerAgreesAsync(catalogue, peer, visits.Take(200));
        await TimeChangesAsync(db, catalogue, products);

        var lines = new List<Line>();
        if (settings.Paths.Contains("api"))
        {
            var line = await DriveFromVisitorsAsync(name, api.Address, visits, settings);
            Console.WriteLine(line);
            lines.Add(line);
        }
        var paths = new (string Name, string Path, PageRequest Request)[]
        {
            ("browse", BrowsePath, async (filter, page, _) =>
            {
                await Task.Yield();
                return (catalogue.Browse(Query(filter, page)).Total > (long)page * PageSize, null);
            }),
            ("json", BrowseJsonPath, async (filter, page, _) =>
            {
                await Task.Yield();
                var found = catalogue.Browse(Query(filter, page));
                System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(found, Json);
                return (found.Total > (long)page * PageSize, null);
            }),
            ("sql", SqlPagePath, (filter, page, after) => SqlPageAsync(peer, filter, after, withTotal: false)),
            ("sql-total", SqlTotalPath, (filter, page, after) => SqlPageAsync(peer, filter, after, withTotal: page == 1)),
        };
        foreach (var (_, path, request) in paths.Where(p => settings.Paths.Contains(p.Name)))
        {
            await DriveAsync(name, path, visits, settings.Connections, TimeSpan.FromSeconds(3), request);   // warm-up: JIT, pools, caches
            Console.WriteLine($"   timing {path} (process {Environment.ProcessId})");
            var line = await DriveAsync(name, path, visits, settings.Connections, TimeSpan.FromSeconds(settings.Seconds), request);
            Console.WriteLine(line);
            lines.Add(line);
        }
        return [.. lines];
    }

    /// <summary>
    /// The API line: the visitors run in a process of their own (this program with --visitors-of), so that this process's
    /// CPU time is the host's alone and the load generator's is counted apart. It warms the host up (JIT tiers, pools),
    /// says when it starts timing and when it stops, and leaves each request's time in a file.
    /// </summary>
    private static async Task<Line> DriveFromVisitorsAsync(string provider, Uri address, Visit[] visits, Settings settings)
    {
        var visitsFile = Path.GetTempFileName();
        var timesFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(visitsFile, visits.Select(visit => System.Text.Json.JsonSerializer.Serialize(visit)));
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(ShelvesThroughput).Assembly.Location);
            foreach (var argument in new[]
                     {
                         "--shelves", "--visitors-of", address.ToString(), "--visits", visitsFile, "--times", timesFile,
                         "--connections", settings.Connections.ToString(CultureInfo.InvariantCulture),
                         "--seconds", settings.Seconds.ToString(CultureInfo.InvariantCulture),
                         "--warm-up", settings.WarmUpSeconds.ToString(CultureInfo.InvariantCulture),
                     })
                start.ArgumentList.Add(argument);
            // A lean client: the workstation GC, not the host's server GC.
            start.Environment["DOTNET_gcServer"] = "0";
            using var visitors = Process.Start(start) ?? throw new InvalidOperationException("The visitors' process did not start.");
            string? loadBefore = null;
            var cpuBefore = TimeSpan.Zero;
            while (await visitors.StandardOutput.ReadLineAsync() is { } said)
            {
                if (said == "timing")
                {
                    loadBefore = LoadAverage();
                    cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    Console.WriteLine($"   timing {ApiPath} (process {Environment.ProcessId}, visitors {visitors.Id})");
                    continue;
                }
                if (!said.StartsWith("done ", StringComparison.Ordinal))
                {
                    Console.WriteLine($"   visitors: {said}");
                    continue;
                }
                var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                var parts = said.Split(' ');
                var bytes = await File.ReadAllBytesAsync(timesFile);
                var times = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).ToArray();
                Array.Sort(times);
                await visitors.WaitForExitAsync();
                return new Line(provider, ApiPath, times.Length, double.Parse(parts[1], CultureInfo.InvariantCulture), times,
                    int.Parse(parts[2], CultureInfo.InvariantCulture), cpu, loadBefore ?? "?", LoadAverage(),
                    TimeSpan.FromMicroseconds(double.Parse(parts[3], CultureInfo.InvariantCulture)));
            }
            throw new InvalidOperationException($"The visitors' process ended ({visitors.ExitCode}) without its figures.");
        }
        finally
        {
            File.Delete(visitsFile);
            File.Delete(timesFile);
        }
    }

    /// <summary>
    /// The visitors' process: the visits of the file, closed loop over <c>--connections</c> connections to the API, first
    /// for the warm-up, then timed; it prints "timing", then "done seconds errors cpu-µs", each request's time in the file.
    /// The answer's total is read from the end of the body (it follows the items), not by parsing the whole page.
    /// </summary>
    private static async Task<int> VisitorsAsync(Uri address, string[] args)
    {
        var connections = IntOption(args, "--connections", 64);
        var visits = (await File.ReadAllLinesAsync(StringOption(args, "--visits")!))
            .Select(line => System.Text.Json.JsonSerializer.Deserialize<Visit>(line)!).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections, UseCookies = false, UseProxy = false, AutomaticDecompression = DecompressionMethods.None,
        }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var totalKey = "\"total\":"u8.ToArray();
        PageRequest request = async (filter, page, _) =>
        {
            using var response = await http.GetAsync($"/api/v1/products?{filter.QueryString(page, PageSize)}", HttpCompletionOption.ResponseContentRead);
            if (response.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"answered {(int)response.StatusCode}");
            var body = await response.Content.ReadAsByteArrayAsync();
            // The visitor pages on while there is more: the total is on every page.
            var at = body.AsSpan().LastIndexOf(totalKey) + totalKey.Length;
            var digits = body.AsSpan(at).IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            return (long.Parse(body.AsSpan(at, digits), CultureInfo.InvariantCulture) > (long)page * PageSize, null);
        };
        await DriveAsync("", ApiPath, visits, connections, TimeSpan.FromSeconds(IntOption(args, "--warm-up", 10)), request);
        Console.WriteLine("timing");
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var line = await DriveAsync("", ApiPath, visits, connections, TimeSpan.FromSeconds(IntOption(args, "--seconds", 20)), request);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        await File.WriteAllBytesAsync(StringOption(args, "--times")!, System.Runtime.InteropServices.MemoryMarshal.AsBytes(line.Sorted.AsSpan()).ToArray());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {line.Seconds} {line.Errors} {cpu.TotalMicroseconds}"));
        return 0;
    }

    /// <summary>One request of a visit: whether the visitor can page on, and where the next page starts (keyset).</summary>
    private delegate Task<(bool More, Cursor? After)> PageRequest(ShelfFilter filter, int page, Cursor? after);

    private static async Task<(bool More, Cursor? After)> SqlPageAsync(ShelfSqlPeer peer, ShelfFilter filter, Cursor? after, bool withTotal)
    {
        var (rows, _) = await peer.BrowseAsync(filter, after, PageSize, withTotal);
        return rows.Length < PageSize ? (false, null) : (true, new Cursor(rows[^1].MinRate, rows[^1].Id));
    }

    /// <summary>
    /// Closed loop: each connection runs visits one after the other, each page after the answer to the one before, until
    /// the time is up; every answered request's time from send to last byte.
    /// </summary>
    private static async Task<Line> DriveAsync(string provider, string path, Visit[] visits, int connections, TimeSpan duration, PageRequest request)
    {
        var loadBefore = LoadAverage();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var times = new List<double>[connections];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            var mine = times[worker] = new List<double>(1 << 14);
            for (var v = worker * 61; clock.Elapsed < duration; v++)
            {
                var visit = visits[v % visits.Length];
                Cursor? after = null;
                for (var page = 1; page <= visit.Pages && clock.Elapsed < duration; page++)
                {
                    var began = Stopwatch.GetTimestamp();
                    try
                    {
                        var (more, next) = await request(visit.Filter, page, after);
                        mine.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                        if (!more) break;
                        after = next;
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Data.Common.DbException)
                    {
                        Interlocked.Increment(ref errors);
                        break;
                    }
                }
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var sorted = times.SelectMany(t => t).Order().ToArray();
        return new Line(provider, path, sorted.Length, elapsed, sorted, errors, Process.GetCurrentProcess().TotalProcessorTime - cpuBefore,
            loadBefore, LoadAverage());
    }

    /// <summary>
    /// What one product change costs the catalogue (a write on this node or another): 200 products read back and applied one
    /// at a time, as MatchingIndex.RefreshAsync applies a change. Their terms are the same, so the shelves stay as loaded.
    /// </summary>
    private static async Task TimeChangesAsync(Db db, ShelfCatalogue catalogue, ProductListing[] products)
    {
        var ids = Enumerable.Range(0, 200).Select(i => products[i * 397 % products.Length].Id).ToArray();
        var rows = new List<ProductRow>();
        await using (var connection = await db.OpenAsync())
            foreach (var id in ids)
                rows.Add(await connection.QuerySingleAsync<ProductRow>(ProductRow.SelectSql + " WHERE p.id = @Id", new { Id = id }));
        var times = new double[rows.Count];
        var cpu = new double[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var began = Stopwatch.GetTimestamp();
            var cpuBegan = MatchingScale.ThreadCpuMicroseconds();
            catalogue.Apply([rows[i]]);
            cpu[i] = (MatchingScale.ThreadCpuMicroseconds() - cpuBegan) / 1_000;
            times[i] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
        }
        Array.Sort(times);
        Array.Sort(cpu);
        // The thread's own CPU time too: on a shared machine the wall clock's tail is mostly other work's turn.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   one product change applied to the catalogue: wall median {Percentile(times, 0.5):N3} ms, p99 {Percentile(times, 0.99):N3} ms | " +
            $"CPU median {Percentile(cpu, 0.5):N3} ms, p99 {Percentile(cpu, 0.99):N3} ms ({rows.Count} changes, one at a time; load {LoadAverage()})"));
    }

    /// <summary>Before timing: the SQL peer must answer what the catalogue answers (the same products in order, the same total).</summary>
    private static async Task CheckPeerAgreesAsync(ShelfCatalogue catalogue, ShelfSqlPeer peer, IEnumerable<Visit> visits)
    {
        int pages = 0, differ = 0;
        foreach (var visit in visits)
        {
            Cursor? after = null;
            for (var page = 1; page <= visit.Pages; page++)
            {
                var memory = catalogue.Browse(Query(visit.Filter, page));
                var (rows, total) = await peer.BrowseAsync(visit.Filter, after, PageSize, withTotal: true);
                pages++;
                if (!rows.Select(r => r.Id).SequenceEqual(memory.Items.Select(i => i.Id)) || total != memory.Total)
                {
                    if (differ++ == 0) Console.WriteLine($"   first difference: {visit.Filter} page {page}: memory total {memory.Total}, SQL total {total}");
                    break;
                }
                if (rows.Length < PageSize) break;
                after = new Cursor(rows[^1].MinRate, rows[^1].Id);
            }
        }
        Console.WriteLine($"   the SQL peer and the catalogue give the same products and totals on {pages - differ} of {pages} pages checked");
    }

    private static BrowseProducts Query(ShelfFilter f, int page) =>
        new(f.Kind, f.Region, f.InstitutionId, f.Q, f.Amount, f.TermMonths, f.GuaranteeMode, f.PolicySupport, page, PageSize);

    /// <summary>A visitor's filter and how many pages they read (1–5).</summary>
    private sealed record Visit(ShelfFilter Filter, int Pages);

    /// <summary>
    /// The mix: 20% no filter, 20% a kind, 20% a region (province, city or county, weighted as the generator's enterprises),
    /// 15% kind + region + amount, 10% guarantee mode + term, 10% one institution's products, 5% a policy support.
    /// </summary>
    private static Visit[] Visits(string[] institutionIds, int count)
    {
        var random = new Random(13);
        var kinds = EnumText.AllTexts<ProductKind>().ToArray();
        var modes = EnumText.AllTexts<GuaranteeMode>().ToArray();
        var supports = EnumText.AllTexts<PolicySupport>().ToArray();
        int[] terms = [3, 6, 12, 12, 24, 36, 60];
        var counties = ProductGenerator.Counties.SelectMany(c => Enumerable.Repeat(c.Code, c.Weight)).ToArray();
        string Region()
        {
            var county = counties[random.Next(counties.Length)];
            return random.Next(3) switch { 0 => county[..2], 1 => county[..4], _ => county };
        }
        string Kind() => kinds[random.Next(kinds.Length)];
        return [.. Enumerable.Range(0, count).Select(_ => new Visit(random.Next(100) switch
        {
            < 20 => new ShelfFilter(),
            < 40 => new ShelfFilter(Kind: Kind()),
            < 60 => new ShelfFilter(Region: Region()),
            < 75 => new ShelfFilter(Kind: Kind(), Region: Region(), Amount: random.Next(10, 2_000) * 10_000m),
            < 85 => new ShelfFilter(GuaranteeMode: modes[random.Next(modes.Length)], TermMonths: terms[random.Next(terms.Length)]),
            < 95 => new ShelfFilter(InstitutionId: institutionIds[random.Next(institutionIds.Length)]),
            _ => new ShelfFilter(PolicySupport: supports[random.Next(supports.Length)]),
        }, random.Next(1, 6)))];
    }

    /// <summary>The 1-minute load average of the machine, printed beside every figure (the 2-core box is shared).</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static int IntOption(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) ? value : fallback;

    private static string? StringOption(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
