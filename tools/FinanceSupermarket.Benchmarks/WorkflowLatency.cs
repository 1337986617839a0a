using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;
using FinanceSupermarket.Testing;

namespace FinanceSupermarket.Benchmarks;

/// <summary>
/// --workflow-latency: how long after an enterprise posts a financing request it is dispatched to institutions
/// (第一时间发布 and 第一时间督导, issue 4; target p99 under 1 s at 50 submissions per second).
/// The API's own Program runs in this process on SQLite (a temporary file) and on PostgreSQL (BENCH_PG, else a throwaway
/// server), with background jobs on, over a generated catalogue (200 institutions, 2,000 products in the four provinces
/// of the seeds). Requests are posted over HTTP at a fixed rate, open loop (a slow answer does not delay the next post);
/// each request's latency is its dispatched_at, as the workflow recorded it, minus the moment its POST was sent.
/// With --ramp 100,200,300 the rates run in turn on the same host (issue 13: the highest rate with p99 under 1 s); a 503,
/// a 500 or a POST with no answer is counted and reported, never a reason to stop, and the ramp ends at the first rate
/// whose POSTs are not all taken or whose p99 reaches a second.
/// </summary>
public static class WorkflowLatency
{
    private const string SigningKey = "workflow-latency-benchmark-signing-key-0123456789";
    private static readonly JsonSerializerOptions Json = CreateJson();

    public static async Task<int> RunAsync(string[] args)
    {
        // --ramp 50,100,150 runs each rate in turn on one host and one catalogue, up to the first that misses the target.
        var rates = (StringOption(args, "--ramp", null) ?? IntOption(args, "--rate", 50).ToString(CultureInfo.InvariantCulture))
            .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(rate => int.Parse(rate, CultureInfo.InvariantCulture)).ToArray();
        var seconds = IntOption(args, "--seconds", 20);
        var providers = (StringOption(args, "--providers", null) ?? "sqlite,postgresql").Split(',', StringSplitOptions.RemoveEmptyEntries);
        // Settings of the API to try, e.g. --Workflow:WorkerCount=20 or --Http:LoadShedding:ConcurrentWrites=16
        var apiSettings = args.Where(arg => arg.StartsWith("--Workflow:", StringComparison.Ordinal) || arg.StartsWith("--Http:", StringComparison.Ordinal)
                                            || arg.StartsWith("--Database:", StringComparison.Ordinal)).ToArray();
        var results = new List<(string Provider, Result Result)>();
        foreach (var provider in providers)
        {
            Console.WriteLine($"== {provider}: {string.Join(", ", rates)} requests/s, {seconds} s each; load average {LoadAverage()}");
            var steps = provider.ToLowerInvariant() switch
            {
                "sqlite" => await RunSqliteAsync(rates, seconds, apiSettings),
                "postgresql" => await RunPostgreSqlAsync(rates, seconds, apiSettings),
                _ => throw new ArgumentException($"Unknown provider {provider}; use sqlite, postgresql."),
            };
            results.AddRange(steps.Select(step => (provider, step)));
        }

        Console.WriteLine();
        Console.WriteLine($"Submission → dispatched, {seconds} s per rate, {Environment.ProcessorCount} cores, .NET {Environment.Version}:");
        Console.WriteLine("provider    rate/s  load   sent   201   503   500 other  dispatched   POST p50   p99 │ dispatched p50     p90     p99     max │ p99 < 1 s");
        foreach (var (provider, r) in results)
            Console.WriteLine($"{provider,-10} {r.Rate,7} {r.Load,5} {r.Sent,6} {r.Created,5} {r.Shed,5} {r.Failed,5} {r.Other,5} {r.Dispatched.Length,11} " +
                              $"{Ms(r.Post, 0.5),10} {Ms(r.Post, 0.99),5} │ {Ms(r.Dispatched, 0.5),14} {Ms(r.Dispatched, 0.9),7} {Ms(r.Dispatched, 0.99),7} " +
                              $"{Ms(r.Dispatched, 1),7} │ {(r.MeetsTarget ? "yes" : "NO")}");
        foreach (var provider in providers)
        {
            var best = results.Where(r => r.Provider == provider && r.Result.MeetsTarget).Select(r => r.Result.Rate).DefaultIfEmpty().Max();
            Console.WriteLine($"{provider}: highest rate with every POST answered 201 and submission → dispatched p99 < 1 s: " +
                              (best == 0 ? "none of those tried" : $"{best} requests/s"));
        }
        return results.All(r => r.Result.MeetsTarget) ? 0 : 1;
    }

