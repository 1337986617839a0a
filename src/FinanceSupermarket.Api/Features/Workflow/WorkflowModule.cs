using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Domain.Calendar;
using Hangfire;

namespace FinanceSupermarket.Api.Features.Workflow;

public static class WorkflowModule
{
    public const string SuperviseJobId = "supervise-deadlines";

    public static IServiceCollection AddWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(WorkflowOptions.Section);
        services.Configure<WorkflowOptions>(section);
        services.AddSingleton(WorkingDayCalendar.LoadFrom(section.Get<WorkflowOptions>()?.CalendarFolder));
        services.AddScoped<WorkflowSteps>();
        return services;
    }

    /// <summary>The supervisor every minute, and once at start-up on a node that runs jobs.</summary>
    public static void UseWorkflow(this WebApplication app)
    {
        WarnOfMissingCalendarYears(app);
        app.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<WorkflowJobs>(SuperviseJobId, job => job.SuperviseAsync(), Cron.Minutely());
        if (app.Configuration.GetValue($"{WorkflowOptions.Section}:RunJobs", true))
            app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<WorkflowJobs>(job => job.SuperviseAsync());
    }

    /// <summary>
    /// A year without a calendar file counts Monday to Friday only: its public holidays would be taken for working days
    /// and its make-up weekends (调休) for days off. Said at start-up, while there is still time to add the file.
    /// </summary>
    private static void WarnOfMissingCalendarYears(WebApplication app)
    {
        var calendar = app.Services.GetRequiredService<WorkingDayCalendar>();
        var year = app.Services.GetRequiredService<TimeProvider>().PlatformToday().Year;
        foreach (var missing in new[] { year, year + 1 }.Where(y => !calendar.HasDataFor(y)))
            app.Logger.LogWarning(
                "The working-day calendar has no data for {Year}: its deadlines would skip weekends only, not public holidays or 调休. " +
                "Put that year's cn-YYYY.json in the folder named by Workflow:CalendarFolder.", missing);
    }
}
