using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Domain.Calendar;
using Mediator;

namespace FinanceSupermarket.Api.Features.Calendar;

public sealed record CalendarWarning(int Year, string Message);

public sealed record CalendarStatus(IReadOnlyList<int> Years, IReadOnlyList<CalendarWarning> Warnings);

/// <summary>
/// The years the calendar has data for, and a warning for the current year without it and, from 1 November, for the next:
/// the State Council publishes the next year's holidays late in the year, and deadlines reach into it from December.
/// </summary>
public sealed record GetCalendarStatus : IQuery<CalendarStatus>
{
    public sealed class Handler(WorkingDayCalendar calendar, TimeProvider clock) : IQueryHandler<GetCalendarStatus, CalendarStatus>
    {
        public ValueTask<CalendarStatus> Handle(GetCalendarStatus query, CancellationToken cancellationToken)
        {
            var today = clock.PlatformToday();
            var due = today.Month >= 11 ? new[] { today.Year, today.Year + 1 } : [today.Year];
            var warnings = due.Where(year => !calendar.HasDataFor(year))
                .Select(year => new CalendarWarning(year,
                    $"No working-day calendar for {year}: its deadlines count weekends only and are provisional until its file is loaded. " +
                    $"/ 尚无 {year} 年工作日历：其期限仅按周末计算，为暂定期限，请载入该年日历。"))
                .ToArray();
            return ValueTask.FromResult(new CalendarStatus(calendar.Years, warnings));
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetCalendarStatus(), ct)))
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("The years the working-day calendar knows (shipped, from the operator's folder, or loaded through the API) and, from 1 November, a warning when next year's file is missing: deadlines over such a year count weekends only (`deadlineProvisional`).")
            .WithSummary("The working-day calendar's years, and a warning for a year without data (admin)");
}
