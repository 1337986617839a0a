using FinanceSupermarket.Api.Infrastructure.Auth;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The cockpit's export buttons, for the browser's session: the same queries as the API's export endpoints
/// (<see cref="ExportStatistics"/>, <see cref="ExportOverdue"/>), so a file holds what the API's file holds. A refusal is
/// the API's status (400, 403) with the portal's page for it.
/// </summary>
public static class CockpitDownloads
{
    public const string StatisticsPath = "/regulator/export/statistics";
    public const string OverduePath = "/regulator/export/overdue";

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").RequireAuthorization(AuthModule.Policies.Regulator).ExcludeFromDescription();
        group.MapGet(StatisticsPath, (HttpContext http, IMediator mediator, string? format, string? by) =>
            DownloadAsync(http, (filter, from, to) => mediator.Send(new ExportStatistics(format, by, from, to, filter.Region, null), http.RequestAborted)));
        group.MapGet(OverduePath, (HttpContext http, IMediator mediator, string? format) =>
            DownloadAsync(http, (filter, from, to) => mediator.Send(new ExportOverdue(format, from, to, filter.Region), http.RequestAborted)));
    }

    /// <summary>The file of the cockpit's filter in the link's query string (a date that is none is a 400, as the API's).</summary>
    private static async Task<IResult> DownloadAsync(HttpContext http, Func<CockpitFilter, DateOnly?, DateOnly?, ValueTask<ExportFile>> export)
    {
        var filter = CockpitFilter.Of(http.Request.Query);
        var (from, to) = filter.Dates(out var notDates);
        if (notDates.Count > 0) return TypedResults.BadRequest();
        try
        {
            return Sheets.Download(await export(filter, from, to));
        }
        catch (ValidationException)
        {
            return TypedResults.BadRequest();
        }
        catch (ForbiddenException)
        {
            return TypedResults.StatusCode(StatusCodes.Status403Forbidden);
        }
    }
}
