using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Board;

/// <summary>One department's row on the board: open assignments by light, and its record of finished ones.</summary>
public sealed record BoardRow(long DepartmentId, string Department, long? ParentId, int Green, int Yellow, int Red, int SeriouslyOverdue, int Paused, int Open, int DoneOnTime, int DoneLate, double? OnTimeRate);

/// <summary>How many open assignments turn yellow or red within the next N working days.</summary>
public sealed record Forecast(int WorkingDays, string Until, int TurnYellow, int TurnRed);

/// <summary>The light board summary for the caller's departments. The counts are as of <c>At</c>; the forecast as of
/// <c>ForecastAt</c> (kept until something changes, see <see cref="BoardForecasts"/>).</summary>
/// <remarks><c>ProvisionalYears</c>: the years of the next 90 days whose holiday arrangement is not loaded, so due days
/// falling in them are reckoned from the law for now (the board says so).</remarks>
public sealed record Board(DateTimeOffset At, string Today, BoardRow Totals, IReadOnlyList<BoardRow> Departments, IReadOnlyList<Forecast> Forecast, DateTimeOffset ForecastAt, IReadOnlyList<int> ProvisionalYears);

/// <summary>GET /api/board's filters: the kind, a step, text in the title or fields, due within so many working days.</summary>
public sealed record BoardQuery(string? Kind = null, string? Step = null, string? Text = null, int? DueWithin = null);

/// <summary>GET /api/board/trends: how many office days back, and the kind.</summary>
public sealed record TrendsQuery(int Days = 28, string? Kind = null);

