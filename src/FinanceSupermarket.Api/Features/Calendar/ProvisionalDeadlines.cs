using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Calendar;

namespace FinanceSupermarket.Api.Features.Calendar;

/// <summary>A dispatch's running deadline is provisional while a year it was counted over has no calendar file (weekends only).</summary>
public static class ProvisionalDeadlines
{
    public static bool IsProvisional(this WorkingDayCalendar calendar, DispatchStatus status, DateTimeOffset dispatchedAt, DateTimeOffset answerDueAt,
        DateTimeOffset? answeredAt, DateTimeOffset? feedbackDueAt) => status switch
    {
        DispatchStatus.Pending => !calendar.HasDataBetween(dispatchedAt, answerDueAt),
        DispatchStatus.Accepted when answeredAt is { } from && feedbackDueAt is { } due => !calendar.HasDataBetween(from, due),
        _ => false,
    };
}
