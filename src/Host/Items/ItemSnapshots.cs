using System.Text.Json;
using Supervision.Engine.Calendars;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

/// <summary>What refreshing one item writes (see <see cref="ItemSnapshots.Plan"/>): assignments to update with their
/// fresh snapshots, the item to save (null when its aggregate is unchanged) with its history entry, the lights that
/// moved, and whether anything an observer would call a change happened.</summary>
internal sealed record RefreshPlan(IReadOnlyList<(Assignment Stored, DeadlineSnapshot Fresh)> Assignments, SupervisedItem? Saved, HistoryEntry? Entry, IReadOnlyList<LightChange> Lights, bool Changed);

/// <summary>A light that moved on an item (requests) or on one assignment (tasks).</summary>
public sealed record LightChange(long? AssignmentId, long DepartmentId, Light From, Light To, bool FromSerious, bool ToSerious, DateOnly? DueOn, DateTimeOffset? DueAt = null);

/// <summary>
/// Keeps the stored deadline and light of an item and its assignments in line with their clocks: folds every clock
/// again on a given calendar at a given instant and writes what differs, with a history entry. Used after a calendar
/// change (and by the light transition job): the same code path as a user's action, so both agree.
/// </summary>
public sealed class ItemSnapshots(ItemStore items, ClockStore clocks, AssignmentStore assignments, OfficeTimeZone zone)
{
    /// <summary>The clock store this reads with (for batches that load many items at once).</summary>
    internal ClockStore Clocks => clocks;

    /// <summary>The assignment store this writes with.</summary>
    internal AssignmentStore Assignments => assignments;

    /// <summary>The office's time zone.</summary>
    internal TimeZoneInfo Zone => zone.Zone;

    /// <summary>Recomputes one item inside a caller's transaction; returns true when anything stored changed.
    /// Throws <see cref="ConcurrencyException"/> if the item moved on since <paramref name="item"/> was read.</summary>
    internal async Task<bool> RefreshAsync(UnitOfWork uow, SupervisedItem item, WorkingCalendar calendar, DateTimeOffset now, string action, CancellationToken cancellationToken) =>
        (await RefreshWithChangesAsync(uow, item, calendar, now, action, cancellationToken)).Changed;

    /// <summary>Like <see cref="RefreshAsync"/>, also saying whether the item's due day moved and which lights moved
    /// (the assignments' for tasks, the item's otherwise).</summary>
    internal async Task<(bool Changed, bool DueMoved, IReadOnlyList<LightChange> Lights)> RefreshWithChangesAsync(UnitOfWork uow, SupervisedItem item, WorkingCalendar calendar, DateTimeOffset now, string action, CancellationToken cancellationToken)
    {
        var loaded = await clocks.LoadManyAsync(uow, [item.Id], cancellationToken);
        if (!loaded.TryGetValue(item.Id, out var log))
        {
            return (false, false, []);
        }

        var plan = Plan(item, log, await ClockStore.LoadAssignmentClocksAsync(uow, item.Id, cancellationToken), await AssignmentStore.ListAsync(uow, item.Id, cancellationToken), calendar, zone.Zone, now, action);
        foreach (var (a, fresh) in plan.Assignments)
        {
            await assignments.UpdateAsync(uow, a.Id, a.Step, a.DepartmentId, fresh, a.ClosedAt, a.Result, cancellationToken);
        }

        if (plan.Saved is { } saved)
        {
            await items.SaveAsync(uow, saved, plan.Entry!, cancellationToken);
        }

        return (plan.Changed, plan.Saved is { } after && (after.DueOn != item.DueOn || after.DueAt != item.DueAt), plan.Lights);
    }

