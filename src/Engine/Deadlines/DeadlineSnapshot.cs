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

    /// <summary>True when the deadline or colour differ (the calendar version alone does not count).</summary>
    public bool DiffersFrom(DeadlineSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with { CalendarVersion = 0 } != other with { CalendarVersion = 0 };
    }
}