    /// <summary>The machine's 1-minute load average, to print beside every figure (the 2-core box is shared).</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static async Task<Result[]> RunSqliteAsync(int[] rates, int seconds, string[] apiSettings)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"fs-latency-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            return await RunAsync("Sqlite", $"Data Source={Path.Combine(folder, "latency.db")}", rates, seconds, apiSettings);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Result[]> RunPostgreSqlAsync(int[] rates, int seconds, string[] apiSettings)
    {
        if (Environment.GetEnvironmentVariable("BENCH_PG") is { Length: > 0 } configured)
            return await RunAsync("PostgreSql", configured, rates, seconds, apiSettings);
        await using var server = await TemporaryPostgresServer.StartAsync();
        Console.WriteLine($"   {server} (fsync off: a throwaway server)");
        return await RunAsync("PostgreSql", await server.CreateDatabaseAsync("latency"), rates, seconds, apiSettings);
    }

    private static async Task<Result[]> RunAsync(string provider, string connectionString, int[] rates, int seconds, string[] apiSettings)
    {
        await using var api = await InProcessApi.StartAsync(
        [
            // The API's appsettings.json, copied beside this program, as the API reads it beside its own.
            "--urls", "http://127.0.0.1:0", "--environment", "Production", "--contentRoot", AppContext.BaseDirectory, "--applicationName", "FinanceSupermarket.Api",
            $"--Database:Provider={provider}", $"--Database:ConnectionString={connectionString}", "--Database:SeedDemoData=false",
            $"--Auth:SigningKey={SigningKey}", "--Workflow:RunJobs=true",
            // The load posts the same need again and again: none is held as a near duplicate.
            "--Workflow:NearDuplicateTolerance=0",
            // Request logging to the console at 50 posts/s would measure the console: warnings only.
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.AspNetCore.HttpLogging=Warning",
            .. apiSettings,
        ]);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = api.Address, Timeout = TimeSpan.FromSeconds(60),
        };
        var tokens = api.Service<TokenIssuer>();
        var db = api.Service<Db>();

        var watch = Stopwatch.StartNew();
        var enterprises = await SeedAsync(http, tokens, institutions: 200, products: 2_000, enterpriseCount: 300);
        Console.WriteLine($"   catalogue seeded over HTTP in {watch.Elapsed.TotalSeconds:N1} s: 200 institutions, 2,000 products, {enterprises.Length} enterprises");

        var requests = new ProductGenerator(Workload.RequestSeed);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        // Warm-up (connection pools, the index, and the JIT: tiered compilation recompiles the hot paths after 30 calls
        // and a pause, with instrumentation in between, for a minute or more): not counted. Then wait until the JIT has
        // gone quiet, so that the figures below are the steady state a node serving all day is in.
        var warmUp = await SubmitAtRateAsync(http, tokens, enterprises, requests, today, rate: 20, count: 600);
        await WaitUntilSettledAsync(db, warmUp.Created.Keys, TimeSpan.FromSeconds(60));
        for (var wait = 0; wait < 15; wait++)
        {
            var quiet = await CpuMeter.StartAsync(db);
            await Task.Delay(TimeSpan.FromSeconds(2));
            if (quiet.ProcessShare() < 0.05) break;
        }

        // What the node burns doing nothing (job polling, heartbeats, timers): part of every per-request CPU figure below.
        var idle = await CpuMeter.StartAsync(db);
        await Task.Delay(TimeSpan.FromSeconds(10));
        Console.WriteLine($"   idle for 10 s: {idle.PerSecond()}");