/// <summary>What the board's endpoints read with.</summary>
internal sealed record BoardReaders(
    Actors Actors, Database Database, BoardCounts BoardCounts, BoardQueries Queries, BoardForecasts Forecasts, BoardResponses Responses,
    Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> Json, DepartmentStore Departments, CalendarService Calendars, OfficeTimeZone Zone, TimeProvider Clock);

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
        endpoints.MapGet("/api/board", GetAsync).WithTags("Board").Produces<Board>();
        endpoints.MapGet("/api/board/trends", GetTrendsAsync).WithTags("Board");
        // The kept counts recounted from the assignments, as a background job (202 with its address).
        endpoints.MapPost("/api/board/recount", Accepted<JobAccepted> (ClaimsPrincipal user, IBackgroundJobs jobs) => jobs.Enqueue(new RecountBoard(user.Identity!.Name!)).Accepted())
            .WithTags("Jobs").RequireAuthorization("admin");
        return endpoints;
    }

    private static Task<Results<BoardJson, InvalidProblem>> GetAsync(ClaimsPrincipal user, [AsParameters] BoardQuery query, [AsParameters] BoardReaders readers, CancellationToken ct) =>
        Answer.Read(() => BoardAsync(user, query, readers, ct));

    private static async Task<BoardJson> BoardAsync(ClaimsPrincipal user, BoardQuery query, BoardReaders readers, CancellationToken ct)
    {
        var (kind, step, text, dueWithin) = query;
        var (actors, database, boardCounts, queries, forecasts, responses, json, departments, calendars, zone, clock) = readers;
        var (all, visible) = await VisibleAsync(user, actors, departments, ct);
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
        var context = new Supervision.Engine.Clocks.ClockContext(dueCalendar, zone.Zone);
        var dueToday = context.DayOf(now);
        DateOnly? dueUntil = dueWithin is { } n ? n == 0 ? dueToday : dueCalendar.AddWorkingDays(dueCalendar.NextWorkingDayOnOrAfter(dueToday), n - 1) : null;
        var like = string.IsNullOrWhiteSpace(text) ? null : SqlDialect.ContainsPattern(text);
        // An admin sees every department: no list of a thousand ids to match.
        var everyone = visible.Count == all.Count;
        var filter = new BoardFilter(visible.ToArray(), everyone, kind, step, dueUntil, like);
        await using var connection = await database.OpenAsync(ct);
        IReadOnlyList<DepartmentCounts> counts;
        if (step is null && dueUntil is null && like is null)
        {
            // The usual board: the kept counts (maintained with every change), not a count of the assignments.
            counts = await boardCounts.ReadAsync(connection, everyone ? null : visible, kind, ct);
        }
        else
        {
            counts = await queries.CountsAsync(connection, filter, ct);
        }

        var today = context.DayOf(now);
        var filtered = step is not null || dueUntil is not null || like is not null;
        async Task<IReadOnlyList<Forecast>> ComputeAsync(CancellationToken cancellationToken)
        {
            await using var own = await database.OpenAsync(cancellationToken);
            return await ForecastAsync(own, queries, context, today, filter, cancellationToken);
        }

        // The unfiltered forecast is kept until lights or items change (here or on another instance) or it is
        // Supervision:Board:ForecastMaxAge old; filtered ones are computed for the request.
        var (forecast, forecastAt) = filtered
            ? (await ComputeAsync(ct), now)
            : await forecasts.GetAsync($"{Text(today)}|{kind}|{(everyone ? "*" : string.Join(',', visible.Order()))}", ComputeAsync);
        // Everything but the instant is kept per scope and kind while the counts, the directory and the forecast
        // are the very ones it was written from (each of those is itself kept until it changes).
        var key = filtered ? null : $"{Text(today)}|{kind}|{dueCalendar.Version}|{(everyone ? "*" : string.Join(',', visible.Order()))}";
        if (key is null || !responses.TryGet(key, counts, all, forecast, out var body))
        {
            var byDepartment = counts.ToDictionary(c => c.DepartmentId);
            var rows = all.Where(d => visible.Contains(d.Id)).Select(d =>
            {
                var c = byDepartment.GetValueOrDefault(d.Id) ?? new DepartmentCounts();
                int onTime = (int)c.DoneOnTime, late = (int)c.DoneLate;
                return new BoardRow(d.Id, d.Name, d.ParentId, (int)c.Green, (int)c.Yellow, (int)c.Red, (int)c.SeriouslyOverdue, (int)c.Paused,
                    (int)(c.Green + c.Yellow + c.Red), onTime, late, Rate(onTime, late));
            }).ToList();
            var totals = new BoardRow(0, "合计", null, rows.Sum(r => r.Green), rows.Sum(r => r.Yellow), rows.Sum(r => r.Red), rows.Sum(r => r.SeriouslyOverdue), rows.Sum(r => r.Paused),
                rows.Sum(r => r.Open), rows.Sum(r => r.DoneOnTime), rows.Sum(r => r.DoneLate), Rate(rows.Sum(r => r.DoneOnTime), rows.Sum(r => r.DoneLate)));

            body = JsonSerializer.SerializeToUtf8Bytes(new BoardBody(Text(today), totals, rows, forecast, forecastAt, dueCalendar.ProvisionalYears(today, today.AddDays(90))), json.Value.SerializerOptions);
            if (key is not null)
            {
                responses.Keep(key, counts, all, forecast, body);
            }
        }

        return new BoardJson(now, body, json.Value.SerializerOptions);
    }

    /// <summary>How many open assignments (within the filters) turn yellow or red within each horizon.</summary>
    private static async Task<IReadOnlyList<Forecast>> ForecastAsync(System.Data.Common.DbConnection connection, BoardQueries queries, Supervision.Engine.Clocks.ClockContext context, DateOnly today,
        BoardFilter filter, CancellationToken cancellationToken)
    {
        // Each horizon ends with the last working day it counts.
        var calendar = context.Calendar;
        var lastDays = Horizons.Select(days => (Days: days, Last: calendar.AddWorkingDays(calendar.NextWorkingDayOnOrAfter(today), days - 1))).ToList();
        var turns = await queries.ForecastAsync(connection, filter, lastDays.Select(d => (d.Last, context.EndOf(d.Last))).ToList(), cancellationToken);
        return lastDays.Select((d, i) => new Forecast(d.Days, Text(d.Last), (int)turns[i].TurnYellow, (int)turns[i].TurnRed)).ToList();
    }

    private static Task<Results<Ok<Trends>, InvalidProblem>> GetTrendsAsync(ClaimsPrincipal user, [AsParameters] TrendsQuery query, [AsParameters] BoardReaders readers, CancellationToken ct) =>
        Answer.Read(() => TrendsAsync(user, query, readers, ct));

    private static async Task<Ok<Trends>> TrendsAsync(ClaimsPrincipal user, TrendsQuery query, BoardReaders readers, CancellationToken ct)
    {
        var (days, kind) = query;
        var (actors, database, _, queries, _, _, _, departments, calendars, zone, clock) = readers;
        var (all, visible) = await VisibleAsync(user, actors, departments, ct);
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
        var recorded = await queries.DailyAsync(connection, from, to, ids, kind, ct);
        var series = Enumerable.Range(0, days).Select(i => from.AddDays(i)).Select(day => recorded.TryGetValue(day, out var r)
            ? new TrendDay(Text(day), (int)r.Green, (int)r.Yellow, (int)r.Red, (int)r.SeriouslyOverdue, (int)r.Paused)
            : new TrendDay(Text(day), 0, 0, 0, 0, 0)).ToList();

        // Finished within the window: closed from the start of the first day to the end of the last, office time.
        var closed = await queries.ClosedAsync(connection, context.StartOf(from), context.EndOf(to), ids, kind, ct);
        var records = all.Where(d => visible.Contains(d.Id)).Select(d =>
        {
            int Count(string light) => (int)closed.Where(c => c.DepartmentId == d.Id && c.Light == light).Sum(c => c.Count);
            var (onTime, late) = (Count("done-on-time"), Count("done-late"));
            return new TrendDepartment(d.Id, d.Name, onTime, late, Rate(onTime, late));
        }).ToList();
        return TypedResults.Ok(new Trends(Text(from), Text(to), series, records));
    }

    /// <summary>The caller's departments: every one for an admin, otherwise the caller's scope.</summary>
    private static async Task<(IReadOnlyList<Department> All, HashSet<long> Visible)> VisibleAsync(ClaimsPrincipal user, Actors actors, DepartmentStore departments, CancellationToken ct)
    {
        var all = await departments.ListAsync(ct);
        var actor = await actors.ForAsync(user, all, ct);
        return (all, actor.Role == Role.Admin ? all.Select(d => d.Id).ToHashSet() : actor.Scope.ToHashSet());
    }

    /// <summary>The share finished on time, in percent with one decimal; null when nothing finished.</summary>
    private static double? Rate(int onTime, int late) => onTime + late == 0 ? null : Math.Round(100.0 * onTime / (onTime + late), 1);

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
