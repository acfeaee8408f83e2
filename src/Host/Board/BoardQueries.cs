using System.Data.Common;
using Dapper;
using Supervision.Host.Items;
using Supervision.Host.Storage;

namespace Supervision.Host.Board;

/// <summary>The board's filters as its queries bind them: the departments (<paramref name="Everyone"/>: all of them,
/// no list to match), the kind, the step, the last due day and the text pattern (<c>null</c>: no such filter).</summary>
internal sealed record BoardFilter(long[] Ids, bool Everyone, string? Kind, string? Step, DateOnly? DueUntil, string? Like);

/// <summary>One office day of the recorded daily counts, summed over departments.</summary>
internal sealed record DailyCounts
{
    public DateOnly Day { get; init; }
    public long Green { get; init; }
    public long Yellow { get; init; }
    public long Red { get; init; }
    public long SeriouslyOverdue { get; init; }
    public long Paused { get; init; }
}

/// <summary>
/// What the light board reads besides the kept counts: a count of the assignments when a filter is not kept, the
/// assignments turning yellow or red within the forecast's horizons, and for the trends the recorded daily counts and
/// the assignments closed within the window. Each runs on the caller's connection.
/// </summary>
public sealed class BoardQueries(Database database)
{
    /// <summary>The assignments within the filter counted per department, by the same definition as the kept counts.</summary>
    internal async Task<IReadOnlyList<DepartmentCounts>> CountsAsync(DbConnection connection, BoardFilter filter, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<DepartmentCounts>(new CommandDefinition(
            $"""
            SELECT a.department_id AS DepartmentId, {BoardCountsStore.Recount}
            FROM {From(filter)}
            WHERE {DepartmentFilter(filter)}{KindFilter(filter)}
            GROUP BY a.department_id
            """,
            new { ids = filter.Ids, kind = filter.Kind, step = filter.Step, dueUntil = filter.DueUntil, like = filter.Like }, cancellationToken: cancellationToken))).AsList();

    /// <summary>For each of three horizons (the last due day it covers, and the instant it ends), how many open
    /// assignments within the filter turn yellow and how many turn red by then.</summary>
    internal async Task<IReadOnlyList<(long TurnYellow, long TurnRed)>> ForecastAsync(DbConnection connection, BoardFilter filter,
        IReadOnlyList<(DateOnly Last, DateTimeOffset Horizon)> horizons, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(horizons.Count, 3);
        var (from, departmentFilter, kindFilter) = (From(filter), DepartmentFilter(filter), KindFilter(filter));
        var parameters = new DynamicParameters(new { ids = filter.Ids, kind = filter.Kind, step = filter.Step, dueUntil = filter.DueUntil, like = filter.Like });
        for (var i = 0; i < horizons.Count; i++)
        {
            parameters.Add($"last{i}", horizons[i].Last);
            parameters.Add($"horizon{i}", horizons[i].Horizon);
        }

        // A green assignment's next change is its turn to yellow (or red when there is no yellow stage); anything
        // open and not yet red turns red when its due day ends. Each from its partial index (migration 0011), over
        // the next days only: the due days up to the last horizon, and the instants green assignments turn.
        var red = await connection.QuerySingleAsync<(long Red1, long Red3, long Red7)>(new CommandDefinition(
            $"""
            SELECT {string.Join(", ", horizons.Select((_, i) => $"COALESCE(SUM(CASE WHEN a.due_on <= @last{i} THEN 1 ELSE 0 END), 0)"))}
            FROM {from}
            WHERE a.closed_at IS NULL AND {NotPaused} AND a.light IN ('green', 'yellow') AND a.due_on <= @last2 AND {departmentFilter}{kindFilter}
            """, parameters, cancellationToken: cancellationToken));
        var yellow = await connection.QuerySingleAsync<(long Yellow1, long Yellow3, long Yellow7)>(new CommandDefinition(
            $"""
            SELECT {string.Join(", ", horizons.Select((_, i) => $"COALESCE(SUM(CASE WHEN a.next_change_at < @horizon{i} AND (a.due_on IS NULL OR a.due_on > @last{i}) THEN 1 ELSE 0 END), 0)"))}
            FROM {from}
            WHERE a.closed_at IS NULL AND a.light = 'green' AND a.next_change_at < @horizon2 AND {departmentFilter}{kindFilter}
            """, parameters, cancellationToken: cancellationToken));
        return [(yellow.Yellow1, red.Red1), (yellow.Yellow3, red.Red3), (yellow.Yellow7, red.Red7)];
    }

    /// <summary>The recorded daily counts of the departments (of one kind, or both) from <paramref name="from"/> to
    /// <paramref name="to"/>, by day; days with nothing recorded are missing.</summary>
    internal async Task<Dictionary<DateOnly, DailyCounts>> DailyAsync(DbConnection connection, DateOnly from, DateOnly to, long[] ids, string? kind, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<DailyCounts>(new CommandDefinition(
            $"""
            SELECT d.day AS Day, SUM(d.green) AS Green, SUM(d.yellow) AS Yellow, SUM(d.red) AS Red, SUM(d.seriously_overdue) AS SeriouslyOverdue, SUM(d.paused) AS Paused
            FROM light_daily d
            WHERE d.day >= @from AND d.day <= @to AND {database.Dialect.InList("d.department_id", "@ids")}{(kind is null ? string.Empty : " AND d.kind = @kind")}
            GROUP BY d.day
            """,
            new { from, to, ids, kind }, cancellationToken: cancellationToken))).ToDictionary(r => r.Day);

    /// <summary>The departments' assignments (of items of one kind, or both) closed from <paramref name="start"/> until
    /// <paramref name="end"/>, counted per department and final light.</summary>
    internal async Task<List<(long DepartmentId, string Light, long Count)>> ClosedAsync(DbConnection connection, DateTimeOffset start, DateTimeOffset end, long[] ids, string? kind, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<(long DepartmentId, string Light, long Count)>(new CommandDefinition(
            $"""
            SELECT a.department_id, a.light, count(*)
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE a.closed_at >= @start AND a.closed_at < @end AND {database.Dialect.InList("a.department_id", "@ids")}{(kind is null ? string.Empty : " AND i.kind = @kind")}
            GROUP BY a.department_id, a.light
            """,
            new { start, end, ids, kind }, cancellationToken: cancellationToken))).AsList();

    /// <summary>The assignments (alias <c>a</c>), joined with their items (<c>i</c>) only when the text filter reads them.</summary>
    private static string From(BoardFilter filter) => filter.Like is null ? "assignments a" : "assignments a JOIN items i ON i.id = a.item_id";

    /// <summary>The filter's departments: no condition when they are every department.</summary>
    private string DepartmentFilter(BoardFilter filter) => filter.Everyone ? "TRUE" : database.Dialect.InList("a.department_id", "@ids");

    /// <summary>The same filters as the item list, on the assignments the board counts.</summary>
    private string KindFilter(BoardFilter filter) =>
        (filter.Kind is null ? string.Empty : " AND a.kind = @kind")
        + (filter.Step is null ? string.Empty : " AND a.step = @step")
        + (filter.DueUntil is null ? string.Empty : " AND a.closed_at IS NULL AND a.due_on <= @dueUntil")
        + (filter.Like is null ? string.Empty : " AND " + database.Dialect.TextMatch("i.", "@like"));

    /// <summary>Not paused, written as the partial index's predicate says it, so both planners match it with any
    /// parameter values.</summary>
    private string NotPaused => database.Provider == DatabaseProvider.PostgreSql ? "NOT a.paused" : "a.paused = 0";
}
