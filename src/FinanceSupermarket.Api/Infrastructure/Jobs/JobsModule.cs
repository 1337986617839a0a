using FinanceSupermarket.Api.Infrastructure.Database;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;

namespace FinanceSupermarket.Api.Infrastructure.Jobs;

/// <summary>
/// Hangfire on the provider's database (SQL Server, PostgreSQL) so that several API nodes share one queue, or in
/// memory with the embedded SQLite default (safe because the supervisor re-drives from the database). The storage is
/// this host's own service rather than Hangfire's global one, so that several hosts can live in one process (tests).
/// </summary>
public static class JobsModule
{
    public static IServiceCollection AddPlatformJobs(this IServiceCollection services, IConfiguration configuration, DatabaseOptions database, string connectionString)
    {
        // The workflow's settings name the node's job server: Workflow:RunJobs and Workflow:WorkerCount.
        var runJobs = configuration.GetValue("Workflow:RunJobs", true);
        // A workflow job spends most of its time waiting on the database, so the default is Hangfire's own (5 per core,
        // at most 20): with 2 per core a 2-core node fell behind at 50 submissions a second.
        var workerCount = configuration.GetValue("Workflow:WorkerCount", Math.Min(Environment.ProcessorCount * 5, 20));

        // The workflow's steps (publish and dispatch, one job per request) go to this node's own in-memory queue on every
        // provider: on PostgreSQL the shared storage cost about thirty statements and eight polling transactions per job
        // (issue 13), and a step lost with its node is re-driven by the supervisor from the database anyway — the design
        // the embedded SQLite default has always had. Recurring, scheduled and webhook jobs stay on the shared storage. A
        // node that runs no jobs (HTTP only) hands its steps to the shared storage, where a job node takes them at once.
        var sharedStorage = database.Provider == DatabaseProvider.Sqlite ? SqlDialect.For(database.Provider).CreateJobStorage(connectionString) : null;
        var stepStorage = sharedStorage ?? (runJobs ? new InMemoryStorage() : null);
        services.AddSingleton(_ => sharedStorage ?? SqlDialect.For(database.Provider).CreateJobStorage(connectionString));
        services.AddSingleton(provider => new WorkflowStepStorage(stepStorage ?? provider.GetRequiredService<JobStorage>()));
        services.AddHangfire((provider, config) => config
            .UseLogProvider(new HostLogProvider(provider.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        if (runJobs)
        {
            services.AddHangfireServer((_, server) => Configure(server, workerCount));
            if (stepStorage is not null && stepStorage != sharedStorage)
                services.AddHangfireServer((_, server) => Configure(server, workerCount), stepStorage);
        }

        services.AddSingleton<JobQueue>();
        return services;
    }

    private static void Configure(BackgroundJobServerOptions server, int workerCount)
    {
        server.WorkerCount = workerCount;
        server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    }

    /// <summary>The dashboard at /jobs, for admins.</summary>
    public static void UsePlatformJobs(this WebApplication app)
    {
        app.UseHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [new AdminOnlyDashboard()],
            DashboardTitle = "Finance Supermarket jobs",
        }, app.Services.GetRequiredService<JobStorage>());
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

/// <summary>
/// Where this node's workflow steps go (see <see cref="JobsModule.AddPlatformJobs"/>): its own in-memory queue on a node
/// that runs jobs; the one job storage on SQLite; the shared storage on a node that runs none.
/// </summary>
public sealed record WorkflowStepStorage(JobStorage Storage);
