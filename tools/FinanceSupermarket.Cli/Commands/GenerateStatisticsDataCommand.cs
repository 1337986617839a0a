using System.CommandLine;
using FinanceSupermarket.Api.Infrastructure.Database;
using Spectre.Console;

namespace FinanceSupermarket.Cli.Commands;

/// <summary>
/// <c>generate-statistics-data --requests 1000000</c>: migrates, then fills the configured database (PostgreSQL or SQLite)
/// with institutions, products, enterprises and financing requests with their dispatches (StatisticsDataGenerator),
/// for load tests and the statistics benchmark. Appends: run it on a database of its own.
/// </summary>
public sealed class GenerateStatisticsDataCommand : Command
{
    private readonly Option<int> _requests = new("--requests") { Description = "Financing requests to generate.", DefaultValueFactory = _ => 1_000_000 };
    private readonly Option<int?> _enterprises = new("--enterprises") { Description = "Enterprises (default: requests / 20, at most 50,000)." };
    private readonly Option<int?> _institutions = new("--institutions") { Description = "Institutions (default: requests / 50, at most 200)." };
    private readonly Option<DateOnly> _from = new("--from") { Description = "First day of the history (Asia/Shanghai).", DefaultValueFactory = _ => new DateOnly(2025, 1, 1) };
    private readonly Option<DateOnly> _to = new("--to") { Description = "Last day of the history; the states are those at its end.", DefaultValueFactory = _ => new DateOnly(2026, 12, 31) };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of the random history (the same seed gives the same history).", DefaultValueFactory = _ => 2025 };

    public GenerateStatisticsDataCommand() : base("generate-statistics-data", "Migrate, then bulk-load a realistic history of financing requests for statistics benchmarks.")
    {
        Options.Add(_requests);
        Options.Add(_enterprises);
        Options.Add(_institutions);
        Options.Add(_from);
        Options.Add(_to);
        Options.Add(_seed);
        SetAction(async (parse, cancellationToken) =>
        {
            var options = PlatformSettings.Database(parse);
            var connectionString = options.ResolvedConnectionString(PlatformSettings.ContentRootOf(parse));
            var spec = StatisticsDataSpec.For(parse.GetValue(_requests), parse.GetValue(_enterprises), parse.GetValue(_institutions),
                parse.GetValue(_from), parse.GetValue(_to), parse.GetValue(_seed));
            var target = $"{options.Provider} ({PlatformSettings.WithoutSecrets(connectionString)})";
            AnsiConsole.MarkupLineInterpolated($"[grey]{target}:[/] {spec.Requests:N0} requests, {spec.Enterprises:N0} enterprises, {spec.Institutions:N0} institutions, {spec.From:yyyy-MM-dd}–{spec.To:yyyy-MM-dd}");
            DatabaseMigrator.Migrate(options.Provider, connectionString);

            GenerationResult? result = null;
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    var progress = new SynchronousProgress(update =>
                    {
                        if (!tasks.TryGetValue(update.Phase, out var task))
                            tasks[update.Phase] = task = context.AddTask(update.Phase, maxValue: Math.Max(1, update.Total));
                        task.Value = update.Done;
                    });
                    result = await StatisticsDataGenerator.GenerateAsync(options.Provider, connectionString, spec, progress, cancellationToken);
                    foreach (var task in tasks.Values) task.Value = task.MaxValue;
                });

            var table = new Table().AddColumns("status", "requests");
            foreach (var (status, count) in result!.RequestStatuses.OrderByDescending(pair => pair.Value)) table.AddRow(status, $"{count:N0}");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated(
                $"{result.Requests:N0} requests, {result.Dispatches:N0} dispatches, {result.Enterprises:N0} enterprises, {result.Institutions:N0} institutions, {result.Products:N0} products in {result.Elapsed.TotalSeconds:N0} s.");
            return 0;
        });
    }

    /// <summary>Reports on the generator's own thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
