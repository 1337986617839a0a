using FinanceSupermarket.Api.Portal.Shared;
using FinanceSupermarket.Api.Infrastructure.Auth;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// A page of figures for a region (the cockpit, the 督导 list): a region outside the analyst's own is the API's 403
/// (StatisticsScope), shown as "access denied", not the 404 of another tenant's record that PortalPage makes of it.
/// </summary>
public abstract class RegulatorPage : PortalPage
{
    /// <summary>The filter named a region outside the analyst's own: the page shows access denied, with the API's status.</summary>
    protected bool Forbidden { get; private set; }

    /// <summary>Sends a statistics query (for SendAsync), taking its refusal of the region as <see cref="Forbidden"/>.</summary>
    protected async ValueTask<T> Guarded<T>(IMessage query, CancellationToken cancellationToken)
    {
        try
        {
            return await Mediator.Send((IQuery<T>)query, cancellationToken);
        }
        catch (ForbiddenException)
        {
            Forbidden = true;
            HttpContext.Response.StatusCode = StatusCodes.Status403Forbidden;
            return default!;
        }
    }
}
