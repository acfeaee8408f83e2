using Dapper;
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
        var parameters = new { day = today, now, yes = true };
        await using var uow = await database.BeginAsync(cancellationToken);
        var rows = await uow.Connection.ExecuteAsync(uow.Command(
            """
            INSERT INTO light_daily (day, department_id, kind, green, yellow, red, seriously_overdue, paused, recorded_at)
            SELECT @day, a.department_id, i.kind,
                   SUM(CASE WHEN a.light = 'green' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN a.light = 'yellow' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN a.light = 'red' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN a.light = 'red' AND a.seriously_overdue = @yes THEN 1 ELSE 0 END),
                   SUM(CASE WHEN a.paused = @yes THEN 1 ELSE 0 END),
                   @now
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE a.closed_at IS NULL
            GROUP BY a.department_id, i.kind
            ON CONFLICT (day, department_id, kind) DO UPDATE SET
                green = excluded.green, yellow = excluded.yellow, red = excluded.red,
                seriously_overdue = excluded.seriously_overdue, paused = excluded.paused, recorded_at = excluded.recorded_at
            """, parameters, cancellationToken));
        var emptied = await uow.Connection.ExecuteAsync(uow.Command(
            """
            DELETE FROM light_daily
            WHERE day = @day AND NOT EXISTS (
                SELECT 1 FROM assignments a JOIN items i ON i.id = a.item_id
                WHERE a.closed_at IS NULL AND a.department_id = light_daily.department_id AND i.kind = light_daily.kind)
            """, parameters, cancellationToken));
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
        var recorded = (await uow.Connection.QueryAsync<DateOnly>(uow.Command(
            "SELECT DISTINCT day FROM light_daily WHERE day >= @from", new { from = today.AddDays(-days) }, cancellationToken))).ToHashSet();
        var assignments = (await uow.Connection.QueryAsync<OpenAssignment>(uow.Command(
            """
            SELECT a.id AS Id, a.item_id AS ItemId, a.department_id AS DepartmentId, i.kind AS Kind, i.received_on AS ReceivedOn, a.closed_at AS ClosedAt
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE i.received_on < @today AND (a.closed_at IS NULL OR a.closed_at >= @from)
            """, new { today, from = context.StartOf(today.AddDays(-days)) }, cancellationToken))).AsList();
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
                written += await uow.Connection.ExecuteAsync(uow.Command(
                    """
                    INSERT INTO light_daily (day, department_id, kind, green, yellow, red, seriously_overdue, paused, recorded_at)
                    VALUES (@day, @department, @kind, @green, @yellow, @red, @serious, @paused, @now)
                    ON CONFLICT (day, department_id, kind) DO NOTHING
                    """,
                    new { day, department, kind, green = row[0], yellow = row[1], red = row[2], serious = row[3], paused = row[4], now }, cancellationToken));
            }
        }

        await uow.CommitAsync(cancellationToken);
        logger.LogInformation("Light counts reconstructed for the {Days} days before {Today}: {Rows} rows", days, today, written);
        return written;
    }

    private sealed record OpenAssignment
    {
        public long Id { get; init; }
        public long ItemId { get; init; }
        public long DepartmentId { get; init; }
        public string Kind { get; init; } = "";
        public DateOnly ReceivedOn { get; init; }
        public DateTimeOffset? ClosedAt { get; init; }
    }
}