    /// <summary>
    /// What refreshing one item writes, computed without touching storage: each assignment whose fold differs from
    /// what is stored, the item when its aggregate differs (with its history entry), and the lights that moved (the
    /// assignments' for tasks, the item's otherwise). The one computation behind a single refresh and the light
    /// transitions' batches.
    /// </summary>
    internal static RefreshPlan Plan(SupervisedItem item, (List<ClockEvent> Events, ClockPolicy Policy) log, IReadOnlyDictionary<long, List<ClockEvent>> assignmentClocks,
        IReadOnlyList<Assignment> stored, WorkingCalendar calendar, TimeZoneInfo zone, DateTimeOffset now, string action)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(assignmentClocks);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(calendar);
        var lights = new List<LightChange>();
        var updates = new List<(Assignment, DeadlineSnapshot)>();
        var context = new ClockContext(calendar, zone, log.Policy.ExtensionCap);
        var itemSnapshot = log.Events.Count > 0 ? DeadlineSnapshot.Of(Clock.Fold(log.Events, context), log.Policy, context, now) : null;
        var snapshots = new List<(DeadlineSnapshot Snapshot, bool Closed)>();
        foreach (var a in stored)
        {
            var before = DeadlineSnapshot.Of(a.DueOn, a.DueAt, a.Light, a.SeriouslyOverdue, a.Paused, a.NextChangeAt, calendar.Version);
            var fresh = assignmentClocks.TryGetValue(a.Id, out var events) && events.Count > 0
                ? DeadlineSnapshot.Of(Clock.Fold(events, context), log.Policy, context, now)
                : itemSnapshot ?? before;
            fresh = Closing(fresh, a.ClosedAt is not null);
            snapshots.Add((fresh, a.ClosedAt is not null));
            if (fresh.DiffersFrom(before))
            {
                updates.Add((a, fresh));
                if (item.Kind == ItemKind.Task && (fresh.Light != before.Light || fresh.SeriouslyOverdue != before.SeriouslyOverdue))
                {
                    lights.Add(new LightChange(a.Id, a.DepartmentId, before.Light, fresh.Light, before.SeriouslyOverdue, fresh.SeriouslyOverdue, fresh.DueOn, fresh.DueAt));
                }
            }
        }

        var aggregate = Closing(itemSnapshot ?? Worst(snapshots, calendar.Version), item.ClosedAt is not null);
        var stale = DeadlineSnapshot.Of(item);
        if (!aggregate.DiffersFrom(stale))
        {
            return new RefreshPlan(updates, null, null, lights, lights.Count > 0);
        }

        if (item.Kind != ItemKind.Task && (aggregate.Light != stale.Light || aggregate.SeriouslyOverdue != stale.SeriouslyOverdue))
        {
            lights.Add(new LightChange(null, item.DepartmentId, stale.Light, aggregate.Light, stale.SeriouslyOverdue, aggregate.SeriouslyOverdue, aggregate.DueOn, aggregate.DueAt));
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
        return new RefreshPlan(updates, aggregate.ApplyTo(item), entry, lights, true);
    }

    /// <summary>A closed item or assignment shows done-on-time or done-late; without a clock of its own, on time.</summary>
    internal static DeadlineSnapshot Closing(DeadlineSnapshot snapshot, bool closed) =>
        !closed || snapshot.Light.IsClosed()
            ? snapshot
            : snapshot with { Light = snapshot.Light == Light.Red ? Light.DoneLate : Light.DoneOnTime, NextChangeAt = null, Paused = false };

    /// <summary>A task's deadline: the worst light of its open assignments, their earliest due day and next change.</summary>
    internal static DeadlineSnapshot Worst(IReadOnlyCollection<(DeadlineSnapshot Snapshot, bool Closed)> all, int calendarVersion)
    {
        var open = all.Where(a => !a.Closed).Select(a => a.Snapshot).ToList();
        if (open.Count == 0)
        {
            var late = all.Any(a => a.Snapshot.Light == Light.DoneLate);
            return new DeadlineSnapshot(null, null, all.Count == 0 ? Light.Green : late ? Light.DoneLate : Light.DoneOnTime, false, false, null, calendarVersion);
        }

        var worst = open.MaxBy(s => (s.Light, s.SeriouslyOverdue))!;
        return worst with
        {
            DueOn = open.Where(s => s.DueOn is not null).Select(s => s.DueOn).Min(),
            NextChangeAt = open.Where(s => s.NextChangeAt is not null).Select(s => s.NextChangeAt).Min(),
            Paused = open.All(s => s.Paused),
        };
    }
}
