using System.Text.Json;
using Supervision.Engine.Clocks;
using Supervision.Engine.Items;

namespace Supervision.Engine.Deadlines;

/// <summary>
/// Items with a clock of their own and no workflow actions over it (the clock's own operations: start, pause,
/// resume, restart, extend, override, stop): the item with its deadline and light as <see cref="ItemDeadlines"/>
/// folds them, and the history entry that records the change, for storage to write together.
/// </summary>
public static class ClockedItems
{
    /// <summary>A new item with its clock started: its deadline and light at <paramref name="now"/>, and its
    /// <c>registered</c> entry.</summary>
    public static (SupervisedItem Item, HistoryEntry Entry) Register(SupervisedItem item, ClockEvent.Started start, ClockPolicy policy, ClockContext context, string actor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(start);
        var snapshot = ItemDeadlines.Fold([start], false, [], policy, context, now).Item;
        return (snapshot.ApplyTo(item), new HistoryEntry
        {
            At = now,
            Actor = actor,
            Action = "registered",
            ToStep = item.Step,
            ToLight = snapshot.Light,
            Detail = JsonSerializer.Serialize(new { limit = start.Limit.ToString(), startDay = start.StartDay, dueOn = snapshot.DueOn, dueAt = snapshot.DueAt }),
        });
    }

    /// <summary>
    /// A clock event applied to an item whose clock is <paramref name="events"/>: the item with its new deadline and
    /// light (closed when the event stops the clock) and a <c>clock-…</c> entry with the light's move. Throws
    /// <see cref="ClockRuleException"/> when the clock's rules refuse the event.
    /// </summary>
    public static (SupervisedItem Item, HistoryEntry Entry) Apply(SupervisedItem item, IReadOnlyList<ClockEvent> events, ClockEvent e, ClockPolicy policy, ClockContext context, string actor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(e);
        if (!Clock.TryApply(Clock.Fold(events, context), e, context, out var next, out var error))
        {
            throw new ClockRuleException(error!);
        }

        var snapshot = ItemDeadlines.Fold([.. events, e], false, [], policy, context, now).Item;
        var moved = item.Light != snapshot.Light;
        return (snapshot.ApplyTo(item) with { ClosedAt = next.Status == ClockStatus.Stopped ? e.At : item.ClosedAt }, new HistoryEntry
        {
            At = now,
            Actor = actor,
            Action = $"clock-{ClockEventJson.Kind(e)}",
            FromLight = moved ? item.Light : null,
            ToLight = moved ? snapshot.Light : null,
            Detail = ClockEventJson.Data(e),
        });
    }
}
