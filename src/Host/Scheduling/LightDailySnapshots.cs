using Dapper;
using Supervision.Host.Setup;
using Supervision.Host.Storage;

namespace Supervision.Host.Scheduling;

/// <summary>
/// Records the light board's counts for one office day in <c>light_daily</c>: per department and item kind, the open
/// assignments by stored light (green, yellow, red, of the red ones seriously overdue, and paused). A day is recorded
/// many times (every <c>Supervision:LightDaily:Cron</c> firing); each run overwrites the day, so what remains is the
/// last run's picture. A department and kind with nothing open gets no row, and a row an earlier run of the same day
/// wrote for one that has since emptied is removed, so absence always means zeros.
/// </summary>
public sealed class LightDailySnapshots(Database database, OfficeTimeZone zone, TimeProvider clock, ILogger<LightDailySnapshots> logger)
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
}
