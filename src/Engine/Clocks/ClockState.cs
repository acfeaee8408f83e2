using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Clocks;

/// <summary>Where a clock stands.</summary>
public enum ClockStatus
{
    /// <summary>No start event yet.</summary>
    NotStarted,

    /// <summary>Counting.</summary>
    Running,

    /// <summary>Standing still; the remaining time is kept.</summary>
    Paused,

    /// <summary>Done.</summary>
    Stopped,
}

/// <summary>
/// The result of folding a clock's event log over a calendar: the current due day (day-based limits) or due instant
/// (hours and minutes), <see cref="DueEnd"/> (the instant from which the work is late, for both kinds), the time
/// kept while paused, extensions used, and the years the computation reckoned provisionally from the law.
/// </summary>
public sealed record ClockState
{
    public static ClockState NotStarted { get; } = new();

    public ClockStatus Status { get; init; } = ClockStatus.NotStarted;

    /// <summary>The limit the clock was started with (a restart counts it afresh).</summary>
    public TimeLimit? Limit { get; init; }

    /// <summary>The day counting starts after (receipt day, or the day a correction was received).</summary>
    public DateOnly? StartDay { get; init; }

    /// <summary>The instant of the start (or restart) event.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Due day of a day-based limit.</summary>
    public DateOnly? DueDay { get; init; }

    /// <summary>Due instant of an hour or minute limit.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>From this instant the work is late: the end of the due day in the office's zone, or the due instant.</summary>
    public DateTimeOffset? DueEnd { get; init; }

    /// <summary>While paused: what remains, in working days (working-day limits) or calendar days (other day-based limits).</summary>
    public int RemainingDays { get; init; }

    /// <summary>While paused: what remains of an hour or minute limit.</summary>
    public TimeSpan RemainingTime { get; init; }

    /// <summary>When the current pause began: the start of the day it names when entered later (<see cref="ClockEvent.EffectiveAt"/>).</summary>
    public DateTimeOffset? PausedAt { get; init; }

    /// <summary>Why the clock is paused.</summary>
    public PauseReason? PauseReason { get; init; }

    /// <summary>Working days added by extensions since the last start or restart.</summary>
    public int ExtendedWorkingDays { get; init; }

    /// <summary>Calendar days added by extensions since the last start or restart.</summary>
    public int ExtendedCalendarDays { get; init; }

    /// <summary>Time added by extensions of an hour or minute limit since the last start or restart.</summary>
    public TimeSpan ExtendedTime { get; init; }

    /// <summary>True when a supervisor set the due day or instant directly.</summary>
    public bool Overridden { get; init; }

    /// <summary>When the work was done: the stop's instant, or the start of the earlier day it names (a reply's date);
    /// whether it was done on time is judged by this instant.</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>Years whose holiday notices were not loaded but were touched by the computation: their days were
    /// reckoned from the law, provisionally (the due day moves when the notice is loaded).</summary>
    public IReadOnlyList<int> ProvisionalYears { get; init; } = [];

    /// <summary>The calendar version the state was computed with.</summary>
    public int CalendarVersion { get; init; }

    /// <summary>When the last event took effect; events must not go back in time.</summary>
    public DateTimeOffset? LastEventAt { get; init; }

    /// <summary>Number of events folded.</summary>
    public int EventCount { get; init; }
}
