using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Escalation;

/// <summary>An assignment as the reconstruction of past days' counts sees it: its item, department, kind, the day its
/// item was received and when it closed.</summary>
internal sealed record CountedAssignment
{
    public long Id { get; init; }
    public long ItemId { get; init; }
    public long DepartmentId { get; init; }
    public string Kind { get; init; } = "";
    public DateOnly ReceivedOn { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
}

/// <summary>One department and kind's counts of a day: open assignments by light, of the red ones seriously overdue,
/// and paused.</summary>
internal readonly record struct DailyCounts(int Green, int Yellow, int Red, int SeriouslyOverdue, int Paused);

/// <summary>The <c>light_daily</c> table of the trends chart, inside the caller's transaction.</summary>
internal static class DailyLightStore
{
    /// <summary>Writes (over any earlier run of the same day) the counts of the open assignments by department and
    /// kind as <paramref name="day"/>'s, and removes the day's rows of departments and kinds with nothing open any
    /// more; returns the rows written and removed.</summary>
    public static async Task<(int Rows, int Emptied)> RecordAsync(UnitOfWork uow, DateOnly day, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var parameters = new { day, now, yes = true };
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
        return (rows, emptied);
    }

    /// <summary>The days from <paramref name="from"/> on that have any row.</summary>
    public static async Task<HashSet<DateOnly>> RecordedDaysAsync(UnitOfWork uow, DateOnly from, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<DateOnly>(uow.Command(
            "SELECT DISTINCT day FROM light_daily WHERE day >= @from", new { from }, cancellationToken))).ToHashSet();

    /// <summary>The assignments of items received before <paramref name="today"/> that were still open at
    /// <paramref name="from"/> or later.</summary>
    public static async Task<List<CountedAssignment>> AssignmentsOpenSinceAsync(UnitOfWork uow, DateOnly today, DateTimeOffset from, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<CountedAssignment>(uow.Command(
            """
            SELECT a.id AS Id, a.item_id AS ItemId, a.department_id AS DepartmentId, i.kind AS Kind, i.received_on AS ReceivedOn, a.closed_at AS ClosedAt
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE i.received_on < @today AND (a.closed_at IS NULL OR a.closed_at >= @from)
            """, new { today, from }, cancellationToken))).AsList();

    /// <summary>Writes a reconstructed day's row for a department and kind unless the day has one; 1 when written.</summary>
    public static Task<int> AddReconstructedAsync(UnitOfWork uow, DateOnly day, long department, string kind, DailyCounts counts, DateTimeOffset now, CancellationToken cancellationToken) =>
        uow.Connection.ExecuteAsync(uow.Command(
            """
            INSERT INTO light_daily (day, department_id, kind, green, yellow, red, seriously_overdue, paused, recorded_at)
            VALUES (@day, @department, @kind, @green, @yellow, @red, @serious, @paused, @now)
            ON CONFLICT (day, department_id, kind) DO NOTHING
            """,
            new { day, department, kind, green = counts.Green, yellow = counts.Yellow, red = counts.Red, serious = counts.SeriouslyOverdue, paused = counts.Paused, now }, cancellationToken));
}
