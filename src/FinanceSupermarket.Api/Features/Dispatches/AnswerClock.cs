using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Calendar;

namespace FinanceSupermarket.Api.Features.Dispatches;

/// <summary>How a running answer clock stands: time in hand, in its last half working day, or past its deadline.</summary>
public enum ClockState { InTime, LastHalfDay, Overdue }

/// <summary>
/// The answer clock of a dispatch (贷款申请限时答复制) as the institution's workbench shows it: the deadline that runs now
/// (the answer while pending, the result once accepted), and the working time left before it on the platform's calendar —
/// the calendar the deadline itself was counted on, where a working day counts whole.
/// </summary>
/// <param name="ForResult">The clock runs for the result of an accepted dispatch, not for its answer.</param>
public sealed record AnswerClock(DateTimeOffset Due, bool ForResult, ClockState State, double WorkingDaysLeft)
{
    /// <summary>Half of a working day as the deadlines count one (24 hours): the last stretch before a deadline shows amber.</summary>
    public static readonly TimeSpan LastHalfDay = TimeSpan.FromHours(12);

    /// <summary>
    /// The clock running for the dispatch now, or the one it missed once escalated as overdue; null once it is answered
    /// (declined, a result given) or closed.
    /// </summary>
    public static AnswerClock? Of(DispatchView dispatch, WorkingDayCalendar calendar, DateTimeOffset now)
    {
        DateTimeOffset? due = dispatch.Status switch
        {
            DispatchStatus.Pending => dispatch.AnswerDueAt,
            DispatchStatus.Accepted when dispatch.Outcome is null => dispatch.FeedbackDueAt,
            DispatchStatus.Overdue => dispatch.FeedbackDueAt ?? dispatch.AnswerDueAt,
            _ => null,
        };
        if (due is not { } deadline) return null;
        var left = calendar.WorkingTimeBetween(now, deadline);
        var state = now > deadline || dispatch.Status == DispatchStatus.Overdue ? ClockState.Overdue : left <= LastHalfDay ? ClockState.LastHalfDay : ClockState.InTime;
        return new AnswerClock(deadline, dispatch.FeedbackDueAt is not null, state, Math.Round(left.TotalDays, 1));
    }
}
