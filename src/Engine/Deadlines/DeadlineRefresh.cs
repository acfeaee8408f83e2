using System.Text.Json;
using Supervision.Engine.Calendars;
using Supervision.Engine.Clocks;
using Supervision.Engine.Items;

namespace Supervision.Engine.Deadlines;

/// <summary>A light that moved on an item (requests: <see cref="AssignmentId"/> null) or on one assignment (tasks),
/// with the deadline it now shows.</summary>
public sealed record LightMove(long? AssignmentId, long DepartmentId, Light From, Light To, bool FromSerious, bool ToSerious, DateOnly? DueOn, DateTimeOffset? DueAt);

/// <summary>
/// What refreshing one item's stored deadlines writes: every clock folded again (<see cref="ItemDeadlines"/>) on a
/// calendar at an instant, compared with what is stored. Behind the recomputation after a calendar change and the
/// light transitions' batches, so both agree with the actions that stored the deadlines.
/// </summary>
/// <param name="Assignments">Each assignment whose deadline or colour differ from what is stored, with its fresh snapshot.</param>
/// <param name="Item">The item with its fresh aggregate, or null when that is unchanged.</param>
/// <param name="Entry">The history entry recording the item's change (with its light's move), or null.</param>
/// <param name="Lights">The lights that moved: the assignments' for a task, the item's otherwise.</param>
/// <param name="Changed">Whether anything an observer would call a change happened.</param>
public sealed record DeadlineRefresh(IReadOnlyList<(long AssignmentId, DeadlineSnapshot Fresh)> Assignments, SupervisedItem? Item, HistoryEntry? Entry, IReadOnlyList<LightMove> Lights, bool Changed)
{
    /// <summary>
    /// Refreshes <paramref name="item"/> (with its clock <paramref name="itemEvents"/> under <paramref name="policy"/>)
    /// and its <paramref name="assignments"/> on <paramref name="calendar"/> at <paramref name="now"/>; the entry, if
    /// any, is recorded as <paramref name="action"/> by the system.
    /// </summary>
    public static DeadlineRefresh Plan(SupervisedItem item, IReadOnlyList<ClockEvent> itemEvents, ClockPolicy policy, IReadOnlyList<DeadlineHolder> assignments,
        WorkingCalendar calendar, TimeZoneInfo zone, DateTimeOffset now, string action)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(calendar);
        var context = new ClockContext(calendar, zone, policy.ExtensionCap);
        var folded = ItemDeadlines.Fold(itemEvents, item.ClosedAt is not null, assignments, policy, context, now);
        var lights = new List<LightMove>();
        var updates = new List<(long, DeadlineSnapshot)>();
        for (var i = 0; i < assignments.Count; i++)
        {
            var (a, fresh) = (assignments[i], folded.Assignments[i]);
            var before = a.Stored ?? DeadlineSnapshot.None(calendar.Version);
            if (fresh.DiffersFrom(before))
            {
                updates.Add((a.Id, fresh));
                if (item.Kind == ItemKind.Task && (fresh.Light != before.Light || fresh.SeriouslyOverdue != before.SeriouslyOverdue))
                {
                    lights.Add(new LightMove(a.Id, a.DepartmentId, before.Light, fresh.Light, before.SeriouslyOverdue, fresh.SeriouslyOverdue, fresh.DueOn, fresh.DueAt));
                }
            }
        }

        var aggregate = folded.Item;
        var stale = DeadlineSnapshot.Of(item);
        if (!aggregate.DiffersFrom(stale))
        {
            return new DeadlineRefresh(updates, null, null, lights, lights.Count > 0);
        }

        if (item.Kind != ItemKind.Task && (aggregate.Light != stale.Light || aggregate.SeriouslyOverdue != stale.SeriouslyOverdue))
        {
            lights.Add(new LightMove(null, item.DepartmentId, stale.Light, aggregate.Light, stale.SeriouslyOverdue, aggregate.SeriouslyOverdue, aggregate.DueOn, aggregate.DueAt));
        }

        var entry = new HistoryEntry
        {
            At = now,
            Actor = "system",
            Action = action,
            FromLight = item.Light != aggregate.Light ? item.Light : null,
            ToLight = item.Light != aggregate.Light ? aggregate.Light : null,
            Detail = JsonSerializer.Serialize(new
            {
                calendar = calendar.Name,
                calendarVersion = calendar.Version,
                fromDueOn = stale.DueOn,
                toDueOn = aggregate.DueOn,
                fromLight = stale.Light.Code(),
                toLight = aggregate.Light.Code(),
                seriouslyOverdue = aggregate.SeriouslyOverdue,
            }),
        };
        return new DeadlineRefresh(updates, aggregate.ApplyTo(item), entry, lights, true);
    }
}
