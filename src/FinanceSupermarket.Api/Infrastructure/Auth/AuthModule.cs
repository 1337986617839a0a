using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace FinanceSupermarket.Api.Infrastructure.Auth;

public static class AuthModule
{
    /// <summary>The key in appsettings.json: fine for the embedded demo, refused for a real database.</summary>
    public const string DevelopmentSigningKey = "finance-supermarket-development-signing-key-not-for-production";

    public static class Policies
    {
        public const string Enterprise = "enterprise";
        public const string Institution = "institution";
        public const string Regulator = "regulator";
        public const string Admin = "admin";
        public const string EnterpriseOrAdmin = "enterprise_or_admin";
    }

    public static AuthOptions ReadAuthOptions(this IConfiguration configuration)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var provider = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>()?.Provider ?? DatabaseProvider.Sqlite;
        options.DevTokens ??= provider == DatabaseProvider.Sqlite;
        if (string.IsNullOrEmpty(options.SigningKey)) options.SigningKey = DevelopmentSigningKey;
        if (options.SigningKey.Length < 32)
            throw new InvalidOperationException("Auth:SigningKey must be at least 32 characters.");
        if (provider != DatabaseProvider.Sqlite && options.SigningKey == DevelopmentSigningKey)
            throw new InvalidOperationException($"Set Auth:SigningKey (environment Auth__SigningKey) for the {provider} provider: the development key is public.");
        return options;
    }

    public static IServiceCollection AddPlatformAuth(this IServiceCollection services, AuthOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<TokenIssuer>();
        services.AddScoped<CurrentUser>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
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
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Enterprise, policy => policy.RequireRole(EnumText.ToText(Role.Enterprise)).RequireClaim(PlatformClaims.EnterpriseId))
            .AddPolicy(Policies.Institution, policy => policy.RequireRole(EnumText.ToText(Role.Institution)).RequireClaim(PlatformClaims.InstitutionId))
            .AddPolicy(Policies.Regulator, policy => policy.RequireRole(EnumText.ToText(Role.Regulator)))
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(EnumText.ToText(Role.Admin)))
            .AddPolicy(Policies.EnterpriseOrAdmin, policy => policy.RequireRole(EnumText.ToText(Role.Enterprise), EnumText.ToText(Role.Admin)));
        return services;
    }

    /// <summary>Fills the scoped <see cref="CurrentUser"/> from the authenticated principal.</summary>
    public static IApplicationBuilder UseCurrentUser(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            context.RequestServices.GetRequiredService<CurrentUser>().SetFrom(context.User);
            await next(context);
        });
}
