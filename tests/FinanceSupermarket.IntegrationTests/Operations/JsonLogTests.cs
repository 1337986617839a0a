using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Operations;

/// <summary>
/// The host as a container runs it: its own process in Production, whose standard output a log collector reads. Each line
/// is a JSON object carrying the trace id of the request it is about, the id a problem response gives its client.
/// The log's format does not depend on the database: the embedded SQLite is enough.
/// </summary>
public sealed class JsonLogTests
{
    [Test]
    public async Task Outside_Development_the_log_is_JSON_lines_naming_the_trace_id_a_problem_gives_its_client()
    {
        var connectionString = await TestDatabases.CreateAsync(Providers.Sqlite, nameof(JsonLogTests));
        await using var api = await ApiProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Auth__SigningKey"] = ApiHost.TestSigningKey,
            ["Database__Provider"] = Providers.Sqlite,
            ["Database__ConnectionString"] = connectionString,
            ["Workflow__RunJobs"] = "false",
        });

        var response = await api.Client.GetAsync($"/api/v1/products/{Guid.NewGuid()}").ShouldBe(HttpStatusCode.NotFound);
        var traceId = ((string)(await response.ReadJsonAsync())["traceId"]!).Split('-')[1];

        // The problem handler's entry, then the request log's (HttpLogging writes it once the response is done), both
        // with the request's trace id.
        var answered = await api.LineAsync(line => Category(line) == "FinanceSupermarket.Api.Infrastructure.Http.ProblemExceptionHandler" && TraceId(line) == traceId);
        answered.GetProperty("Message").GetString()!.ShouldStartWith("Request answered 404");
        var requestLog = await api.LineAsync(line => Category(line) == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware" && TraceId(line) == traceId);
        requestLog.GetProperty("State").GetProperty("StatusCode").GetInt32().ShouldBe(404);
    }

    private static string? Category(JsonElement line) => line.TryGetProperty("Category", out var category) ? category.GetString() : null;

    /// <summary>The trace id among the entry's scopes (ASP.NET Core's activity tracking adds TraceId and SpanId to every request's entries).</summary>
    private static string? TraceId(JsonElement line) =>
        line.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Select(scope => scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("TraceId", out var id) ? id.GetString() : null)
                .FirstOrDefault(id => id is not null)
            : null;

    /// <summary>The API's own build output run with `dotnet`, as the container image runs it; every line it writes must be JSON.</summary>
    private sealed class ApiProcess : IAsyncDisposable
    {
        // A bound for a stuck process only: each step returns as soon as the line it waits for is written.
        private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

        private readonly Process _process;
        private readonly Channel<JsonElement> _lines = Channel.CreateUnbounded<JsonElement>();
        private readonly ConcurrentQueue<string> _seen = new();

        private ApiProcess(Process process) => _process = process;

        public HttpClient Client { get; private set; } = null!;

        public static async Task<ApiProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var (framework, configuration) = (testOutput.Name, testOutput.Parent!.Name);
            var repository = testOutput.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            var output = Path.Combine(repository, "src", "FinanceSupermarket.Api", "bin", configuration, framework);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = output };
            start.ArgumentList.Add(Path.Combine(output, "FinanceSupermarket.Api.dll"));
            start.Environment.Remove("DOTNET_ENVIRONMENT");
            foreach (var (key, value) in environment) start.Environment[key] = value;

            var api = new ApiProcess(Process.Start(start)!);
            _ = api.ReadAsync();
            _ = api.KeepAsync(api._process.StandardError);
            var listening = await api.LineAsync(line => line.TryGetProperty("Message", out var message) && message.GetString()!.StartsWith("Now listening on: "));
            api.Client = new HttpClient { BaseAddress = new Uri(listening.GetProperty("Message").GetString()!["Now listening on: ".Length..]) };
            return api;
        }

        public async Task<JsonElement> LineAsync(Func<JsonElement, bool> wanted)
        {
            using var timeout = new CancellationTokenSource(Patience);
            try
            {
                while (true)
                {
                    var line = await _lines.Reader.ReadAsync(timeout.Token);
                    if (wanted(line)) return line;
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
            {
                throw new ShouldAssertException($"The API did not log the line expected; it wrote:\n{string.Join('\n', _seen)}");
            }
        }

        private async Task ReadAsync()
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } text)
            {
                _seen.Enqueue(text);
                JsonElement line;
                try
                {
                    line = JsonDocument.Parse(text).RootElement;
                }
                catch (JsonException)
                {
                    _lines.Writer.TryComplete(new ShouldAssertException($"Not a JSON line: {text}"));
                    return;
                }
                _lines.Writer.TryWrite(line);
            }
            _lines.Writer.TryComplete();
        }

        /// <summary>Standard error is read too, so that the process never blocks on a full pipe; it is shown with a failure.</summary>
        private async Task KeepAsync(StreamReader errors)
        {
            while (await errors.ReadLineAsync() is { } text) _seen.Enqueue("stderr: " + text);
        }

        public async ValueTask DisposeAsync()
        {
            Client?.Dispose();
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
