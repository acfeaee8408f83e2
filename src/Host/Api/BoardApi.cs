using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.Setup;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Api;

/// <summary>One department's row on the board: open assignments by light, and its record of finished ones.</summary>
public sealed record BoardRow(long DepartmentId, string Department, long? ParentId, int Green, int Yellow, int Red, int SeriouslyOverdue, int Paused, int Open, int DoneOnTime, int DoneLate, double? OnTimeRate);

/// <summary>How many open assignments turn yellow or red within the next N working days.</summary>
public sealed record Forecast(int WorkingDays, string Until, int TurnYellow, int TurnRed);

/// <summary>The light board summary for the caller's departments.</summary>
public sealed record Board(DateTimeOffset At, string Today, BoardRow Totals, IReadOnlyList<BoardRow> Departments, IReadOnlyList<Forecast> Forecast);

/// <summary>One office day of the trends chart: the open assignments of the caller's departments by light as last
/// recorded that day (see <c>LightDailySnapshots</c>); all zeros when nothing was open or nothing was recorded.
/// Green, yellow and red include paused assignments; seriously overdue is a part of red, paused a part of all three.</summary>
public sealed record TrendDay(string Day, int Green, int Yellow, int Red, int SeriouslyOverdue, int Paused);

/// <summary>One department's record over the trends window: its assignments closed within the window (office days
/// <c>from</c> to <c>to</c>, whole days) on time and late, and the on-time rate in percent with one decimal (null
/// when none closed).</summary>
public sealed record TrendDepartment(long DepartmentId, string Department, int OnTime, int Late, double? OnTimeRate);

/// <summary>The trends of the light board for the caller's departments: one entry per calendar day from
/// <c>From</c> to <c>To</c> (today, in the office's zone) inclusive, and per department the on-time record over the
/// same days.</summary>
public sealed record Trends(string From, string To, IReadOnlyList<TrendDay> Days, IReadOnlyList<TrendDepartment> Departments);

/// <summary><c>GET /api/board</c>: totals per light and per department (counting assignments, which departments own),
/// and the forecast for the next 1, 3 and 7 working days. Reads the stored lights; computes nothing per item.
/// <c>GET /api/board/trends</c>: the recorded daily counts over the last days and the on-time rate per department.</summary>
public static class BoardApi
{
    // The forecast's horizons, in working days.
    private static readonly int[] Horizons = [1, 3, 7];

