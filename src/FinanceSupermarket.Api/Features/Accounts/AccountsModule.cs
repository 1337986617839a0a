using System.Globalization;
using System.Threading.RateLimiting;
using FinanceSupermarket.Api.Infrastructure.Database;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Accounts;

public static class AccountsModule
{
    /// <summary>The per-address limit on sign-in, sign-up, refresh, password reset and the token endpoint.</summary>
    public const string RateLimitPolicy = "accounts";

    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AccountsOptions>(configuration.GetSection(AccountsOptions.Section));
        services.AddSingleton<IPasswordHasher<Person>, PasswordHasher<Person>>();
        services.AddScoped<Sessions>();
        services.AddScoped<MfaCodes>();
        services.AddScoped<IMessageSender, OutboxMessageSender>();
        services.AddSingleton<SignInAttempts>();

        services.AddDataProtection().SetApplicationName("FinanceSupermarket");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(options =>
            {
                var db = provider.GetRequiredService<Db>();
                options.XmlRepository = db.Dialect.KeyRing(db, provider.GetRequiredService<ILoggerFactory>());
            }));

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<AccountsOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = options.AttemptsPerAddress, Window = options.AttemptsWindow, QueueLimit = 0 });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests",
                        Detail = "Too many attempts from this address; wait a moment and try again.",
                    },
                });
            };
        });
        return services;
    }

    /// <summary>
    /// Makes sure the key ring holds a key before the first request, so that no request creates one inside its unit of work.
    /// </summary>
    public static void UseAccounts(this WebApplication app) =>
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("FinanceSupermarket.KeyRing").Protect("ready"u8.ToArray());

    public static void MapAccounts(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Accounts");
        SignUp.Map(auth);
        SignIn.Map(auth);
        RefreshSession.Map(auth);
        SignOut.Map(auth);
        GetMe.Map(auth);
        SetUpMfa.Map(auth);
        ConfirmMfa.Map(auth);
        RequestPasswordReset.Map(auth);
        ConfirmPasswordReset.Map(auth);
        IssueClientToken.Map(auth);

        var invitations = app.MapGroup("/api/v1/invitations").WithTags("Accounts");
        CreateInvitation.Map(invitations);
        WithdrawInvitation.Map(invitations);
        AcceptInvitation.Map(invitations);

        var memberships = app.MapGroup("/api/v1/memberships").WithTags("Accounts");
        ListMembers.Map(memberships);
        RemoveMembership.Map(memberships);

        var institutions = app.MapGroup("/api/v1/institutions").WithTags("Institutions");
        CreateApiClient.Map(institutions);
        ListApiClients.Map(institutions);
        RevokeApiClient.Map(institutions);

        var admin = app.MapGroup("/api/v1/admin").WithTags("Administration");
        CreateRegulatorOffice.Map(admin);
        ListRegulatorOffices.Map(admin);
        ListPeople.Map(admin);
        DeactivatePerson.Map(admin);
        ResetMfa.Map(admin);
        ListMessages.Map(admin);
        ListSecurityEvents.Map(admin);
    }
}
