using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
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

/// <summary><c>GET /api/board</c>: totals per light and per department (counting assignments, which departments own),
/// and the forecast for the next 1, 3 and 7 working days. Reads the stored lights; computes nothing per item.</summary>
public static class BoardApi
{
    public static IEndpointRouteBuilder MapBoard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/board", GetAsync).WithTags("Board");
        return endpoints;
    }

    private static async Task<Ok<Board>> GetAsync(ClaimsPrincipal user, ItemWorkflows workflows, Database database, DepartmentStore departments, CalendarService calendars, OfficeTimeZone zone, TimeProvider clock, CancellationToken ct,
        string? kind = null, string? step = null, string? text = null, int? dueWithin = null)
    {
        var actor = await workflows.ActorAsync(user.Identity!.Name!, ct);
        var all = await departments.ListAsync(ct);
        var visible = actor.Role == Role.Admin ? all.Select(d => d.Id).ToHashSet() : actor.Scope.ToHashSet();
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
        await using var connection = await database.OpenAsync(ct);
        var counts = (await connection.QueryAsync<CountRow>(new CommandDefinition(
            $"""
            SELECT a.department_id AS DepartmentId, a.light AS Light, a.seriously_overdue AS SeriouslyOverdue, a.paused AS Paused, count(*) AS Count
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE {database.Dialect.InList("a.department_id", "@ids")}{kindFilter}
            GROUP BY a.department_id, a.light, a.seriously_overdue, a.paused
            """,
            new { ids = visible.ToArray(), kind, step, dueUntil, like }, cancellationToken: ct))).AsList();
        var rows = all.Where(d => visible.Contains(d.Id)).Select(d =>
        {
            var mine = counts.Where(c => c.DepartmentId == d.Id).ToList();
            int Sum(Func<CountRow, bool> predicate) => (int)mine.Where(predicate).Sum(c => c.Count);
            var onTime = Sum(c => c.Light == "done-on-time");
            var late = Sum(c => c.Light == "done-late");
            return new BoardRow(d.Id, d.Name, d.ParentId,
                Sum(c => c.Light == "green"), Sum(c => c.Light == "yellow"), Sum(c => c.Light == "red"),
                Sum(c => c.Light == "red" && c.SeriouslyOverdue), Sum(c => c.Paused && c.Light is "green" or "yellow" or "red"),
                Sum(c => c.Light is "green" or "yellow" or "red"), onTime, late, onTime + late == 0 ? null : Math.Round(100.0 * onTime / (onTime + late), 1));
        }).ToList();
        var totals = new BoardRow(0, "合计", null, rows.Sum(r => r.Green), rows.Sum(r => r.Yellow), rows.Sum(r => r.Red), rows.Sum(r => r.SeriouslyOverdue), rows.Sum(r => r.Paused),
            rows.Sum(r => r.Open), rows.Sum(r => r.DoneOnTime), rows.Sum(r => r.DoneLate),
            rows.Sum(r => r.DoneOnTime) + rows.Sum(r => r.DoneLate) == 0 ? null : Math.Round(100.0 * rows.Sum(r => r.DoneOnTime) / (rows.Sum(r => r.DoneOnTime) + rows.Sum(r => r.DoneLate)), 1));

        // Forecast: a green assignment's next change is its turn to yellow (or red when there is no yellow stage);
        // anything open and not yet red turns red when its due day ends.
        var calendar = calendars.Current;
        var context = new Supervision.Engine.Clocks.ClockContext(calendar, zone.Zone);
        var today = context.DayOf(now);
        var forecast = new List<Forecast>();
        foreach (var days in new[] { 1, 3, 7 })
        {
            var lastDay = calendar.AddWorkingDays(calendar.NextWorkingDayOnOrAfter(today), days - 1);
            var horizon = context.EndOf(lastDay);
            var turn = await connection.QuerySingleAsync<(long Yellow, long Red)>(new CommandDefinition(
                $"""
                SELECT
                  COALESCE(SUM(CASE WHEN a.light = 'green' AND a.next_change_at < @horizon AND (a.due_on IS NULL OR a.due_on > @lastDay) THEN 1 ELSE 0 END), 0),
                  COALESCE(SUM(CASE WHEN a.light IN ('green', 'yellow') AND a.paused = @no AND a.due_on <= @lastDay THEN 1 ELSE 0 END), 0)
                FROM assignments a JOIN items i ON i.id = a.item_id
                WHERE a.closed_at IS NULL AND {database.Dialect.InList("a.department_id", "@ids")}{kindFilter}
                """,
                new { horizon, lastDay, no = false, ids = visible.ToArray(), kind, step, dueUntil, like }, cancellationToken: ct));
            forecast.Add(new Forecast(days, lastDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (int)turn.Yellow, (int)turn.Red));
        }

        return TypedResults.Ok(new Board(now, today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), totals, rows, forecast));
    }

    private sealed record CountRow
    {
        public long DepartmentId { get; init; }
        public string Light { get; init; } = "";
        public bool SeriouslyOverdue { get; init; }
        public bool Paused { get; init; }
        public long Count { get; init; }
    }
}
