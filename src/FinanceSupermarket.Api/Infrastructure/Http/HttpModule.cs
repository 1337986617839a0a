using FinanceSupermarket.Api.Portal;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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
        services.AddResponseCompression(compression =>
        {
            compression.EnableForHttps = true;
            compression.Providers.Add<BrotliCompressionProvider>();
            compression.Providers.Add<GzipCompressionProvider>();
            // Not text/html: the portal's and the job dashboard's pages carry antiforgery tokens beside text the request
            // chose (a search), which compression would let a cross-site observer guess by length (BREACH). The JSON API
            // takes bearer tokens only, so no cross-site request carries the caller's credentials into its answers. The
            // portal's own CSS and script come precompressed by MapStaticAssets.
            compression.MimeTypes = ["application/json", "application/problem+json", "text/plain", "application/openmetrics-text", "text/csv",
                "text/css", "text/javascript", "application/javascript"];
        });
        services.AddPlatformSecurityHeaders();
        // Kestrel writes its Server header after every middleware has run: the host does not name its server software.
        services.Configure<KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);
        return services;
    }

    public static void UsePlatformHttp(this WebApplication app)
    {
        app.UseSecurityHeaders();
        // Outside the exception handler and the status code pages, so that the request log records the status the client
        // got (a 404 from NotFoundException, a 500), not the 200 the response had when the handler threw.
        app.UseHttpLogging();
        app.UseResponseCompression();
        // The API answers with problem responses (ProblemExceptionHandler, and the status code pages inside the branch);
        // the portal with pages: its error page with the trace id, and a page for a status without a body (404 above all).
        app.UseExceptionHandler(PortalModule.ErrorPath, createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute(PortalModule.StatusPath, createScopeForStatusCodePages: true);
        app.UseWhen(context => !PortalModule.IsPortal(context), api => api.UseStatusCodePages());
    }

    public static void MapPlatformDocs(this WebApplication app)
    {
        app.MapOpenApi();
        // No web fonts from Scalar's servers: the host works without internet, and /docs' CSP allows its own files only.
        app.MapScalarApiReference("/docs", options => options.WithTitle("Finance Supermarket API (金融超市)").DisableDefaultFonts());
    }
}
