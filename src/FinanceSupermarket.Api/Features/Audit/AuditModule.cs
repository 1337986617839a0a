using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Domain.Calendar;
using Hangfire;

namespace FinanceSupermarket.Api.Features.Audit;

/// <summary>The tamper-evident audit trail's checkpoints and verification (日志完整性保护, seeds/002 task 7).</summary>
public static class AuditModule
{
    public const string CheckpointJobId = "audit-checkpoint";
    public const string SealJobId = "audit-seal";

    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration, AuthOptions auth)
    {
        services.AddSingleton(CheckpointKey.From(configuration, auth));
        services.AddSingleton<SealRequests>();
        return services;
    }

    /// <summary>
    /// A checkpoint every day just after midnight in the platform's time zone, and a sweep every minute that chains entries
    /// whose seal job was lost with its node.
    /// </summary>
    public static void UseAudit(this WebApplication app)
    {
        var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<AuditJobs>(CheckpointJobId, job => job.CheckpointAsync(), Cron.Daily(0, 5),
            new RecurringJobOptions { TimeZone = WorkingDayCalendar.PlatformTimeZone });
        recurring.AddOrUpdate<AuditJobs>(SealJobId, job => job.SweepAsync(), Cron.Minutely());
    }

    public static void MapAudit(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/v1/admin/audit").WithTags("Administration");
        ListCheckpoints.Map(audit);
        VerifyAuditTrail.Map(audit);
    }
}
