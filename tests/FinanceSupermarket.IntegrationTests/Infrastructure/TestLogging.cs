using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>
/// Keeps the hosts' warnings and errors in one file of the temp folder (the test runner does not show output written
/// from server threads); a failing status assertion names the file, so a failure says what the server saw. Each entry
/// carries its scopes, as a structured log would: the request's path and its trace id among them.
/// </summary>
public sealed class TestLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    public static readonly string LogFile = Path.Combine(Path.GetTempPath(), "finance-supermarket-tests.log");
    /// <summary>Where an entry starts: a line that begins with its level (an exception's stack goes on over further lines).</summary>
    private static readonly Regex EntryStart = new(@"\n(?=\[(?:Warning|Error|Critical)\] )");
    private static readonly Lock FileLock = new();

    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <summary>The entries logged so far (by every host of the run) that name the text, e.g. a trace id.</summary>
    public static IReadOnlyList<string> EntriesNaming(string text)
    {
        lock (FileLock) return File.Exists(LogFile) ? EntryStart.Split(File.ReadAllText(LogFile)).Where(entry => entry.Contains(text)).ToList() : [];
    }

    public ILogger CreateLogger(string categoryName) => new TestLogger(categoryName, this);
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
    public void Dispose() { }

    private sealed class TestLogger(string category, TestLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var entry = new StringBuilder("\n[").Append(logLevel).Append("] ").Append(category).Append(": ").Append(formatter(state, exception));
            provider._scopes.ForEachScope((scope, text) => text.Append(" => ").Append(scope), entry);
            if (exception is not null) entry.AppendLine().Append(exception);
            lock (FileLock) File.AppendAllText(LogFile, entry.ToString());
        }
    }
}
