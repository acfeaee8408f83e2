using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Clocks;

/// <summary>Why a clock stands still.</summary>
public enum PauseReason
{
    /// <summary>Consulting a third party (article 32; the consultation has its own 15 working days).</summary>
    ThirdPartyConsultation,

    /// <summary>Consulting another agency on jointly produced information (article 34).</summary>
    AgencyConsultation,

    /// <summary>Waiting for the applicant's correction (article 30).</summary>
    AwaitingCorrection,

    /// <summary>Another reason, stated in the note.</summary>
    Custom,
}

/// <summary>
/// One entry of a clock's event log. The due day, the light and the explanation are a fold over these events and
/// the calendar; nothing else is stored as truth. <see cref="At"/> is when the event took effect.
/// </summary>
public abstract record ClockEvent(DateTimeOffset At)
{
    /// <summary>The clock starts: the limit counts from the day after <paramref name="StartDay"/> (day-based limits)
    /// or from <see cref="ClockEvent.At"/> (hours and minutes). For requests the start day is the receipt day (article 31).</summary>
    public sealed record Started(DateTimeOffset At, DateOnly StartDay, TimeLimit Limit) : ClockEvent(At);

    /// <summary>The clock stops counting; remaining time is kept. <paramref name="On"/> is the day the pause took
    /// effect when it was entered later (the day the consultation letter went out); null: the day of <see cref="ClockEvent.At"/>.</summary>
    public sealed record Paused(DateTimeOffset At, PauseReason Reason, string? Note = null, DateOnly? On = null) : ClockEvent(At);

    /// <summary>The clock counts again: the remaining time runs from the day after the resume day (day-based) or from the
    /// instant. <paramref name="On"/> is the resume day when entered later (the day the answer came); null: the day of <see cref="ClockEvent.At"/>.</summary>
    public sealed record Resumed(DateTimeOffset At, string? Note = null, DateOnly? On = null) : ClockEvent(At);

    /// <summary>The full limit counts afresh from the day after <paramref name="StartDay"/>, the day the correction was
    /// received (article 30). Earlier extensions and overrides no longer apply.</summary>
    public sealed record Restarted(DateTimeOffset At, DateOnly StartDay, string? Note = null) : ClockEvent(At);

    /// <summary>The limit is extended by <paramref name="By"/> (working days for day-based limits, as article 33
    /// allows; or hours/minutes for time-based ones), approved by <paramref name="Approver"/>.</summary>
    public sealed record Extended(DateTimeOffset At, TimeLimit By, string Approver, string Reason) : ClockEvent(At);

    /// <summary>A supervisor sets the due day or instant directly (article 35: mass or repeated requests).</summary>
    public sealed record Overridden(DateTimeOffset At, DateOnly? DueOn, DateTimeOffset? DueAt, string By, string Reason) : ClockEvent(At);

    /// <summary>The work is done; the clock stops for good. <paramref name="On"/> is the day the work was done when it
    /// was entered later (a reply's date): timeliness is judged by it; null: the day of <see cref="ClockEvent.At"/>.</summary>
    public sealed record Stopped(DateTimeOffset At, DateOnly? On = null) : ClockEvent(At);

    /// <summary>
    /// The day an event takes effect on the office's calendar: a start's or restart's start day; the day a pause,
    /// resumption or stop names (<c>On</c>), or else the day of its instant. An <c>On</c> after the day the event was
    /// entered does not count (nothing is recorded ahead of time): the day of entry is used.
    /// </summary>
    public static DateOnly DayOf(ClockEvent e, ClockContext context)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(context);
        return e switch
        {
            Started s => s.StartDay,
            Restarted r => r.StartDay,
            _ => context.DayOf(EffectiveAt(e, context)),
        };
    }

    /// <summary>
    /// The instant an event takes effect: its <see cref="At"/>, or the start of the earlier day it names (a pause,
    /// resumption or stop entered after the fact). Day-based limits change colour only at local midnight, so the start
    /// of the named day gives the light that day had.
    /// </summary>
    public static DateTimeOffset EffectiveAt(ClockEvent e, ClockContext context)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(context);
        var on = e switch
        {
            Paused p => p.On,
            Resumed r => r.On,
            Stopped s => s.On,
            _ => null,
        };
        return on is { } day && day < context.DayOf(e.At) ? context.StartOf(day) : e.At;
    }
}
