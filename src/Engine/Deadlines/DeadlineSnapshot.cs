using Supervision.Engine.Clocks;
using Supervision.Engine.Items;

namespace Supervision.Engine.Deadlines;

/// <summary>
/// What storage caches of an item's clock at an instant: due day or instant, light, the second red level, paused,
/// the next change instant, and the calendar version it was computed with. Two snapshots are equal exactly when
/// nothing stored needs to change.
/// </summary>
public sealed record DeadlineSnapshot(
    DateOnly? DueOn,
    DateTimeOffset? DueAt,
    Light Light,
    bool SeriouslyOverdue,
    bool Paused,
    DateTimeOffset? NextChangeAt,
    int CalendarVersion)
{
    /// <summary>The snapshot of a folded clock at <paramref name="now"/>.</summary>
    public static DeadlineSnapshot Of(ClockState state, ClockPolicy policy, ClockContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(context);
        var reading = LightRules.Evaluate(state, policy.Light, context, now);
        return new DeadlineSnapshot(state.DueDay, state.DueAt, reading.Light, reading.SeriouslyOverdue, reading.Paused, reading.NextChangeAt, context.Calendar.Version);
    }

    /// <summary>The snapshot stored on an item.</summary>
    public static DeadlineSnapshot Of(SupervisedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new DeadlineSnapshot(item.DueOn, item.DueAt, item.Light, item.SeriouslyOverdue, item.Paused, item.NextChangeAt, item.CalendarVersion ?? 0);
    }

    /// <summary>The snapshot stored on an assignment-like row.</summary>
    public static DeadlineSnapshot Of(DateOnly? dueOn, DateTimeOffset? dueAt, Light light, bool seriouslyOverdue, bool paused, DateTimeOffset? nextChangeAt, int calendarVersion) =>
        new(dueOn, dueAt, light, seriouslyOverdue, paused, nextChangeAt, calendarVersion);

    /// <summary>The item with this snapshot stored on it.</summary>
    public SupervisedItem ApplyTo(SupervisedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item with
        {
            DueOn = DueOn,
            DueAt = DueAt,
            Light = Light,
            SeriouslyOverdue = SeriouslyOverdue,
            Paused = Paused,
            NextChangeAt = NextChangeAt,
            CalendarVersion = CalendarVersion,
        };
    }

    /// <summary>No deadline: green, never changing (an item or assignment without a clock of its own or its item's).</summary>
    public static DeadlineSnapshot None(int calendarVersion) => new(null, null, Light.Green, false, false, null, calendarVersion);

    /// <summary>
    /// This snapshot on closed work: done-on-time, or done-late when it was red; no next change, not paused. A clock
    /// stopped by the closing already reads done-on-time or done-late and is kept as it is; without a clock of its own,
    /// closed work is on time unless it was red. Open work (<paramref name="closed"/> false) is unchanged.
    /// </summary>
    public DeadlineSnapshot Closing(bool closed) =>
        !closed || Light.IsClosed()
            ? this
            : this with { Light = Light == Light.Red ? Light.DoneLate : Light.DoneOnTime, NextChangeAt = null, Paused = false };

    /// <summary>
    /// A task's deadline from its assignments': the worst light of the open ones (red before yellow before green, then
    /// seriously overdue), their earliest due day and earliest next change, paused only when all of them are. With none
    /// open: done-late when any finished late, done-on-time otherwise, green when there are no assignments at all.
    /// </summary>
    public static DeadlineSnapshot Worst(IReadOnlyCollection<(DeadlineSnapshot Snapshot, bool Closed)> all, int calendarVersion)
    {
        ArgumentNullException.ThrowIfNull(all);
        var open = all.Where(a => !a.Closed).Select(a => a.Snapshot).ToList();
        if (open.Count == 0)
        {
            var late = all.Any(a => a.Snapshot.Light == Light.DoneLate);
            return None(calendarVersion) with { Light = all.Count == 0 ? Light.Green : late ? Light.DoneLate : Light.DoneOnTime };
        }

        var worst = open.MaxBy(s => (s.Light, s.SeriouslyOverdue))!;
        return worst with
        {
            DueOn = open.Where(s => s.DueOn is not null).Select(s => s.DueOn).Min(),
            NextChangeAt = open.Where(s => s.NextChangeAt is not null).Select(s => s.NextChangeAt).Min(),
            Paused = open.All(s => s.Paused),
        };
    }

    /// <summary>True when the deadline or colour differ (the calendar version alone does not count).</summary>
    public bool DiffersFrom(DeadlineSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with { CalendarVersion = 0 } != other with { CalendarVersion = 0 };
    }
}
