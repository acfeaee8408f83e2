using Supervision.Engine.Clocks;

namespace Supervision.Engine.Deadlines;

/// <summary>
/// One assignment as the deadline fold sees it: its id (a provisional negative one before storage gives it one), its
/// department, its own clock's events (empty when it has none and shows its item's deadline), the snapshot stored on
/// it (null for a new one) and whether it is closed (or closes now).
/// </summary>
public sealed record DeadlineHolder(long Id, long DepartmentId, IReadOnlyList<ClockEvent> Events, DeadlineSnapshot? Stored, bool Closed);

/// <summary>
/// The deadlines of an item and of its assignments at an instant, as storage caches them: the one fold behind
/// registering, every workflow action, the light transitions and the recomputation after a calendar change.
/// <list type="bullet">
/// <item>A clock is folded from its events on the calendar, and its snapshot (due day or instant, light, second red
/// level, paused, next change) read at the instant under the clock policy.</item>
/// <item>An assignment shows its own clock; without one, its item's (a request's handling assignment); without
/// either, what is stored on it, or no deadline when nothing is.</item>
/// <item>Closed work shows done-on-time or done-late (<see cref="DeadlineSnapshot.Closing"/>).</item>
/// <item>The item shows its own clock (requests) or, without one, the worst of its open assignments (tasks,
/// <see cref="DeadlineSnapshot.Worst"/>).</item>
/// </list>
/// </summary>
/// <param name="Item">The item's snapshot.</param>
/// <param name="Assignments">Each assignment's snapshot, in the order given.</param>
public sealed record ItemDeadlines(DeadlineSnapshot Item, IReadOnlyList<DeadlineSnapshot> Assignments)
{
    /// <summary>Folds the item's clock and its assignments' at <paramref name="now"/>.</summary>
    /// <param name="itemEvents">The item's own clock (empty for a task, whose clocks are its assignments').</param>
    /// <param name="itemClosed">Whether the item is closed (or closes now).</param>
    /// <param name="assignments">The assignments, stored and new.</param>
    /// <param name="policy">The clock policy the item's clocks run under.</param>
    /// <param name="context">The calendar, zone and extension cap.</param>
    /// <param name="now">The instant the lights are read at.</param>
    public static ItemDeadlines Fold(IReadOnlyList<ClockEvent> itemEvents, bool itemClosed, IReadOnlyList<DeadlineHolder> assignments, ClockPolicy policy, ClockContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(itemEvents);
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(context);
        var own = itemEvents.Count > 0 ? DeadlineSnapshot.Of(Clock.Fold(itemEvents, context), policy, context, now) : null;
        var held = new List<(DeadlineSnapshot Snapshot, bool Closed)>(assignments.Count);
        foreach (var a in assignments)
        {
            var snapshot = a.Events.Count > 0
                ? DeadlineSnapshot.Of(Clock.Fold(a.Events, context), policy, context, now)
                : own ?? a.Stored ?? DeadlineSnapshot.None(context.Calendar.Version);
            held.Add((snapshot.Closing(a.Closed), a.Closed));
        }

        var item = (own ?? DeadlineSnapshot.Worst(held, context.Calendar.Version)).Closing(itemClosed);
        return new ItemDeadlines(item, held.Select(h => h.Snapshot).ToList());
    }
}
