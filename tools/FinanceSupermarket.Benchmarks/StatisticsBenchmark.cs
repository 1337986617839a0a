using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Cli;
using FinanceSupermarket.Cli.Commands;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Testing;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Dapper;
using Npgsql;

namespace FinanceSupermarket.Benchmarks;

/// <summary>
/// <c>-- --statistics [--requests 1000000] [--runs 20] [--row-runs 20] [--provider sqlite] [--connection-string …]</c>: the regulator's summary and its five
/// breakdowns over a PostgreSQL database of generated requests (the CLI's generate-statistics-data), timed through the
/// API's own handlers (the Mediator of the API's host, as an HTTP request would reach them, without HTTP), each query
/// both ways in the same process on the same data, interleaved: "rows" reads every request row of the period (the path
/// SQLite and SQL Server take, and PostgreSQL's before 0004), "rollup" reads statistics_rollup. Both must give the very
/// same figures. Without --connection-string a throwaway server is started and filled; with it, a database already
/// filled (by this benchmark or the CLI) is used as it is.
/// </summary>
public static class StatisticsBenchmark
{
    private sealed record Case(string Scope, string? Region, DateOnly From, DateOnly To);

    private static readonly Case[] Cases =
    [
        new("province 33, 2026", "33", new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31)),
        new("country, 2026", "", new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31)),
        // Periods not made of whole months: the year to date (the default period), and twelve months from mid-month.
        new("country, 2026-01-01–2026-11-26", "", new DateOnly(2026, 1, 1), new DateOnly(2026, 11, 26)),
        new("country, 2025-07-15–2026-07-14", "", new DateOnly(2025, 7, 15), new DateOnly(2026, 7, 14)),
    ];

    private static readonly string?[] Queries = [null, "region", "industry", "institution", "product_kind", "month"];

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = IntOption(args, "--requests") ?? 1_000_000;
        var runs = IntOption(args, "--runs") ?? 20;
        // The rows way reads every request of the period: at ten million, a few of its runs suffice to compare the figures.
        var rowRuns = Math.Min(runs, IntOption(args, "--row-runs") ?? runs);
        var provider = Option(args, "--provider") is "sqlite" ? DatabaseProvider.Sqlite : DatabaseProvider.PostgreSql;
        var connectionString = Option(args, "--connection-string") ?? Environment.GetEnvironmentVariable("BENCH_STATISTICS_PG");
        Console.WriteLine($"{provider}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");

        TemporaryPostgresServer? server = null;
        string? folder = null;
        try
        {
            if (connectionString is null)
            {
                if (provider == DatabaseProvider.Sqlite)
                {
                    folder = Path.Combine(Path.GetTempPath(), $"fs-statistics-{Guid.NewGuid():N}");
                    Directory.CreateDirectory(folder);
                    connectionString = $"Data Source={Path.Combine(folder, "statistics.db")}";
                }
                else
                {
                    Console.WriteLine("Starting a throwaway PostgreSQL server…");
                    server = await TemporaryPostgresServer.StartAsync();
                    connectionString = await server.CreateDatabaseAsync("statistics");
                }
                DatabaseMigrator.Migrate(provider, connectionString);
                Console.WriteLine($"Generating {requests:N0} requests (CLI generate-statistics-data)…");
                var result = await StatisticsDataGenerator.GenerateAsync(provider, connectionString, StatisticsDataSpec.For(requests),
                    new ConsoleProgress());
                Console.WriteLine($"  {result.Requests:N0} requests, {result.Dispatches:N0} dispatches, {result.Enterprises:N0} enterprises, " +
                                  $"{result.Institutions:N0} institutions, {result.Products:N0} products in {result.Elapsed.TotalSeconds:N0} s: " +
                                  string.Join(", ", result.RequestStatuses.OrderByDescending(s => s.Value).Select(s => $"{s.Key} {s.Value:N0}")));
                if (provider == DatabaseProvider.PostgreSql)
                {
                    // As autovacuum would in a while: visibility map and planner statistics.
                    await using var connection = new NpgsqlConnection(connectionString);
                    await connection.OpenAsync();
                    await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 1800 };
                    await vacuum.ExecuteNonQueryAsync();
                }
            }
            else
            {
                DatabaseMigrator.Migrate(provider, connectionString);
            }

            using var host = ApiHost.Build(
            [
                "--contentRoot", ApiFolder(), "--applicationName", "FinanceSupermarket.Api",
                $"--{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}={provider}",
                $"--{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}", connectionString,
                $"--{AuthOptions.Section}:{nameof(AuthOptions.SigningKey)}={Convert.ToHexString(RandomNumberGenerator.GetBytes(32))}",
                "--Workflow:RunJobs=false",
            ]);
            var configuration = host.Services.GetRequiredService<IConfiguration>();
            await FoldAsync(host);
            await DescribeAsync(host);

            Console.WriteLine();
            Console.WriteLine($"Each query {runs} times from the roll-up and {rowRuns} from the rows after 2 warm-up runs, the two ways interleaved; " +
                              "times in ms through the API's handlers.");
            Console.WriteLine("query          scope                              groups   rows: median    p95   rollup: median    p95   ratio   same figures");
            var slowest = 0.0;
            var slowestPerQuery = new Dictionary<string, (double P95, string Scope)>();
            foreach (var @case in Cases)
                foreach (var by in Queries)
                {
                    var times = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
                    var answers = new Dictionary<bool, string>();
                    var groups = 0;
                    for (var run = -2; run < runs; run++)
                        foreach (var rollup in run % 2 == 0 ? new[] { false, true } : [true, false])
                        {
                            if (!rollup && (run >= rowRuns || (run < 0 && rowRuns < runs))) continue;
                            configuration[FigureSums.UseRollupSetting] = rollup ? "true" : "false";
                            var watch = Stopwatch.StartNew();
                            var (answer, count) = await AskAsync(host, @case, by);
                            var elapsed = watch.Elapsed.TotalMilliseconds;
                            if (run < 0) continue;
                            times[rollup].Add(elapsed);
                            answers.TryAdd(rollup, answer);
                            groups = count;
                        }
                    configuration[FigureSums.UseRollupSetting] = "true";
                    var (rowsMedian, rowsP95) = Stats(times[false]);
                    var (rollupMedian, rollupP95) = Stats(times[true]);
                    slowest = Math.Max(slowest, rollupP95);
                    if (!slowestPerQuery.TryGetValue(by ?? "summary", out var worst) || worst.P95 < rollupP95)
                        slowestPerQuery[by ?? "summary"] = (rollupP95, @case.Scope);
                    Console.WriteLine($"{by ?? "summary",-14} {@case.Scope,-34} {groups,6}   {rowsMedian,12:N1} {rowsP95,6:N1}   {rollupMedian,14:N1} {rollupP95,6:N1}   " +
                                      $"{rowsMedian / rollupMedian,5:N1}×  {(answers[false] == answers[true] ? "yes" : "NO")}");
                }
            Console.WriteLine();
            Console.WriteLine("Rollup p95 per query, the slowest of its scopes: " +
                              string.Join("; ", slowestPerQuery.Select(pair => $"{pair.Key} {pair.Value.P95:N1} ms ({pair.Value.Scope})")));
            Console.WriteLine($"Slowest rollup p95: {slowest:N1} ms (target: every summary and breakdown under 300 ms); load average {LoadAverage()}.");
            return 0;
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
            if (folder is not null) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One query as a regulator of the case's region would send it; the figures as JSON, and the number of groups.</summary>
    private static async Task<(string Json, int Groups)> AskAsync(IHost host, Case @case, string? by)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Impersonate(Role.Regulator, region: @case.Region);
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        if (by is null)
        {
            var summary = await mediator.Send(new GetSummary(@case.From, @case.To, null, null));
            return (JsonSerializer.Serialize(summary), 1);
        }
        var breakdown = await mediator.Send(new GetBreakdown(by, @case.From, @case.To, null, null));
        return (JsonSerializer.Serialize(breakdown), breakdown.Groups.Count);
    }

    /// <summary>The fold job's work, as its every-minute run would have done it by now: the deltas the load appended (SQLite).</summary>
    private static async Task FoldAsync(IHost host)
    {
        var watch = Stopwatch.StartNew();
        var folded = 0L;
        await using var scope = host.Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        // The job's batches without its pauses: nothing else writes here.
        var size = host.Services.GetRequiredService<Db>().Dialect.FoldPace.Deltas;
        int batch;
        do folded += batch = await mediator.Send(new FoldStatistics(size));
        while (batch == size);
        if (folded > 0) Console.WriteLine($"Folded {folded:N0} deltas into the roll-up in {watch.Elapsed.TotalSeconds:N0} s.");
    }

    private static async Task DescribeAsync(IHost host)
    {
        await using var connection = await host.Services.GetRequiredService<Db>().OpenAsync();
        var (requests, dispatches, rollup, deltas) = await connection.QuerySingleAsync<(long, long, long, long)>("""
            SELECT (SELECT COUNT(*) FROM financing_requests), (SELECT COUNT(*) FROM dispatches), (SELECT COUNT(*) FROM statistics_rollup),
                   (SELECT COUNT(*) FROM statistics_deltas)
            """);
        Console.WriteLine($"Database: {requests:N0} requests, {dispatches:N0} dispatches; statistics_rollup {rollup:N0} rows, {deltas:N0} deltas not folded.");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static (double Median, double P95) Stats(List<double> times)
    {
        var sorted = times.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.95) - 1)]);
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int? IntOption(string[] args, string name) =>
        Option(args, name) is { } text ? int.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : null;

    private static string ApiFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FinanceSupermarket.sln")))
                return Path.Combine(dir.FullName, "src", "FinanceSupermarket.Api");
        return Directory.GetCurrentDirectory();
    }

    private sealed class ConsoleProgress : IProgress<GenerationProgress>
    {
        private readonly Dictionary<string, long> _shown = [];

        public void Report(GenerationProgress value)
        {
            // A line per tenth of each phase.
            var step = Math.Max(1, value.Total / 10);
            var tenth = value.Done / step;
            if (_shown.TryGetValue(value.Phase, out var shown) && shown == tenth) return;
            _shown[value.Phase] = tenth;
            Console.WriteLine($"  {value.Phase}: {value.Done:N0} / {value.Total:N0}");
        }
    }
}
