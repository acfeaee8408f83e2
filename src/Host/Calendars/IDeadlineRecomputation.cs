using Supervision.Engine.Calendars;
using Supervision.Host.Storage;

namespace Supervision.Host.Calendars;

/// <summary>What a recomputation changed: items whose stored deadline, light or next change moved; of those, how
/// many due days moved; and how many lights (the item's for requests, each assignment's for tasks) changed colour.</summary>
public sealed record RecomputeSummary(int Items, int DueDaysMoved, int LightsChanged)
{
    public static RecomputeSummary None { get; } = new(0, 0, 0);

    public RecomputeSummary Add(RecomputeSummary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Items + other.Items, DueDaysMoved + other.DueDaysMoved, LightsChanged + other.LightsChanged);
    }
}

/// <summary>
/// A recomputation that can be resumed: the window of changed dates (null: every open item), the id after which to
/// go on (0 at first), and what to store with each batch, in the batch's own transaction (the place reached and the
/// batch's counts), so a run cut off and run again goes on from there and counts nothing twice.
/// </summary>
public sealed record RecomputeRun(DateOnly? From, DateOnly? To, long ResumeAfter, Func<UnitOfWork, long, RecomputeSummary, CancellationToken, Task>? AfterBatch)
{
    public static RecomputeRun For(IReadOnlyList<DateOnly>? changedDates) =>
        new(changedDates is { Count: > 0 } ? changedDates.Min() : null, changedDates is { Count: > 0 } ? changedDates.Max() : null, 0, null);
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

    /// <summary>Runs (or resumes) <paramref name="run"/>, reporting items looked at to <paramref name="progress"/>;
    /// returns what this call changed (the batches' counts went to <see cref="RecomputeRun.AfterBatch"/> as it went).</summary>
    Task<RecomputeSummary> RecomputeAsync(WorkingCalendar calendar, RecomputeRun run, Platform.IJobProgress progress, CancellationToken cancellationToken);

    /// <summary>What recomputing under <paramref name="calendar"/> would move, written nowhere: the open items whose
    /// counting window touches <paramref name="firstDay"/>..<paramref name="lastDay"/>, how many of their due days would move,
    /// and the first <paramref name="examples"/> of them.</summary>
    Task<RecomputePreview> PreviewAsync(WorkingCalendar calendar, DateOnly firstDay, DateOnly lastDay, int examples, Platform.IJobProgress progress, CancellationToken cancellationToken);

    /// <summary>How many open items have a counting window touching <paramref name="firstDay"/>..<paramref name="lastDay"/>.</summary>
    Task<long> CountAsync(DateOnly firstDay, DateOnly lastDay, CancellationToken cancellationToken);
}

/// <summary>An open item whose due day a calendar change would move.</summary>
public sealed record DueDayMove(long ItemId, string Title, DateOnly? DueOn, DateOnly? NewDueOn);

/// <summary>What a calendar change would do to the open items: <see cref="LookedAt"/> items in its window,
/// <see cref="DueDaysMove"/> of them with a due day that moves, the first few as <see cref="Examples"/>.</summary>
public sealed record RecomputePreview(long LookedAt, int DueDaysMove, IReadOnlyList<DueDayMove> Examples);
