namespace FinanceSupermarket.Api.Features.Notifications;

public static class NotificationsEndpoints
{
    public static void MapNotifications(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/notifications").WithTags("Notifications").RequireAuthorization();
        ListNotifications.Map(group);
        CountUnreadNotifications.Map(group);
        MarkNotificationRead.Map(group);
    }
}
