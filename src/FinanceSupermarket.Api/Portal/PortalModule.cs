using System.Globalization;
using System.Resources;
using FluentValidation;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Localization;

namespace FinanceSupermarket.Api.Portal;

/// <summary>
/// The web portal (DESIGN.md, Web portal): server-rendered Razor components at /, in the same host as the API and calling
/// the same Mediator messages. Chinese first; English by the language switch or ?culture=en.
/// </summary>
public static class PortalModule
{
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    public static IServiceCollection AddPortal(this IServiceCollection services)
    {
        services.AddRazorComponents();
        // Chinese text as text, not as &#x...; entities: pages half the size, and readable in the page source.
        services.AddWebEncoders(options => options.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        services.AddLocalization();
        services.AddAntiforgery(options => options.Cookie.Name = "fs_antiforgery");
        services.AddCascadingAuthenticationState();
        services.AddMemoryCache();
        NameFieldsInTheReadersLanguage();
        return services;
    }

    /// <summary>
    /// FluentValidation's own messages come in the request's language ("'统一社会信用代码' 不能为空。"); the field they name
    /// is taken from the portal's texts (Field.*) where the language is the portal's Chinese. The API's requests keep
    /// FluentValidation's English names, as the portal's language is set for its own paths only.
    /// </summary>
    private static void NameFieldsInTheReadersLanguage()
    {
        var texts = new ResourceManager(typeof(Text));
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null || CultureInfo.CurrentUICulture.Name != Chinese.Name ? null : texts.GetString($"Field.{member.Name}", Chinese);
    }

    /// <summary>True for the portal's requests: everything outside the JSON API, its documents, the job dashboard, health and metrics.</summary>
    public static bool IsPortal(HttpContext context) => !IsApi(context.Request.Path);

    public static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/jobs") || path.StartsWithSegments("/openapi")
        || path.StartsWithSegments("/docs") || path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");

    /// <summary>The pages HttpModule re-executes for a portal request that failed, or ended in a status without a body.</summary>
    public const string ErrorPath = "/error";
    public const string StatusPath = "/status/{0}";

    /// <summary>The portal's language, for its paths only: the API keeps its English messages.</summary>
    public static void UsePortal(this WebApplication app) =>
        app.UseWhen(IsPortal, portal =>
        {
            portal.UseRequestLocalization(options =>
            {
                options.DefaultRequestCulture = new RequestCulture(Chinese);
                options.SupportedCultures = options.SupportedUICultures = [Chinese, English];
                options.RequestCultureProviders = [new QueryStringRequestCultureProvider(), new CookieRequestCultureProvider()];
            });
        });

    public static void MapPortal(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>();
        Language.Map(app);
        PortalSession.MapSignOut(app);
        Admin.JobDashboardLink.Map(app);
    }
}
