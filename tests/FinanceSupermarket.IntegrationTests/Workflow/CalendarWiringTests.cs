using System.Collections.Concurrent;
using FinanceSupermarket.Domain.Calendar;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace FinanceSupermarket.IntegrationTests.Workflow;

/// <summary>The host's working-day calendar: the shipped years plus the operator's folder, and a warning for a year without data.</summary>
[TestFixture]
public sealed class CalendarWiringTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), $"fs-calendar-{Guid.NewGuid():N}"));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static async Task<(ApiHost Host, WarningLog Log)> StartAsync(string? calendarFolder)
    {
        var log = new WarningLog();
        var settings = new Dictionary<string, string?> { ["Workflow:CalendarFolder"] = calendarFolder };
        var connectionString = await TestDatabases.CreateAsync(Providers.Sqlite, nameof(CalendarWiringTests));
        var host = new ApiHost(Providers.Sqlite, connectionString, new FakeTimeProvider(ApiTestBase.Start), settings,
            services => services.AddSingleton<ILoggerProvider>(log));
        return (host, log);
    }

    [Test]
    public async Task A_node_started_in_2026_warns_that_the_calendar_has_no_data_for_2027()
    {
        var (host, log) = await StartAsync(calendarFolder: null);
        await using var _ = host;

        log.Warnings.Where(w => w.Contains("calendar")).ShouldHaveSingleItem().ShouldContain("2027");
    }

    [Test]
    public async Task With_next_years_file_in_the_calendar_folder_the_node_counts_its_holidays_and_gives_no_warning()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "cn-2027.json"), """
            {"year": 2027, "holidays": [{"name": "元旦 New Year's Day", "from": "2027-01-01", "to": "2027-01-03"}], "workingWeekends": []}
            """);

        var (host, log) = await StartAsync(_folder);
        await using var _ = host;

        log.Warnings.ShouldNotContain(w => w.Contains("calendar"));
        var calendar = host.Service<WorkingDayCalendar>();
        calendar.IsWorkingDay(new DateOnly(2027, 1, 1)).ShouldBeFalse();   // a Friday, and a holiday in the operator's file
        calendar.IsWorkingDay(new DateOnly(2026, 10, 1)).ShouldBeFalse();  // the shipped years are still there
    }

    private sealed class WarningLog : ILoggerProvider
    {
        public ConcurrentQueue<string> Warnings { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);
        public void Dispose() { }

        private sealed class Logger(WarningLog log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) log.Warnings.Enqueue(formatter(state, exception));
            }
        }
    }
}
