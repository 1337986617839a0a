using System.Globalization;
using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Infrastructure.Auth;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using FinanceSupermarket.Api.Portal.Shared;
using Microsoft.AspNetCore.Mvc;

namespace FinanceSupermarket.Api.Portal;

/// <summary>
/// A browser's session: the accounts' own session (DESIGN.md, Accounts and sessions), carried in an HttpOnly, Secure,
/// SameSite cookie instead of a bearer header. The cookie holds, encrypted by Data Protection, the access token's claims
/// and the refresh token; when the access token would have lapsed, the cookie is renewed through the same refresh as the
/// API's, so a deactivation, a removed membership or a sign-out elsewhere ends a browser session as it ends a token.
/// </summary>
public static class PortalSession
{
    public const string Scheme = "portal";
    public const string CookieName = "fs_session";
    private const string RefreshTokenKey = ".refresh_token";
    private const string RenewAtKey = ".renew_at";

    /// <summary>The claims a JWT carries about itself, which a cookie does not need.</summary>
    private static readonly HashSet<string> TokenOnlyClaims = ["jti", "exp", "nbf", "iat", "iss", "aud"];

    public static void Configure(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        // Lax, not Strict: a link to a request page in an e-mail opens signed in; every form carries an antiforgery token.
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.LoginPath = "/sign-in";
        options.ReturnUrlParameter = "returnUrl";
        options.Events.OnValidatePrincipal = RenewWhenDueAsync;
        // A signed-in person whose role may not open a page gets a 403 there, as the API answers, not a redirect: the status
        // pages show the "access denied" page for it.
        options.Events.OnRedirectToAccessDenied = context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        };
    }

    /// <summary>Starts the browser session for a session the accounts feature opened.</summary>
    public static Task SignInAsync(HttpContext http, SessionView session)
    {
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        return http.SignInAsync(Scheme, PrincipalOf(session.AccessToken), PropertiesOf(session, clock));
    }

    /// <summary>Takes the session's current memberships and claims now (after registering an enterprise, say), not at the next renewal.</summary>
    public static async Task RenewAsync(HttpContext http)
    {
        var current = await http.AuthenticateAsync(Scheme);
        if (current.Properties?.Items.TryGetValue(RefreshTokenKey, out var refreshToken) != true || refreshToken is null) return;
        var outcome = await http.RequestServices.GetRequiredService<IMediator>().Send(new RefreshSession(refreshToken, null));
        if (outcome.Session is { } session) await SignInAsync(http, session);
        else await http.SignOutAsync(Scheme);
    }

    /// <summary>The sign-out button of every page: ends the session (as the API's sign-out does) and the cookie.</summary>
    public static void MapSignOut(WebApplication app) =>
        app.MapPost("/sign-out", async ([FromForm] string? returnUrl, HttpContext http, IMediator mediator, CurrentUser user) =>
        {
            if (user.SessionId is not null) await mediator.Send(new SignOut());
            await http.SignOutAsync(Scheme);
            return Results.LocalRedirect(LocalUrl.Or(returnUrl, "/"));
        }).ExcludeFromDescription();

    private static async Task RenewWhenDueAsync(CookieValidatePrincipalContext context)
    {
        var clock = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        var items = context.Properties.Items;
        if (items.TryGetValue(RenewAtKey, out var renewAt) && renewAt is not null
            && DateTimeOffset.Parse(renewAt, CultureInfo.InvariantCulture) > clock.GetUtcNow()) return;

        var refreshToken = items.TryGetValue(RefreshTokenKey, out var token) ? token : null;
        var outcome = refreshToken is null
            ? RefreshOutcome.Refused
            : await context.HttpContext.RequestServices.GetRequiredService<IMediator>().Send(new RefreshSession(refreshToken, null));
        if (outcome.Session is not { } session)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        context.ReplacePrincipal(PrincipalOf(session.AccessToken));
        foreach (var (key, value) in PropertiesOf(session, clock).Items) context.Properties.Items[key] = value;
        context.ShouldRenew = true;
    }

    private static ClaimsPrincipal PrincipalOf(string accessToken)
    {
        var claims = new JwtSecurityTokenHandler().ReadJwtToken(accessToken).Claims.Where(claim => !TokenOnlyClaims.Contains(claim.Type));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, PlatformClaims.Name, PlatformClaims.Role));
    }

    private static AuthenticationProperties PropertiesOf(SessionView session, TimeProvider clock) => new(new Dictionary<string, string?>
    {
        [RefreshTokenKey] = session.RefreshToken,
        [RenewAtKey] = (clock.GetUtcNow() + TimeSpan.FromSeconds(session.ExpiresIn)).ToString("O", CultureInfo.InvariantCulture),
    });
}
