using Hangfire;

namespace FinanceSupermarket.Api.Features.Workflow;

public static class WorkflowModule
{
    public const string SuperviseJobId = "supervise-deadlines";

    public static IServiceCollection AddWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(WorkflowOptions.Section);
        services.Configure<WorkflowOptions>(section);
        services.AddScoped<WorkflowSteps>();
        services.AddScoped<WorkflowJobs.FollowingSteps>();
        return services;
    }

    /// <summary>The supervisor every minute, and once at start-up on a node that runs jobs.</summary>
    public static void UseWorkflow(this WebApplication app)
    {
        app.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<WorkflowJobs>(SuperviseJobId, job => job.SuperviseAsync(), Cron.Minutely());
        if (app.Configuration.GetValue($"{WorkflowOptions.Section}:RunJobs", true))
            app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<WorkflowJobs>(job => job.SuperviseAsync());
    }
}
