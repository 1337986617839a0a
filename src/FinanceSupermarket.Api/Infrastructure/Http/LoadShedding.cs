using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Infrastructure.Http;

/// <summary>
/// Overload is shed, never failed (issue 13): at most <see cref="ConcurrentWrites"/> writes run at once and
/// <see cref="QueuedWrites"/> wait their turn; a write beyond that is answered 503 with Retry-After before it touches the
/// database, so the connection pool stays free for the writes admitted and the workflow's jobs (a write waiting 15 s
/// for a pooled connection used to end in a 500). Reads are not limited: each holds one connection for milliseconds.
/// Endpoints with a rate limit of their own (sign-up, tokens) keep it instead. Configuration section "Http:LoadShedding".
/// </summary>
public sealed class LoadSheddingOptions
{
    public const string Section = "Http:LoadShedding";

    /// <summary>
    /// Writes running at once. With the workflow's Hangfire workers (Workflow:WorkerCount, 10 on two cores) each holding a
    /// connection or two, this leaves the pool (100 by default) room for reads: requests and jobs cannot starve each other.
    /// </summary>
    public int ConcurrentWrites { get; set; } = 32;

    /// <summary>Writes waiting for a turn, oldest first; past these the answer is 503.</summary>
    public int QueuedWrites { get; set; } = 256;

    /// <summary>The Retry-After of a 503, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}

public static class LoadShedding
{
    public static IServiceCollection AddLoadShedding(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<LoadSheddingOptions>(configuration.GetSection(LoadSheddingOptions.Section));
        services.AddRateLimiter(_ => { });
        services.AddSingleton<IPostConfigureOptions<RateLimiterOptions>, ShedWrites>();
        return services;
    }

    /// <summary>Unsafe methods (RFC 9110 §9.2.1) change something, and hold a transaction while they do.</summary>
    private static bool IsSheddable(HttpContext context) =>
        !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method)
        && context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>() is null;

    /// <summary>After every module's AddRateLimiter: one global limiter for writes, and the 503 for its refusals.</summary>
    private sealed class ShedWrites(IOptions<LoadSheddingOptions> options) : IPostConfigureOptions<RateLimiterOptions>
    {
        public void PostConfigure(string? name, RateLimiterOptions limiter)
        {
            var shedding = options.Value;
            var writes = new ConcurrencyLimiterOptions
            {
                PermitLimit = shedding.ConcurrentWrites, QueueLimit = shedding.QueuedWrites, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => IsSheddable(context)
                ? RateLimitPartition.GetConcurrencyLimiter("writes", _ => writes)
                : RateLimitPartition.GetNoLimiter(""));
            var others = limiter.OnRejected;
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                if (!IsSheddable(rejected.HttpContext))
                {
                    if (others is not null) await others(rejected, cancellationToken);
                    return;
                }
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                response.Headers.RetryAfter = shedding.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status503ServiceUnavailable, Title = "Service unavailable",
                        Detail = "The platform is at capacity and did nothing with this request; send it again after Retry-After seconds.",
                    },
                });
            };
        }
    }
}
