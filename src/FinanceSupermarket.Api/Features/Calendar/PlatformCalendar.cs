using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain.Calendar;

namespace FinanceSupermarket.Api.Features.Calendar;

/// <summary>
/// The working-day calendar the platform counts deadlines with: the shipped years and the Workflow:CalendarFolder files,
/// overridden by the years an admin loaded into the database. Each node reads those at start-up, at once when it loads a
/// year itself, and every minute (<see cref="Refresher"/>) for the years other nodes loaded.
/// </summary>
public sealed class PlatformCalendar(WorkingDayCalendar shipped, Db db)
{
    private const string YearsSql = "SELECT content FROM calendar_years ORDER BY year";

    private readonly WorkingDayCalendar _shipped = shipped;
    private volatile WorkingDayCalendar _current = shipped;

    public WorkingDayCalendar Current => _current;

    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        _current = _shipped.With(await connection.QueryAsync<string>(new CommandDefinition(YearsSql, cancellationToken: cancellationToken)));
    }

    /// <summary>Follows the years loaded on other nodes.</summary>
    public sealed class Refresher(PlatformCalendar calendar, TimeProvider clock, ILogger<Refresher> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await calendar.RefreshAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning(exception, "Could not read the calendar years from the database; counting with the years read before");
                }
            }
        }
    }
}
