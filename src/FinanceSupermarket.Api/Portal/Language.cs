using FinanceSupermarket.Api.Portal.Shared;
using Microsoft.AspNetCore.Localization;

namespace FinanceSupermarket.Api.Portal;

/// <summary>The language switch: remembers the choice in the culture cookie and goes back to the page it came from.</summary>
public static class Language
{
    public static void Map(WebApplication app) =>
        app.MapGet("/language", (string? culture, string? returnUrl, HttpContext http) =>
        {
            var chosen = culture == PortalModule.English.Name ? PortalModule.English : PortalModule.Chinese;
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, Secure = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            return Results.LocalRedirect(LocalUrl.Or(returnUrl, "/"));
        }).ExcludeFromDescription();
}
