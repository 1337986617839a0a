using NetEscapades.AspNetCore.SecurityHeaders.Infrastructure;

namespace FinanceSupermarket.Api.Infrastructure.Http;

/// <summary>
/// The security headers of every response — API, portal, documents, static files, errors (set as the response starts,
/// after the exception handler has written its answer): no MIME sniffing, the origin only as referrer to other sites,
/// no framing (X-Frame-Options and frame-ancestors), HSTS outside Development (over HTTPS only, so behind a proxy that
/// ends TLS set ASPNETCORE_FORWARDEDHEADERS_ENABLED), and a Content-Security-Policy fit for what each part serves.
/// </summary>
public static class SecurityHeaders
{
    private const string Api = "api";
    private const string Docs = "docs";
    private const string Jobs = "jobs";
    private const int OneYear = 365 * 24 * 60 * 60;

    public static IServiceCollection AddPlatformSecurityHeaders(this IServiceCollection services) =>
        services.AddSecurityHeaderPolicies((policies, provider) =>
        {
            var hsts = !provider.GetRequiredService<IHostEnvironment>().IsDevelopment();
            policies
                // The portal (Blazor static SSR with enhanced navigation) loads only its own scripts, styles and images: no
                // inline script or style, nothing from elsewhere (it runs in clouds without internet).
                .SetDefaultPolicy(policy => Common(policy, hsts).AddContentSecurityPolicy(csp =>
                {
                    csp.AddDefaultSrc().Self();
                    csp.AddImgSrc().Self().Data();
                    Closed(csp);
                }))
                // JSON, problems, probes and metrics are never a document: nothing may load.
                .AddPolicy(Api, policy => Common(policy, hsts).AddContentSecurityPolicy(csp =>
                {
                    csp.AddDefaultSrc().None();
                    Closed(csp);
                }))
                // Scalar's page starts its script inline (its text is built from the request's path) and styles its
                // components inline. It shows the public OpenAPI document only and holds no session (the API takes bearer
                // tokens, never cookies); everything it loads or calls is still this host's own.
                .AddPolicy(Docs, policy => Common(policy, hsts).AddContentSecurityPolicy(csp =>
                {
                    csp.AddDefaultSrc().Self();
                    csp.AddScriptSrc().Self().UnsafeInline();
                    csp.AddStyleSrc().Self().UnsafeInline();
                    csp.AddImgSrc().Self().Data();
                    csp.AddFontSrc().Self().Data();
                    csp.AddWorkerSrc().Self().Blob();
                    Closed(csp);
                }))
                // Hangfire's dashboard scripts set inline styles (its scripts stay its own files). It is for admins only, and
                // its session is a SameSite=Strict cookie of its own path.
                .AddPolicy(Jobs, policy => Common(policy, hsts).AddContentSecurityPolicy(csp =>
                {
                    csp.AddDefaultSrc().Self();
                    csp.AddStyleSrc().Self().UnsafeInline();
                    csp.AddImgSrc().Self().Data();
                    Closed(csp);
                }))
                // The whole path: the job dashboard runs in a mapped branch, whose Path starts after its PathBase (/jobs).
                .SetPolicySelector(context => PolicyFor(context.HttpContext.Request.PathBase.Add(context.HttpContext.Request.Path)) is { } name
                    ? context.ConfiguredPolicies[name]
                    : context.DefaultPolicy);
        });

    private static string? PolicyFor(PathString path) =>
        path.StartsWithSegments("/docs") ? Docs
        : path.StartsWithSegments("/jobs") ? Jobs
        : path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") ? Api
        : null;

    private static HeaderPolicyCollection Common(HeaderPolicyCollection policy, bool hsts)
    {
        policy.AddContentTypeOptionsNoSniff()
            .AddFrameOptionsDeny()
            .AddReferrerPolicyStrictOriginWhenCrossOrigin()
            .AddCrossOriginOpenerPolicy(coop => coop.SameOrigin());
        return hsts ? policy.AddStrictTransportSecurityMaxAge(OneYear) : policy;
    }

    /// <summary>What no part of the host needs: plugins, another base URL, forms posting elsewhere, being framed.</summary>
    private static void Closed(CspBuilder csp)
    {
        csp.AddObjectSrc().None();
        csp.AddBaseUri().Self();
        csp.AddFormAction().Self();
        csp.AddFrameAncestors().None();
    }
}
