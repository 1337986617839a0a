using FinanceSupermarket.Domain;
using FinanceSupermarket.Api.Portal;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.IdentityModel.Tokens;

namespace FinanceSupermarket.Api.Infrastructure.Auth;

public static class AuthModule
{
    /// <summary>The key of the Development environment when none is set; refused in any other.</summary>
    public const string DevelopmentSigningKey = "finance-supermarket-development-signing-key-not-for-production";

    private const string Selector = "platform";

    public static class Policies
    {
        public const string Enterprise = "enterprise";
        public const string Institution = "institution";
        public const string Regulator = "regulator";
        public const string Admin = "admin";
        public const string EnterpriseOrAdmin = "enterprise_or_admin";

        /// <summary>An enterprise user, with an enterprise or (just signed up) still without one.</summary>
        public const string EnterpriseUser = "enterprise_user";
    }

    /// <summary>
    /// Development tokens and the development signing key belong to the Development environment (dotnet run, through
    /// launchSettings.json), whatever the provider: anywhere else, a host started with no settings serves no dev tokens
    /// and refuses to start without its own key. Settings given explicitly win (the tests' "Testing" host sets both).
    /// </summary>
    public static AuthOptions ReadAuthOptions(this IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var development = environment.IsDevelopment();
        options.DevTokens ??= development;
        if (string.IsNullOrEmpty(options.SigningKey))
            options.SigningKey = development ? DevelopmentSigningKey : throw new InvalidOperationException(
                $"Set Auth:SigningKey (environment Auth__SigningKey) to a secret of at least 32 characters: the {environment.EnvironmentName} environment has no default key.");
        if (options.SigningKey.Length < 32)
            throw new InvalidOperationException("Auth:SigningKey must be at least 32 characters.");
        if (!development && options.SigningKey == DevelopmentSigningKey)
            throw new InvalidOperationException($"Set Auth:SigningKey (environment Auth__SigningKey) in the {environment.EnvironmentName} environment: the development key is public.");
        return options;
    }

    public static IServiceCollection AddPlatformAuth(this IServiceCollection services, AuthOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<TokenIssuer>();
        services.AddScoped<CurrentUser>();
        services.AddAuthentication(Selector)
            // The API (and its job dashboard) reads bearer tokens only, so that no cross-site form can act with a cookie;
            // the portal's pages read its session cookie and carry an antiforgery token in every form.
            .AddPolicyScheme(Selector, "bearer token for the API, session cookie for the portal", policy =>
                policy.ForwardDefaultSelector = context => PortalModule.IsApi(context.Request.Path) ? JwtBearerDefaults.AuthenticationScheme : PortalSession.Scheme)
            .AddCookie(PortalSession.Scheme, PortalSession.Configure)
            .AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = options.Issuer,
                ValidAudience = options.Audience,
                IssuerSigningKey = TokenIssuer.SigningKey(options),
                RoleClaimType = PlatformClaims.Role,
                ClockSkew = TimeSpan.FromMinutes(1),
            };
            jwt.Events = new JwtBearerEvents { OnMessageReceived = DashboardToken.Read, OnTokenValidated = DashboardToken.Remember };
        });
        services.AddHttpLoggingInterceptor<DashboardToken.NotLogged>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Enterprise, policy => policy.RequireRole(EnumText.ToText(Role.Enterprise)).RequireClaim(PlatformClaims.EnterpriseId))
            .AddPolicy(Policies.Institution, policy => policy.RequireRole(EnumText.ToText(Role.Institution)).RequireClaim(PlatformClaims.InstitutionId))
            .AddPolicy(Policies.EnterpriseUser, policy => policy.RequireRole(EnumText.ToText(Role.Enterprise)))
            .AddPolicy(Policies.Regulator, policy => policy.RequireRole(EnumText.ToText(Role.Regulator)))
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(EnumText.ToText(Role.Admin)))
            .AddPolicy(Policies.EnterpriseOrAdmin, policy => policy.RequireRole(EnumText.ToText(Role.Enterprise), EnumText.ToText(Role.Admin)));
        return services;
    }

    /// <summary>
    /// The Hangfire dashboard at /jobs is opened in a browser, which cannot send a bearer header. There, and only there, the
    /// token may come once as ?access_token=… and is then kept in an HttpOnly, SameSite=Strict cookie scoped to /jobs, which
    /// the dashboard's pages and their polling send back. The API proper stays header-only, so that no cross-site form
    /// can act with a cookie (CSRF), and the token in the query never reaches the request log.
    /// </summary>
    public static class DashboardToken
    {
        public const string JobsPath = "/jobs";
        public const string Cookie = "fs_access_token";
        public const string QueryParameter = "access_token";
        private const string FromQuery = "dashboard-token-from-query";

        public static Task Read(MessageReceivedContext context)
        {
            var request = context.Request;
            if (!request.Path.StartsWithSegments(JobsPath) || request.Headers.Authorization.Count > 0) return Task.CompletedTask;
            if (request.Query[QueryParameter] is [{ Length: > 0 } fromQuery])
            {
                context.Token = fromQuery;
                context.HttpContext.Items[FromQuery] = fromQuery;
            }
            else if (request.Cookies[Cookie] is { Length: > 0 } fromCookie)
            {
                context.Token = fromCookie;
            }
            return Task.CompletedTask;
        }

        /// <summary>Only a token that validated is kept in the cookie.</summary>
        public static Task Remember(TokenValidatedContext context)
        {
            if (context.HttpContext.Items[FromQuery] is string token)
                context.Response.Cookies.Append(Cookie, token, new CookieOptions
                {
                    HttpOnly = true, SameSite = SameSiteMode.Strict, Path = JobsPath, Secure = context.Request.IsHttps,
                });
            return Task.CompletedTask;
        }

        public sealed class NotLogged : IHttpLoggingInterceptor
        {
            public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext)
            {
                if (logContext.HttpContext.Request.Query.ContainsKey(QueryParameter)) logContext.LoggingFields &= ~HttpLoggingFields.RequestQuery;
                return ValueTask.CompletedTask;
            }

            public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext) => ValueTask.CompletedTask;
        }
    }

    /// <summary>Fills the scoped <see cref="CurrentUser"/> from the authenticated principal.</summary>
    public static IApplicationBuilder UseCurrentUser(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            context.RequestServices.GetRequiredService<CurrentUser>().SetFrom(context.User, context.Connection.RemoteIpAddress?.ToString());
            await next(context);
        });
}
