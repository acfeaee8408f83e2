using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Host.Calendars;
using Supervision.Host.Items;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Escalation;

/// <summary>
/// Records the light board's counts for one office day in <c>light_daily</c>: per department and item kind, the open
/// assignments by stored light (green, yellow, red, of the red ones seriously overdue, and paused). A day is recorded
/// many times (every <c>Supervision:LightDaily:Cron</c> firing); each run overwrites the day, so what remains is the
/// last run's picture. A department and kind with nothing open gets no row, and a row an earlier run of the same day
/// wrote for one that has since emptied is removed, so absence always means zeros.
/// </summary>
public sealed class LightDailySnapshots(Database database, OfficeTimeZone zone, TimeProvider clock, ILogger<LightDailySnapshots> logger, ClockStore? clocks = null, CalendarService? calendars = null)
{
    /// <summary>
    /// Records the current counts as <paramref name="day"/>'s (the office's today when null) in one transaction;
    /// returns how many department and kind rows the day now has.
    /// </summary>
    public async Task<int> RecordAsync(DateOnly? day, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = day ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone.Zone).DateTime);
        await using var uow = await database.BeginAsync(cancellationToken);
        var (rows, emptied) = await DailyLightStore.RecordAsync(uow, today, now, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        logger.LogInformation("Light counts for {Day}: {Rows} department and kind rows, {Emptied} emptied since the last run", today, rows, emptied);
        return rows;
    }

    /// <summary>
    /// Reconstructs the <paramref name="days"/> office days before today that have no record (days already recorded
    /// are never touched): every item counts from the day it was received, and each assignment's light at the end of
    /// a day is what its clock — with the events that had happened by then — gives at that instant, by the same rules as
    /// the live lights. For a database that predates the daily job, or imported work; the demo uses it for its first
    /// look. Returns how many department and kind rows were written.
    /// </summary>
    public async Task<int> ReconstructAsync(int days, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, 366);
        if (clocks is null || calendars is null)
        {
            throw new InvalidOperationException("Reconstructing needs the clock store and the calendar.");
        }

        var now = clock.GetUtcNow();
        var context = new ClockContext(calendars.Current, zone.Zone);
        var today = context.DayOf(now);
        await using var uow = await database.BeginAsync(cancellationToken);
        var recorded = await DailyLightStore.RecordedDaysAsync(uow, today.AddDays(-days), cancellationToken);
        var assignments = await DailyLightStore.AssignmentsOpenSinceAsync(uow, today, context.StartOf(today.AddDays(-days)), cancellationToken);
        var itemClocks = await clocks.LoadManyAsync(uow, assignments.Select(a => a.ItemId).Distinct().ToList(), cancellationToken);
        var ownClocks = await clocks.LoadAssignmentClocksManyAsync(uow, assignments.Select(a => a.ItemId).Distinct().ToList(), cancellationToken);

        var written = 0;
        for (var day = today.AddDays(-days); day < today; day = day.AddDays(1))
        {
            if (recorded.Contains(day))
            {
                continue;
            }

            var end = context.EndOf(day);
            var counts = new Dictionary<(long Department, string Kind), int[]>();
            foreach (var a in assignments.Where(a => a.ReceivedOn <= day && (a.ClosedAt is null || a.ClosedAt >= end)))
            {
                if (!itemClocks.TryGetValue(a.ItemId, out var item))
                {
                    continue;
                }

                var events = ownClocks.TryGetValue(a.Id, out var own) && own.Count > 0 ? own : item.Events;
                if (LightRules.AsOf(events, item.Policy, context, end) is not { } reading)
                {
                    continue;
                }

                var row = counts.TryGetValue((a.DepartmentId, a.Kind), out var r) ? r : counts[(a.DepartmentId, a.Kind)] = new int[5];
                row[0] += reading.Light == Light.Green ? 1 : 0;
                row[1] += reading.Light == Light.Yellow ? 1 : 0;
                row[2] += reading.Light == Light.Red ? 1 : 0;
                row[3] += reading.Light == Light.Red && reading.SeriouslyOverdue ? 1 : 0;
                row[4] += reading.Paused ? 1 : 0;
            }

            foreach (var ((department, kind), row) in counts)
            {
                written += await DailyLightStore.AddReconstructedAsync(uow, day, department, kind, new DailyCounts(row[0], row[1], row[2], row[3], row[4]), now, cancellationToken);
            }
        }

        await uow.CommitAsync(cancellationToken);
        logger.LogInformation("Light counts reconstructed for the {Days} days before {Today}: {Rows} rows", days, today, written);
        return written;
    }
}
