using Supervision.Engine.Calendars;
using Supervision.Host.Calendars;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

/// <summary>
/// Brings stored deadlines in line with a calendar: folds each open item's clock again and, where the due day,
/// light or next change differ, stores the new values with a <c>deadline-recomputed</c> history entry. Works in
/// batches of <see cref="BatchSize"/> items, one transaction each; an item changed by someone meanwhile is skipped
/// (its own change already used the new calendar). Running it twice changes nothing the second time.
/// </summary>
public sealed class DeadlineRecomputer(Database database, ItemStore items, ClockStore clocks, OfficeTimeZone zone, TimeProvider clock, ILogger<DeadlineRecomputer> logger) : IDeadlineRecomputation
{
    private readonly ItemSnapshots snapshots = new(items, clocks, new AssignmentStore(database, clock), zone);

    public const int BatchSize = 500;

    /// <summary>Recomputes the open items that <paramref name="changedDates"/> can affect (all open items when null);
    /// returns how many changed.</summary>
    public async Task<int> RecomputeAsync(WorkingCalendar calendar, IReadOnlyList<DateOnly>? changedDates, CancellationToken cancellationToken) =>
        (await RecomputeWithSummaryAsync(calendar, changedDates, cancellationToken)).Items;

    /// <summary>Like <see cref="RecomputeAsync"/>, saying how many due days and lights moved.</summary>
    public async Task<RecomputeSummary> RecomputeWithSummaryAsync(WorkingCalendar calendar, IReadOnlyList<DateOnly>? changedDates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        DateOnly? from = changedDates is { Count: > 0 } ? changedDates.Min() : null;
        DateOnly? to = changedDates is { Count: > 0 } ? changedDates.Max() : null;
        var afterId = 0L;
        var changed = 0;
        var dueMoved = 0;
        var lights = 0;
        while (true)
        {
            await using var uow = await database.BeginAsync(cancellationToken);
            var batch = await ItemStore.OpenClockedItemsAsync(uow, afterId, BatchSize, from, to, cancellationToken);
            if (batch.Count == 0)
            {
                await uow.CommitAsync(cancellationToken);
                break;
            }

            var now = clock.GetUtcNow();
            foreach (var item in batch)
            {
                try
                {
                    var refreshed = await snapshots.RefreshWithChangesAsync(uow, item, calendar, item.NotBefore(now), "deadline-recomputed", cancellationToken);
                    if (refreshed.Changed)
                    {
                        changed++;
                        dueMoved += refreshed.DueMoved ? 1 : 0;
                        lights += refreshed.Lights.Count;
                    }
                }
                catch (ConcurrencyException)
                {
                    logger.LogInformation("Item {Item} changed during recomputation; its own change used the new calendar", item.Id);
                }
            }

            await uow.CommitAsync(cancellationToken);
            afterId = batch[^1].Id;
        }

        // Step and pause limits count on the same calendar: their lights are due for a fresh look by the transition
        // batches, which store what moved and tell of what turned.
        await items.DueStepLightsNowAsync(clock.GetUtcNow(), cancellationToken);

        logger.LogInformation("Calendar {Calendar} version {Version}: {Count} open items recomputed, {DueMoved} due days moved, {Lights} lights changed", calendar.Name, calendar.Version, changed, dueMoved, lights);
        return new RecomputeSummary(changed, dueMoved, lights);
    }
}
