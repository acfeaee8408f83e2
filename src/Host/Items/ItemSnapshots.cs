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

/// <summary>A light that moved on an item (requests) or on one assignment (tasks): the engine's <see cref="LightMove"/>
/// as the light transitions take it.</summary>
public sealed record LightChange(long? AssignmentId, long DepartmentId, Light From, Light To, bool FromSerious, bool ToSerious, DateOnly? DueOn, DateTimeOffset? DueAt = null);

/// <summary>
/// Keeps the stored deadline and light of an item and its assignments in line with their clocks: the engine folds
/// every clock again on a given calendar at a given instant (<see cref="DeadlineRefresh"/>) and this writes what
/// differs, with a history entry. Used after a calendar change (and by the light transition job): the same fold as a
/// user's action, so both agree.
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
    /// transitions' batches: the engine's <see cref="DeadlineRefresh.Plan"/> over the stored rows.
    /// </summary>
    internal static RefreshPlan Plan(SupervisedItem item, (List<ClockEvent> Events, ClockPolicy Policy) log, IReadOnlyDictionary<long, List<ClockEvent>> assignmentClocks,
        IReadOnlyList<Assignment> stored, WorkingCalendar calendar, TimeZoneInfo zone, DateTimeOffset now, string action)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(assignmentClocks);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(calendar);
        var holders = stored.Select(a => new DeadlineHolder(a.Id, a.DepartmentId, assignmentClocks.GetValueOrDefault(a.Id) ?? [], a.Snapshot(calendar.Version), a.ClosedAt is not null)).ToList();
        var refresh = DeadlineRefresh.Plan(item, log.Events, log.Policy, holders, calendar, zone, now, action);
        var byId = stored.ToDictionary(a => a.Id);
        return new RefreshPlan(
            refresh.Assignments.Select(u => (byId[u.AssignmentId], u.Fresh)).ToList(),
            refresh.Item,
            refresh.Entry,
            refresh.Lights.Select(l => new LightChange(l.AssignmentId, l.DepartmentId, l.From, l.To, l.FromSerious, l.ToSerious, l.DueOn, l.DueAt)).ToList(),
            refresh.Changed);
    }
}
