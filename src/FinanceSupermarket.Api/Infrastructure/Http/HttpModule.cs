using FinanceSupermarket.Api.Portal;
using Microsoft.AspNetCore.HttpLogging;
using FinanceSupermarket.Api.Infrastructure.OpenApi;
using Scalar.AspNetCore;

namespace FinanceSupermarket.Api.Infrastructure.Http;

public static class HttpModule
{
    public static IServiceCollection AddPlatformHttp(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options => JsonSetup.Configure(options.SerializerOptions));
        // Malformed bodies raise BadHttpRequestException, which ProblemExceptionHandler answers with the field at fault.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddPlatformOpenApi();
        services.AddHttpLogging(logging =>
        {
            logging.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.RequestQuery
                                    | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            logging.CombineLogs = true;
        });
        return services;
    }

    public static void UsePlatformHttp(this WebApplication app)
    {
        // The API answers with problem responses (ProblemExceptionHandler, and the status code pages inside the branch);
        // the portal with pages: its error page with the trace id, and a page for a status without a body (404 above all).
        app.UseExceptionHandler(PortalModule.ErrorPath, createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute(PortalModule.StatusPath, createScopeForStatusCodePages: true);
        app.UseWhen(context => !PortalModule.IsPortal(context), api => api.UseStatusCodePages());
        app.UseHttpLogging();
    }

    public static void MapPlatformDocs(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", options => options.WithTitle("Finance Supermarket API (金融超市)"));
        app.MapHealthChecks("/health");
    }
}
