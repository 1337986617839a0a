using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain.Calendar;

namespace FinanceSupermarket.Api.Features.Calendar;

public static class CalendarModule
{
    public static IServiceCollection AddCalendar(this IServiceCollection services, IConfiguration configuration)
    {
        var folder = configuration.GetSection(WorkflowOptions.Section).Get<WorkflowOptions>()?.CalendarFolder;
        services.AddSingleton(provider => new PlatformCalendar(WorkingDayCalendar.LoadFrom(folder), provider.GetRequiredService<Db>()));
        // The calendar as it is when a handler starts: a year loaded meanwhile counts from the next request or job on.
        services.AddTransient(provider => provider.GetRequiredService<PlatformCalendar>().Current);
        services.AddHostedService<PlatformCalendar.Refresher>();
        return services;
    }

    /// <summary>Reads the loaded years before the first deadline is counted, and warns of a year without data.</summary>
    public static void UseCalendar(this WebApplication app)
    {
        var calendar = app.Services.GetRequiredService<PlatformCalendar>();
        calendar.RefreshAsync().GetAwaiter().GetResult();
        WarnOfMissingYears(app, calendar.Current);
    }

    public static void MapCalendar(this IEndpointRouteBuilder app)
    {
        var calendar = app.MapGroup("/api/v1/admin/calendar").WithTags("Administration");
        GetCalendarStatus.Map(calendar);
        LoadCalendarYear.Map(calendar);
    }

    /// <summary>
    /// A year without a calendar file counts Monday to Friday only: its public holidays would be taken for working days
    /// and its make-up weekends (调休) for days off. Said at start-up, while there is still time to add the file.
    /// </summary>
    private static void WarnOfMissingYears(WebApplication app, WorkingDayCalendar calendar)
    {
        var year = app.Services.GetRequiredService<TimeProvider>().PlatformToday().Year;
        foreach (var missing in new[] { year, year + 1 }.Where(y => !calendar.HasDataFor(y)))
            app.Logger.LogWarning(
                "The working-day calendar has no data for {Year}: its deadlines would skip weekends only, not public holidays or 调休. " +
                "Load that year's file (POST /api/v1/admin/calendar/{Year}) or put cn-{Year}.json in the folder named by Workflow:CalendarFolder.",
                missing, missing, missing);
    }
}
