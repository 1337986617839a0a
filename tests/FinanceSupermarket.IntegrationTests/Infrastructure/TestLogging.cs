using Microsoft.Extensions.Logging;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>
/// Keeps the hosts' warnings and errors in one file of the temp folder (the test runner does not show output written
/// from server threads); a failing status assertion names the file, so a failure says what the server saw.
/// </summary>
public sealed class TestLoggerProvider : ILoggerProvider
{
    public static readonly string LogFile = Path.Combine(Path.GetTempPath(), "finance-supermarket-tests.log");
    private static readonly Lock FileLock = new();

    public ILogger CreateLogger(string categoryName) => new TestLogger(categoryName);
    public void Dispose() { }

    private sealed class TestLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            lock (FileLock) File.AppendAllText(LogFile, $"[{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
        }
    }
}