        var results = new List<Result>();
        foreach (var rate in rates)
        {
            var result = await RunRateAsync(http, tokens, db, enterprises, requests, today, rate, seconds);
            results.Add(result);
            // A rate the box cannot take ends the ramp: the next would only take longer to say so.
            if (!result.MeetsTarget) break;
        }
        return [.. results];
    }

    /// <summary>One step of the ramp: posts at the rate for the seconds, waits for the requests to settle, reads their times.</summary>
    private static async Task<Result> RunRateAsync(HttpClient http, TokenIssuer tokens, Db db, string[] enterprises, ProductGenerator requests, DateOnly today,
        int rate, int seconds)
    {
        Console.WriteLine($"-- {rate} requests/s for {seconds} s (load average {LoadAverage()})");
        var cpu = await CpuMeter.StartAsync(db);
        var (sent, statuses) = await SubmitAtRateAsync(http, tokens, enterprises, requests, today, rate, rate * seconds);
        var load = LoadAverage();
        var settled = await WaitUntilSettledAsync(db, sent.Keys, TimeSpan.FromSeconds(60));
        Console.WriteLine($"   all settled {(settled ? "" : "NOT ")}within 60 s of the last post");
        Console.WriteLine($"   {cpu.PerRequest(Math.Max(sent.Count, 1))}");

        var mine = new List<(Sent Sent, RequestTimes Row)>();
        await using (var connection = await db.OpenAsync())
            foreach (var row in await connection.QueryAsync<RequestTimes>(
                         "SELECT id, status, submitted_at AS SubmittedAt, published_at AS PublishedAt, dispatched_at AS DispatchedAt FROM financing_requests"))
                if (sent.TryGetValue(row.Id, out var posted)) mine.Add((posted, row));
        var dispatched = mine.Where(m => m.Row.DispatchedAt is not null).Select(m => (m.Row.DispatchedAt!.Value - m.Sent.At).TotalMilliseconds).Order().ToArray();
        var serverSide = mine.Where(m => m.Row.DispatchedAt is not null).Select(m => (m.Row.DispatchedAt!.Value - m.Row.SubmittedAt).TotalMilliseconds).Order().ToArray();
        // Where the time goes: the publish job (ranking stored) and the dispatch job after it, each from the step before.
        var toPublished = mine.Where(m => m.Row.PublishedAt is not null).Select(m => (m.Row.PublishedAt!.Value - m.Row.SubmittedAt).TotalMilliseconds).Order().ToArray();
        var toDispatched = mine.Where(m => m.Row.DispatchedAt is not null && m.Row.PublishedAt is not null)
            .Select(m => (m.Row.DispatchedAt!.Value - m.Row.PublishedAt!.Value).TotalMilliseconds).Order().ToArray();
        var expired = mine.Count(m => m.Row.Status == "expired" && m.Row.DispatchedAt is null);
        var post = sent.Values.Select(s => s.PostMilliseconds).Order().ToArray();
        Console.WriteLine($"   answers: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "no answer" : s.Key.ToString(CultureInfo.InvariantCulture))} × {s.Value}"))}");
        Console.WriteLine($"   {sent.Count} created, {dispatched.Length} dispatched, {expired} expired (no listed product matches), " +
                          $"{mine.Count - dispatched.Length - expired} neither");
        Console.WriteLine($"   POST answered: p50 {Ms(post, 0.5)}, p99 {Ms(post, 0.99)}, max {Ms(post, 1)}");
        Console.WriteLine($"   POST sent → dispatched: p50 {Ms(dispatched, 0.5)}, p90 {Ms(dispatched, 0.9)}, p99 {Ms(dispatched, 0.99)}, max {Ms(dispatched, 1)}");
        Console.WriteLine($"   stored (submitted_at) → dispatched_at: p50 {Ms(serverSide, 0.5)}, p99 {Ms(serverSide, 0.99)}, max {Ms(serverSide, 1)}");
        Console.WriteLine($"     of which submitted_at → published_at: p50 {Ms(toPublished, 0.5)}, p99 {Ms(toPublished, 0.99)}; " +
                          $"published_at → dispatched_at: p50 {Ms(toDispatched, 0.5)}, p99 {Ms(toDispatched, 0.99)}");
        var total = statuses.Values.Sum();
        return new Result(rate, load, total, statuses.GetValueOrDefault(201), statuses.GetValueOrDefault(503), statuses.GetValueOrDefault(500),
            total - statuses.GetValueOrDefault(201) - statuses.GetValueOrDefault(503) - statuses.GetValueOrDefault(500), dispatched, expired, post,
            settled && dispatched.Length + expired == sent.Count);
    }

    private sealed record Result(int Rate, string Load, int Sent, int Created, int Shed, int Failed, int Other, double[] Dispatched, int Expired,
        double[] Post, bool Settled)
    {
        /// <summary>Every POST taken, every request dispatched or expired, and the 99th percentile under a second.</summary>
        public bool MeetsTarget => Settled && Created == Sent && Percentile(Dispatched, 0.99) < 1000;
    }

    /// <summary>
    /// CPU time per request, counted by the kernel (so a busy machine does not inflate it): this process (the API, its jobs
    /// and the load generator) and, on PostgreSQL, the server's processes (the postmaster's children, found through its
    /// data directory's postmaster.pid; a server on another machine is not counted).
    /// </summary>
    private sealed class CpuMeter
    {
        private readonly int? _postmaster;
        private readonly TimeSpan _process;
        private readonly TimeSpan _database;
        private readonly long _started = Stopwatch.GetTimestamp();

        private CpuMeter(int? postmaster)
        {
            _postmaster = postmaster;
            (_process, _database) = Read();
        }

        public static async Task<CpuMeter> StartAsync(Db db)
        {
            if (db.Dialect.Provider != DatabaseProvider.PostgreSql) return new CpuMeter(null);
            await using var connection = await db.OpenAsync();
            var dataDirectory = await connection.ExecuteScalarAsync<string>("SHOW data_directory");
            var pidFile = Path.Combine(dataDirectory!, "postmaster.pid");
            return new CpuMeter(File.Exists(pidFile) ? int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture) : null);
        }

        public string PerRequest(int requests)
        {
            var (process, database) = Read();
            var api = (process - _process).TotalMilliseconds / requests;
            var server = (database - _database).TotalMilliseconds / requests;
            return $"CPU per request: this process {api:N1} ms" + (_postmaster is null ? "" : $", PostgreSQL {server:N1} ms") +
                   $" (at most {1000.0 * Environment.ProcessorCount / Math.Max(api + server, 0.001):N0} requests/s on {Environment.ProcessorCount} cores)";
        }

        /// <summary>This process's CPU time since the start, as a share of one core.</summary>
        public double ProcessShare() => (Read().Process - _process).TotalSeconds / Stopwatch.GetElapsedTime(_started).TotalSeconds;

        public string PerSecond()
        {
            var elapsed = Stopwatch.GetElapsedTime(_started).TotalSeconds;
            var (process, database) = Read();
            return $"this process {(process - _process).TotalMilliseconds / elapsed / 10:N1} % of a core" +
                   (_postmaster is null ? "" : $", PostgreSQL {(database - _database).TotalMilliseconds / elapsed / 10:N1} %");
        }

        private (TimeSpan Process, TimeSpan Database) Read()
        {
            var process = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            if (_postmaster is not { } postmaster) return (process, TimeSpan.Zero);
            long ticks = 0;
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(folder), out var pid)) continue;
                string stat;
                try { stat = File.ReadAllText(Path.Combine(folder, "stat")); }
                catch (IOException) { continue; }
                // After "(comm)": state ppid … utime (14th field) stime (15th), in clock ticks of 1/100 s.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (pid == postmaster || int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster)
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            return (process, TimeSpan.FromMilliseconds(ticks * 10));
        }
    }

    private sealed record Sent(DateTimeOffset At, double PostMilliseconds);

    private sealed class RequestTimes
    {
        public string Id { get; set; } = "";
        public string Status { get; set; } = "";
        public DateTimeOffset SubmittedAt { get; set; }
        public DateTimeOffset? PublishedAt { get; set; }
        public DateTimeOffset? DispatchedAt { get; set; }
    }

    /// <summary>
    /// Posts <paramref name="count"/> requests at <paramref name="rate"/> per second, each on schedule whatever the earlier ones
    /// are doing; the created ones by id, and how many got each status (0: no answer). A refusal is a finding, not a crash.
    /// </summary>
    private static async Task<(ConcurrentDictionary<string, Sent> Created, ConcurrentDictionary<int, int> Statuses)> SubmitAtRateAsync(HttpClient http,
        TokenIssuer tokens, string[] enterprises, ProductGenerator generator, DateOnly today, int rate, int count)
    {
        var sent = new ConcurrentDictionary<string, Sent>();
        var statuses = new ConcurrentDictionary<int, int>();
        var posts = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var wait = TimeSpan.FromSeconds((double)i / rate) - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var query = generator.Query(today);
            var enterprise = enterprises[i % enterprises.Length];
            posts.Add(Task.Run(async () =>
            {
                var at = DateTimeOffset.UtcNow;
                var began = Stopwatch.GetTimestamp();
                var (status, response) = await TrySendAsync(http, tokens.Issue(Role.Enterprise, enterprise, null, null), "/api/v1/financing-requests", new
                {
                    amount = query.Amount, termMonths = query.TermMonths, purpose = query.Purpose, guaranteeModes = query.GuaranteeModes,
                    maxRate = query.MaxRate, neededBy = (DateOnly?)null, description = "流动资金周转",
                });
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status == 201) sent[(string)response!["id"]!] = new Sent(at, Stopwatch.GetElapsedTime(began).TotalMilliseconds);
            }));
        }
        await Task.WhenAll(posts);
        return (sent, statuses);
    }

    private static async Task<bool> WaitUntilSettledAsync(Db db, ICollection<string> ids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var wanted = ids.ToHashSet();
        while (DateTime.UtcNow < deadline)
        {
            await using var connection = await db.OpenAsync();
            var open = (await connection.QueryAsync<string>("SELECT id FROM financing_requests WHERE status IN ('submitted', 'published')"))
                .Count(wanted.Contains);
            if (open == 0) return true;
            await Task.Delay(250);
        }
        return false;
    }

    /// <summary>Registers the generator's institutions and products and some enterprises over HTTP, as their users would.</summary>
    private static async Task<string[]> SeedAsync(HttpClient http, TokenIssuer tokens, int institutions, int products, int enterpriseCount)
    {
        // The generator spreads products over count / 50 institutions: 10,000 of them give 200 institutions; take 2,000
        // that the API accepts (a product is offered only inside the regions its institution serves).
        var generator = new ProductGenerator(Workload.ProductSeed);
        var catalogue = generator.Products(institutions * 50).Select(InsideInstitution).OfType<ProductListing>().Take(products).ToArray();
        var admin = tokens.Issue(Role.Admin, null, null, null);

        var institutionIds = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(catalogue.DistinctBy(p => p.InstitutionId), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (product, _) =>
        {
            var name = product.Name.Split('·')[0];
            var created = await SendAsync(http, admin, "/api/v1/institutions", new
            {
                name = $"{name}（{product.InstitutionId}）", kind = KindOf(name),
                regionCodes = product.InstitutionRegionCodes.Count == 0 ? ProductGenerator.Provinces : product.InstitutionRegionCodes,
            });
            institutionIds[product.InstitutionId] = (string)created["id"]!;
        });
        // Institutions without a product among the 2,000 taken are still on the platform.
        var listed = catalogue.Select(p => p.InstitutionId).ToHashSet();
        await Parallel.ForEachAsync(Enumerable.Range(1, institutions).Select(n => $"I{n:D4}").Where(id => !listed.Contains(id)),
            new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
                await SendAsync(http, admin, "/api/v1/institutions", new { name = $"村镇银行（{id}）", kind = "bank", regionCodes = ProductGenerator.Provinces }));

        await Parallel.ForEachAsync(catalogue, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (p, _) =>
            await SendAsync(http, tokens.Issue(Role.Institution, null, institutionIds[p.InstitutionId], null), "/api/v1/products", new
            {
                name = p.Name, kind = p.Kind, minAmount = p.MinAmount, maxAmount = p.MaxAmount, minTermMonths = p.MinTermMonths,
                maxTermMonths = p.MaxTermMonths, minRate = p.MinRate, maxRate = p.MaxRate, guaranteeModes = p.GuaranteeModes,
                regionCodes = p.RegionCodes, industryCodes = p.IndustryCodes.Distinct(), enterpriseSizes = p.EnterpriseSizes, requiredTags = p.RequiredTags,
                minYearsInBusiness = p.MinYearsInBusiness, minTaxCreditLevel = p.MinTaxCreditLevel, firstLoanFriendly = p.FirstLoanFriendly,
                policySupport = p.PolicySupport, approvalDays = p.ApprovalDays,
            }));

        var people = new ProductGenerator(Workload.RequestSeed + 1);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var enterprises = Enumerable.Range(1, enterpriseCount).Select(n => (Id: Guid.NewGuid().ToString(), Number: n, Profile: people.Enterprise(today))).ToArray();
        await Parallel.ForEachAsync(enterprises, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, _) =>
        {
            var (employees, revenue) = e.Profile.Size switch
            {
                EnterpriseSize.Micro => (8, 1_500_000m), EnterpriseSize.Small => (60, 25_000_000m),
                EnterpriseSize.Medium => (300, 200_000_000m), _ => (1_500, 1_200_000_000m),
            };
            await SendAsync(http, tokens.Issue(Role.Enterprise, e.Id, null, null), "/api/v1/enterprises", new
            {
                creditCode = CreditCode.WithCheckCharacter($"91{e.Profile.RegionCode}MA{e.Number:D7}"), name = $"压测企业{e.Number:D4}有限公司",
                // A division (C18): the API takes GB/T 4754 codes it knows, and the generator may make a class it does not list.
                regionCode = e.Profile.RegionCode, industryCode = e.Profile.IndustryCode[..3], size = e.Profile.Size, employees, annualRevenue = revenue,
                establishedOn = e.Profile.EstablishedOn, tags = e.Profile.Tags, taxCreditLevel = e.Profile.TaxCreditLevel,
                hasLoanHistory = e.Profile.HasLoanHistory,
            });
        });
        return [.. enterprises.Select(e => e.Id)];
    }

    /// <summary>The product's regions narrowed to its institution's (a city where the bank serves one county gives that county); null if none is left.</summary>
    internal static ProductListing? InsideInstitution(ProductListing product)
    {
        if (product.RegionCodes.Count == 0 || product.InstitutionRegionCodes.Count == 0) return product;
        var served = product.InstitutionRegionCodes.Select(Codes.NormaliseRegionPrefix).ToArray();
        var inside = product.RegionCodes.Select(Codes.NormaliseRegionPrefix)
            .SelectMany(offered => served.Any(s => offered.StartsWith(s, StringComparison.Ordinal)) ? [offered]
                : served.Where(s => s.StartsWith(offered, StringComparison.Ordinal)))
            .Distinct().ToArray();
        return inside.Length == 0 ? null : product with { RegionCodes = inside };
    }

    internal static string KindOf(string institutionName) => institutionName switch
    {
        _ when institutionName.Contains("担保") => "guarantee",
        _ when institutionName.Contains("财险") || institutionName.Contains("保险") => "insurance",
        _ when institutionName.Contains("小额贷款") => "small_loan",
        _ when institutionName.Contains("租赁") => "leasing",
        _ => "bank",
    };

    private static async Task<JsonNode> SendAsync(HttpClient http, string token, string path, object body)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created))
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The status and body of a POST; status 0 when no answer came (a timeout, a reset connection).</summary>
    private static async Task<(int Status, JsonNode? Body)> TrySendAsync(HttpClient http, string token, string path, object body)
    {
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(message);
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, response.StatusCode == HttpStatusCode.Created ? JsonNode.Parse(text) : null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return (0, null);
        }
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        JsonSetup.Configure(options);
        return options;
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Ms(double[] sorted, double p) => sorted.Length == 0 ? "-" : $"{Percentile(sorted, p).ToString("N0", CultureInfo.InvariantCulture)} ms";

    private static int IntOption(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) ? value : fallback;

    private static string? StringOption(string[] args, string name, string? fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
