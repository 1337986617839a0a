using FinanceSupermarket.Domain.Calendar;

namespace FinanceSupermarket.Api.Infrastructure;

public static class PlatformClock
{
    /// <summary>Today's date in the platform's time zone (Asia/Shanghai), which decides working days and years in business.</summary>
    public static DateOnly PlatformToday(this TimeProvider clock) => clock.GetUtcNow().PlatformDay();

    /// <summary>The platform-time-zone (Asia/Shanghai) calendar day of an instant.</summary>
    public static DateOnly PlatformDay(this DateTimeOffset time) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time, WorkingDayCalendar.PlatformTimeZone).DateTime);

    /// <summary>A time as people in the platform's time zone read it, for messages.</summary>
    public static string PlatformText(this DateTimeOffset time) => time.PlatformMinute() + " (UTC+8)";

    /// <summary>A time to the minute in the platform's time zone, where the page says the zone once (the portal).</summary>
    public static string PlatformMinute(this DateTimeOffset time) =>
        TimeZoneInfo.ConvertTime(time, WorkingDayCalendar.PlatformTimeZone).ToString("yyyy-MM-dd HH:mm");
}
