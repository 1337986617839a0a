using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Domain;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Portal.Admin;

/// <summary>
/// The admin console's way into the job dashboard. /jobs reads bearer tokens only (AuthModule.DashboardToken), never the
/// portal's cookie; so a signed-in admin's button posts here and is sent on with an access token of their session, as short-
/// lived as any other, which the dashboard keeps in its own /jobs cookie.
/// </summary>
public static class JobDashboardLink
{
    public const string Path = "/admin/jobs";

    public static void Map(WebApplication app) =>
        app.MapPost(Path, async (HttpContext http, IAntiforgery antiforgery, CurrentUser user, TokenIssuer tokens, IOptions<AccountsOptions> options) =>
            {
                await antiforgery.ValidateRequestAsync(http);
                var token = tokens.Issue(new TokenSubject(Role.Admin)
                {
                    Subject = user.PersonId, SessionId = user.SessionId, MembershipId = user.MembershipId, OrganisationRole = user.OrganisationRole,
                    Name = user.Name, Organisation = user.Organisation,
                }, options.Value.AccessTokenLifetime);
                return Results.Redirect($"{AuthModule.DashboardToken.JobsPath}?{AuthModule.DashboardToken.QueryParameter}={Uri.EscapeDataString(token)}");
            })
            .RequireAuthorization(AuthModule.Policies.Admin)
            .ExcludeFromDescription();
}