    public static IEndpointRouteBuilder MapBoard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/board", GetAsync).WithTags("Board");
        endpoints.MapGet("/api/board/trends", GetTrendsAsync).WithTags("Board");
        return endpoints;
    }

    private static async Task<Ok<Board>> GetAsync(ClaimsPrincipal user, ItemWorkflows workflows, Database database, DepartmentStore departments, CalendarService calendars, OfficeTimeZone zone, TimeProvider clock, CancellationToken ct,
        string? kind = null, string? step = null, string? text = null, int? dueWithin = null)
    {
        var (all, visible) = await VisibleAsync(user, workflows, departments, ct);
        var now = clock.GetUtcNow();
        if (kind is not null && !Supervision.Engine.Items.ItemKinds.TryParse(kind, out _))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"kind: '{kind}' is not request or task");
        }

        if (dueWithin is < 0 or > 366)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "dueWithin: 0 to 366 working days");
        }

        // The same filters as the item list, on the assignments the board counts.
        var dueCalendar = calendars.Current;
        var dueToday = new Supervision.Engine.Clocks.ClockContext(dueCalendar, zone.Zone).DayOf(now);
        DateOnly? dueUntil = dueWithin is { } n ? n == 0 ? dueToday : dueCalendar.AddWorkingDays(dueCalendar.NextWorkingDayOnOrAfter(dueToday), n - 1) : null;
        var like = string.IsNullOrWhiteSpace(text) ? null : SqlDialect.ContainsPattern(text);
        var kindFilter = (kind is null ? string.Empty : " AND i.kind = @kind")
            + (step is null ? string.Empty : " AND a.step = @step")
            + (dueUntil is null ? string.Empty : " AND a.closed_at IS NULL AND a.due_on <= @dueUntil")
            + (like is null ? string.Empty : " AND " + database.Dialect.TextMatch("i.", "@like"));
        // The item is joined only when a filter reads it (kind, text): at a million rows the join is most of the cost.
        var from = kind is null && like is null ? "assignments a" : "assignments a JOIN items i ON i.id = a.item_id";
        await using var connection = await database.OpenAsync(ct);
        var counts = (await connection.QueryAsync<CountRow>(new CommandDefinition(
            $"""
            SELECT a.department_id AS DepartmentId, a.light AS Light, a.seriously_overdue AS SeriouslyOverdue, a.paused AS Paused, count(*) AS Count
            FROM {from}
            WHERE {database.Dialect.InList("a.department_id", "@ids")}{kindFilter}
            GROUP BY a.department_id, a.light, a.seriously_overdue, a.paused
            """,
            new { ids = visible.ToArray(), kind, step, dueUntil, like }, cancellationToken: ct))).AsList();
        var byDepartment = counts.GroupBy(c => c.DepartmentId).ToDictionary(g => g.Key, g => g.ToList());
        var rows = all.Where(d => visible.Contains(d.Id)).Select(d =>
        {
            var mine = byDepartment.GetValueOrDefault(d.Id) ?? [];
            int Sum(Func<CountRow, bool> predicate) => (int)mine.Where(predicate).Sum(c => c.Count);
            var onTime = Sum(c => c.Light == "done-on-time");
            var late = Sum(c => c.Light == "done-late");
            return new BoardRow(d.Id, d.Name, d.ParentId,
                Sum(c => c.Light == "green"), Sum(c => c.Light == "yellow"), Sum(c => c.Light == "red"),
                Sum(c => c.Light == "red" && c.SeriouslyOverdue), Sum(c => c.Paused && c.Light is "green" or "yellow" or "red"),
                Sum(c => c.Light is "green" or "yellow" or "red"), onTime, late, Rate(onTime, late));
        }).ToList();
        var totals = new BoardRow(0, "合计", null, rows.Sum(r => r.Green), rows.Sum(r => r.Yellow), rows.Sum(r => r.Red), rows.Sum(r => r.SeriouslyOverdue), rows.Sum(r => r.Paused),
            rows.Sum(r => r.Open), rows.Sum(r => r.DoneOnTime), rows.Sum(r => r.DoneLate), Rate(rows.Sum(r => r.DoneOnTime), rows.Sum(r => r.DoneLate)));

        // Forecast: a green assignment's next change is its turn to yellow (or red when there is no yellow stage);
        // anything open and not yet red turns red when its due day ends.
        var calendar = calendars.Current;
        var context = new Supervision.Engine.Clocks.ClockContext(calendar, zone.Zone);
        var today = context.DayOf(now);
        // The three horizons in one pass over the open assignments.
        var lastDays = Horizons.Select(days => (Days: days, Last: calendar.AddWorkingDays(calendar.NextWorkingDayOnOrAfter(today), days - 1))).ToList();
        var turns = await connection.QuerySingleAsync<(long Yellow1, long Red1, long Yellow3, long Red3, long Yellow7, long Red7)>(new CommandDefinition(
            $"""
            SELECT
              {string.Join(",\n  ", lastDays.Select((_, i) => $"COALESCE(SUM(CASE WHEN a.light = 'green' AND a.next_change_at < @horizon{i} AND (a.due_on IS NULL OR a.due_on > @last{i}) THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN a.light IN ('green', 'yellow') AND a.paused = @no AND a.due_on <= @last{i} THEN 1 ELSE 0 END), 0)"))}
            FROM {from}
            WHERE a.closed_at IS NULL AND {database.Dialect.InList("a.department_id", "@ids")}{kindFilter}
            """,
            new
            {
                horizon0 = context.EndOf(lastDays[0].Last), last0 = lastDays[0].Last,
                horizon1 = context.EndOf(lastDays[1].Last), last1 = lastDays[1].Last,
                horizon2 = context.EndOf(lastDays[2].Last), last2 = lastDays[2].Last,
                no = false, ids = visible.ToArray(), kind, step, dueUntil, like,
            }, cancellationToken: ct));
        var forecast = new List<Forecast>
        {
            new(1, Text(lastDays[0].Last), (int)turns.Yellow1, (int)turns.Red1),
            new(3, Text(lastDays[1].Last), (int)turns.Yellow3, (int)turns.Red3),
            new(7, Text(lastDays[2].Last), (int)turns.Yellow7, (int)turns.Red7),
        };

        return TypedResults.Ok(new Board(now, Text(today), totals, rows, forecast));
    }

    private static async Task<Ok<Trends>> GetTrendsAsync(ClaimsPrincipal user, ItemWorkflows workflows, Database database, DepartmentStore departments, CalendarService calendars, OfficeTimeZone zone, TimeProvider clock, CancellationToken ct, int days = 28, string? kind = null)
    {
        var (all, visible) = await VisibleAsync(user, workflows, departments, ct);
        if (days is < 1 or > 366)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"days: {days} is not 1 to 366");
        }

        if (kind is not null && !ItemKinds.TryParse(kind, out _))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"kind: '{kind}' is not request or task");
        }

        var context = new Supervision.Engine.Clocks.ClockContext(calendars.Current, zone.Zone);
        var to = context.DayOf(clock.GetUtcNow());
        var from = to.AddDays(1 - days);
        var ids = visible.ToArray();
        await using var connection = await database.OpenAsync(ct);
        var recorded = (await connection.QueryAsync<DailyRow>(new CommandDefinition(
            $"""
            SELECT d.day AS Day, SUM(d.green) AS Green, SUM(d.yellow) AS Yellow, SUM(d.red) AS Red, SUM(d.seriously_overdue) AS SeriouslyOverdue, SUM(d.paused) AS Paused
            FROM light_daily d
            WHERE d.day >= @from AND d.day <= @to AND {database.Dialect.InList("d.department_id", "@ids")}{(kind is null ? string.Empty : " AND d.kind = @kind")}
            GROUP BY d.day
            """,
            new { from, to, ids, kind }, cancellationToken: ct))).ToDictionary(r => r.Day);
        var series = Enumerable.Range(0, days).Select(i => from.AddDays(i)).Select(day => recorded.TryGetValue(day, out var r)
            ? new TrendDay(Text(day), (int)r.Green, (int)r.Yellow, (int)r.Red, (int)r.SeriouslyOverdue, (int)r.Paused)
            : new TrendDay(Text(day), 0, 0, 0, 0, 0)).ToList();

        // Finished within the window: closed from the start of the first day to the end of the last, office time.
        var closed = (await connection.QueryAsync<(long DepartmentId, string Light, long Count)>(new CommandDefinition(
            $"""
            SELECT a.department_id, a.light, count(*)
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE a.closed_at >= @start AND a.closed_at < @end AND {database.Dialect.InList("a.department_id", "@ids")}{(kind is null ? string.Empty : " AND i.kind = @kind")}
            GROUP BY a.department_id, a.light
            """,
            new { start = context.StartOf(from), end = context.EndOf(to), ids, kind }, cancellationToken: ct))).AsList();
        var records = all.Where(d => visible.Contains(d.Id)).Select(d =>
        {
            int Count(string light) => (int)closed.Where(c => c.DepartmentId == d.Id && c.Light == light).Sum(c => c.Count);
            var (onTime, late) = (Count("done-on-time"), Count("done-late"));
            return new TrendDepartment(d.Id, d.Name, onTime, late, Rate(onTime, late));
        }).ToList();
        return TypedResults.Ok(new Trends(Text(from), Text(to), series, records));
    }

    /// <summary>The caller's departments: every one for an admin, otherwise the caller's scope.</summary>
    private static async Task<(IReadOnlyList<Department> All, HashSet<long> Visible)> VisibleAsync(ClaimsPrincipal user, ItemWorkflows workflows, DepartmentStore departments, CancellationToken ct)
    {
        var actor = await workflows.ActorAsync(user.Identity!.Name!, ct);
        var all = await departments.ListAsync(ct);
        return (all, actor.Role == Role.Admin ? all.Select(d => d.Id).ToHashSet() : actor.Scope.ToHashSet());
    }

    /// <summary>The share finished on time, in percent with one decimal; null when nothing finished.</summary>
    private static double? Rate(int onTime, int late) => onTime + late == 0 ? null : Math.Round(100.0 * onTime / (onTime + late), 1);

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private sealed record CountRow
    {
        public long DepartmentId { get; init; }
        public string Light { get; init; } = "";
        public bool SeriouslyOverdue { get; init; }
        public bool Paused { get; init; }
        public long Count { get; init; }
    }

    private sealed record DailyRow
    {
        public DateOnly Day { get; init; }
        public long Green { get; init; }
        public long Yellow { get; init; }
        public long Red { get; init; }
        public long SeriouslyOverdue { get; init; }
        public long Paused { get; init; }
    }
}
