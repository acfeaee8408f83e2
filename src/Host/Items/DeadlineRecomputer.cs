using Supervision.Engine.Calendars;
using Supervision.Host.Calendars;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

/// <summary>
/// Brings stored deadlines in line with a calendar: folds each open item's clock again and, where the due day,
/// light or next change differ, stores the new values with a <c>deadline-recomputed</c> history entry. Works in
/// batches of <c>Supervision:Calendar:RecomputeBatchSize</c> items (default <see cref="DefaultBatchSize"/>), one
/// transaction each; an item changed by someone meanwhile is skipped
/// (its own change already used the new calendar). Running it twice changes nothing the second time.
/// </summary>
public sealed class DeadlineRecomputer(Database database, ItemStore items, ClockStore clocks, OfficeTimeZone zone, TimeProvider clock, ILogger<DeadlineRecomputer> logger,
    IConfiguration? configuration = null) : IDeadlineRecomputation
{
    /// <summary>How many items one batch (one transaction) recomputes.</summary>
    public const string BatchSizeKey = "Supervision:Calendar:RecomputeBatchSize";

    private readonly int _batchSize = Math.Max(1, configuration?.GetValue(BatchSizeKey, DefaultBatchSize) ?? DefaultBatchSize);

    private readonly ItemSnapshots snapshots = new(items, clocks, new AssignmentStore(database, clock), zone);

    public const int DefaultBatchSize = 500;

    /// <summary>Recomputes the open items that <paramref name="changedDates"/> can affect (all open items when null);
    /// returns how many changed.</summary>
    public async Task<int> RecomputeAsync(WorkingCalendar calendar, IReadOnlyList<DateOnly>? changedDates, CancellationToken cancellationToken) =>
        (await RecomputeWithSummaryAsync(calendar, changedDates, cancellationToken)).Items;

    /// <summary>Like <see cref="RecomputeAsync(WorkingCalendar, IReadOnlyList{DateOnly}?, CancellationToken)"/>, saying how many due days and lights moved.</summary>
    public Task<RecomputeSummary> RecomputeWithSummaryAsync(WorkingCalendar calendar, IReadOnlyList<DateOnly>? changedDates, CancellationToken cancellationToken) =>
        RecomputeAsync(calendar, RecomputeRun.For(changedDates), new NoJobProgress(), cancellationToken);

    /// <summary>Folds each open item in the window under <paramref name="calendar"/> as a recomputation would, in
    /// read-only transactions (rolled back), counting the due days that would move.</summary>
    public async Task<RecomputePreview> PreviewAsync(WorkingCalendar calendar, DateOnly firstDay, DateOnly lastDay, int examples, IJobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(progress);
        var (_, total) = await ItemStore.CountOpenClockedItemsAsync(database, 0, firstDay, lastDay, cancellationToken);
        progress.Report(0, total);
        var (afterId, lookedAt, moving) = (0L, 0L, 0);
        var shown = new List<DueDayMove>();
        var now = clock.GetUtcNow();
        while (true)
        {
            await using var uow = await database.BeginAsync(cancellationToken);
            var batch = await ItemStore.OpenClockedItemsAsync(uow, afterId, _batchSize, firstDay, lastDay, cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            var logs = await snapshots.Clocks.LoadManyAsync(uow, batch.Select(i => i.Id).ToList(), cancellationToken);
            foreach (var item in batch)
            {
                lookedAt++;
                if (!logs.TryGetValue(item.Id, out var log))
                {
                    continue;
                }

                var plan = ItemSnapshots.Plan(item, log, await ClockStore.LoadAssignmentClocksAsync(uow, item.Id, cancellationToken),
                    await AssignmentStore.ListAsync(uow, item.Id, cancellationToken), calendar, snapshots.Zone, item.NotBefore(now), "deadline-recomputed");
                if (plan.Saved is { } after && after.DueOn != item.DueOn)
                {
                    moving++;
                    if (shown.Count < examples)
                    {
                        shown.Add(new DueDayMove(item.Id, item.Title, item.DueOn, after.DueOn));
                    }
                }
            }

            afterId = batch[^1].Id;
            progress.Report(lookedAt, Math.Max(lookedAt, total));
        }

        return new RecomputePreview(lookedAt, moving, shown);
    }

    /// <summary>How many open items' counting windows touch the days (what a change of them would look at).</summary>
    public async Task<long> CountAsync(DateOnly firstDay, DateOnly lastDay, CancellationToken cancellationToken)
    {
        var (_, total) = await ItemStore.CountOpenClockedItemsAsync(database, 0, firstDay, lastDay, cancellationToken);
        return total;
    }

    /// <summary>Runs or resumes <paramref name="run"/>: batch by batch from <see cref="RecomputeRun.ResumeAfter"/>,
    /// each batch's place and counts handed to <see cref="RecomputeRun.AfterBatch"/> inside its transaction.</summary>
    public async Task<RecomputeSummary> RecomputeAsync(WorkingCalendar calendar, RecomputeRun run, IJobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(progress);
        var (from, to, afterId) = (run.From, run.To, run.ResumeAfter);
        var total = RecomputeSummary.None;
        var (done, count) = await ItemStore.CountOpenClockedItemsAsync(database, afterId, from, to, cancellationToken);
        progress.Report(done, count);
        while (true)
        {
            await using var uow = await database.BeginAsync(cancellationToken);
            var batch = await ItemStore.OpenClockedItemsAsync(uow, afterId, _batchSize, from, to, cancellationToken);
            if (batch.Count == 0)
            {
                await uow.CommitAsync(cancellationToken);
                break;
            }

            var now = clock.GetUtcNow();
            var (changed, dueMoved, lights) = (0, 0, 0);
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

            afterId = batch[^1].Id;
            var summary = new RecomputeSummary(changed, dueMoved, lights);
            if (run.AfterBatch is { } afterBatch)
            {
                await afterBatch(uow, afterId, summary, cancellationToken);
            }

            await uow.CommitAsync(cancellationToken);
            total = total.Add(summary);
            done += batch.Count;
            progress.Report(done, Math.Max(done, count));
        }

        // Step and pause limits count on the same calendar: their lights are due for a fresh look by the transition
        // batches, which store what moved and tell of what turned.
        await items.DueStepLightsNowAsync(clock.GetUtcNow(), cancellationToken);

        logger.LogInformation("Calendar {Calendar} version {Version}: {Count} open items recomputed, {DueMoved} due days moved, {Lights} lights changed", calendar.Name, calendar.Version, total.Items, total.DueDaysMoved, total.LightsChanged);
        return total;
    }
}
