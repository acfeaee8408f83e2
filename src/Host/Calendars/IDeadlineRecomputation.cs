using Supervision.Engine.Calendars;

namespace Supervision.Host.Calendars;

/// <summary>What a recomputation changed: items whose stored deadline, light or next change moved; of those, how
/// many due days moved; and how many lights (the item's for requests, each assignment's for tasks) changed colour.</summary>
public sealed record RecomputeSummary(int Items, int DueDaysMoved, int LightsChanged)
{
    public static RecomputeSummary None { get; } = new(0, 0, 0);
}

/// <summary>
/// What changing the calendar asks of the items (implemented beside them, in <c>Items/DeadlineRecomputer</c>): bring
/// every open deadline the changed dates can affect in line with the new calendar. The calendar owns when this runs
/// (after storing a year, and at start when a recomputation was interrupted); the items own how.
/// </summary>
public interface IDeadlineRecomputation
{
    /// <summary>Recomputes the open items that <paramref name="changedDates"/> can affect (all open items when null).</summary>
    Task<RecomputeSummary> RecomputeWithSummaryAsync(WorkingCalendar calendar, IReadOnlyList<DateOnly>? changedDates, CancellationToken cancellationToken);
}
