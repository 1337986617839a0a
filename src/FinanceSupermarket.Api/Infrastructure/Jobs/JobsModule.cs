using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain.Calendar;
using Hangfire;
using Hangfire.Dashboard;

namespace FinanceSupermarket.Api.Infrastructure.Jobs;

/// <summary>
/// Hangfire on the provider's database (SQL Server, PostgreSQL) so that several API nodes share one queue, or in
/// memory with the embedded SQLite default (safe because the supervisor re-drives from the database). The storage is
/// this host's own service rather than Hangfire's global one, so that several hosts can live in one process (tests).
/// </summary>
public static class JobsModule
{
    public const string SuperviseJobId = "supervise-deadlines";

    public static IServiceCollection AddPlatformJobs(this IServiceCollection services, IConfiguration configuration, DatabaseOptions database, string connectionString)
    {
        var workflow = configuration.GetSection(WorkflowOptions.Section).Get<WorkflowOptions>() ?? new WorkflowOptions();
        services.Configure<WorkflowOptions>(configuration.GetSection(WorkflowOptions.Section));
        services.AddSingleton(WorkingDayCalendar.LoadFrom(workflow.CalendarFolder));

        services.AddSingleton(_ => SqlDialect.For(database.Provider).CreateJobStorage(connectionString));
        services.AddHangfire((provider, config) => config
            .UseLogProvider(new HostLogProvider(provider.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        if (workflow.RunJobs)
            services.AddHangfireServer((_, server) =>
            {
                server.WorkerCount = workflow.WorkerCount;
                server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
                server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
            });

        services.AddScoped<IWorkflowScheduler, HangfireWorkflowScheduler>();
        services.AddScoped<Notifier>();
        services.AddScoped<INotificationChannel, DatabaseNotificationChannel>();
        services.AddScoped<INotificationChannel, WebhookNotificationChannel>();
        services.AddHttpClient(nameof(DeliverWebhook), client => client.Timeout = TimeSpan.FromSeconds(10));
        return services;
    }

    /// <summary>The supervisor every minute, once at start-up, and the dashboard at /jobs for admins.</summary>
    public static void UsePlatformJobs(this WebApplication app)
    {
        WarnOfMissingCalendarYears(app);
        var storage = app.Services.GetRequiredService<JobStorage>();
        app.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<WorkflowJobs>(SuperviseJobId, job => job.SuperviseAsync(), Cron.Minutely());
        if (app.Configuration.GetValue($"{WorkflowOptions.Section}:RunJobs", true))
            app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<WorkflowJobs>(job => job.SuperviseAsync());
        app.UseHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [new AdminOnlyDashboard()],
            DashboardTitle = "Finance Supermarket jobs",
        }, storage);
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

    /// <summary>
    /// The dashboard is for platform operators: the caller's token must carry the admin role (a bearer header, or in a
    /// browser the /jobs cookie of <see cref="Auth.AuthModule.DashboardToken"/>). Hangfire answers 401 to the anonymous, 403 to others.
    /// </summary>
    private sealed class AdminOnlyDashboard : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole("admin");
    }
}
