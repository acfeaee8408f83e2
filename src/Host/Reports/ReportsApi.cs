using System.Globalization;
using System.Security.Claims;
using Mediator;
using Supervision.Engine.Reports;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Platform;

namespace Supervision.Host.Reports;

/// <summary>
/// Reports over a period for the caller's departments: <c>GET /api/reports/departments?from=&amp;to=</c> (statistics per
/// department with scores, per workflow, plan and plan item), the same as <c>.xlsx</c> or <c>.csv</c>
/// (<c>/api/reports/statistics.xlsx</c>, <c>/api/reports/statistics.csv?table=departments|scores|workflows|plans|items</c>),
/// and the ledger (台账) of every assignment with its dates, light and history (<c>/api/reports/ledger.xlsx</c>,
/// <c>.csv</c>); circulations (通报): <c>GET /api/reports/circulations[/{id}]</c>, <c>POST /api/reports/circulations</c>
/// (supervisors: any period, optionally sent) and the printable page <c>GET /circulations/{id}</c>. Days are office days, <c>yyyy-MM-dd</c>; without <c>from</c> the period starts on the 1st of this
/// month, without <c>to</c> it ends today.
/// </summary>
public static class ReportsApi
{
    /// <summary>The body of <c>POST /api/reports/circulations</c>: the period (office days) and whether to send it.</summary>
    public sealed record CirculationRequest(string? From, string? To, bool Send = false);

    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/reports").WithTags("Reports");
        api.MapGet("/departments", (ClaimsPrincipal user, Actors actors, ReportService reports, ReportData data, TimeProvider clock, CancellationToken ct, string? from = null, string? to = null) => Answer.Read(async () =>
        {
            var actor = await actors.ForAsync(user, ct);
            return TypedResults.Ok(await reports.StatisticsAsync(Period(from, to, data, clock), actor.Scope, ct));
        }));
        api.MapGet("/statistics.xlsx", (ClaimsPrincipal user, Actors actors, ReportService reports, ReportData data, TimeProvider clock, CancellationToken ct, string? from = null, string? to = null) => Answer.Read(async () =>
        {
            var actor = await actors.ForAsync(user, ct);
            var period = Period(from, to, data, clock);
            var tables = ReportTables.Statistics(await reports.StatisticsAsync(period, actor.Scope, ct));
            return File(tables, $"统计_{period.From:yyyyMMdd}-{period.To:yyyyMMdd}.xlsx", await TitleAsync(actor, reports, period, "统计", ct));
        })).Produces(StatusCodes.Status200OK, contentType: Xlsx);
        api.MapGet("/statistics.csv", (ClaimsPrincipal user, Actors actors, ReportService reports, ReportData data, TimeProvider clock, CancellationToken ct, string? from = null, string? to = null, string table = "departments") => Answer.Read(async () =>
        {
            var index = Array.IndexOf(["departments", "scores", "workflows", "plans", "items"], table);
            if (index < 0)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, $"table: '{table}' is not departments, scores, workflows, plans or items");
            }

            var actor = await actors.ForAsync(user, ct);
            var period = Period(from, to, data, clock);
            var tables = ReportTables.Statistics(await reports.StatisticsAsync(period, actor.Scope, ct));
            return TypedResults.File(Exports.CsvBytes(tables[index]), "text/csv; charset=utf-8", $"{table}_{period.From:yyyyMMdd}-{period.To:yyyyMMdd}.csv");
        })).Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/ledger.xlsx", (ClaimsPrincipal user, Actors actors, ReportService reports, ReportData data, TimeProvider clock, CancellationToken ct, string? from = null, string? to = null) => Answer.Read(async () =>
        {
            var period = Period(from, to, data, clock);
            var tables = await LedgerAsync(user, actors, reports, data, period, ct);
            return File(tables, $"台账_{period.From:yyyyMMdd}-{period.To:yyyyMMdd}.xlsx", await TitleAsync(await actors.ForAsync(user, ct), reports, period, "台账", ct));
        })).Produces(StatusCodes.Status200OK, contentType: Xlsx);
        api.MapGet("/ledger.csv", (ClaimsPrincipal user, Actors actors, ReportService reports, ReportData data, TimeProvider clock, CancellationToken ct, string? from = null, string? to = null) => Answer.Read(async () =>
        {
            var period = Period(from, to, data, clock);
            var tables = await LedgerAsync(user, actors, reports, data, period, ct);
            return TypedResults.File(Exports.CsvBytes(tables[0]), "text/csv; charset=utf-8", $"ledger_{period.From:yyyyMMdd}-{period.To:yyyyMMdd}.csv");
        })).Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/circulations", (ClaimsPrincipal user, Actors actors, Circulations circulations, DepartmentStore departments, CancellationToken ct, int limit = 50) => Answer.Read(async () =>
        {
            if (limit is < 1 or > 200)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, "limit: 1 to 200");
            }

            var offices = await VisibleOfficesAsync(user, actors, departments, ct);
            return TypedResults.Ok(await circulations.ListAsync(offices, limit, ct));
        }));
        api.MapGet("/circulations/{id:long}", (long id, ClaimsPrincipal user, Actors actors, Circulations circulations, DepartmentStore departments, CancellationToken ct) =>
            Answer.Found(async () => TypedResults.Ok(await VisibleAsync(id, user, actors, circulations, departments, ct))));
        api.MapPost("/circulations", (CirculationRequest body, ClaimsPrincipal user, Actors actors, ISender sender, CancellationToken ct) => Answer.Command(async () =>
        {
            var (circulation, notices) = await sender.Send(new IssueCirculation(await actors.ForAsync(user, ct), body.From, body.To, body.Send), ct);
            return TypedResults.Created($"/api/reports/circulations/{circulation.Id}", new { circulation, notices });
        })).RequireAuthorization("supervisor");
        return endpoints;
    }

    /// <summary><c>GET /circulations/{id}</c>: the circulation as a printable page, for those who may read it.</summary>
    public static IEndpointRouteBuilder MapCirculationPages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/circulations/{id:long}", (long id, HttpContext context, ClaimsPrincipal user, Actors actors, Circulations circulations, DepartmentStore departments, OfficeTimeZone zone, CancellationToken ct) => Answer.Found(async () =>
        {
            var circulation = await VisibleAsync(id, user, actors, circulations, departments, ct);
            context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return TypedResults.Content(CirculationPage.Render(circulation, zone.Zone), "text/html; charset=utf-8");
        })).WithTags("Reports").Produces(StatusCodes.Status200OK, contentType: "text/html");
        return endpoints;
    }

    // Offices whose circulations the caller reads: those in their scope, and the offices above their own department
    // (a circulation is addressed to the departments it covers).
    private static async Task<IReadOnlySet<long>> VisibleOfficesAsync(ClaimsPrincipal user, Actors actors, DepartmentStore departments, CancellationToken ct)
    {
        var actor = await actors.ForAsync(user, ct);
        var all = (await departments.ListAsync(ct)).ToDictionary(d => d.Id);
        var offices = new HashSet<long>(actor.Scope);
        for (long? at = actor.DepartmentId; at is { } id && all.TryGetValue(id, out var d); at = d.ParentId)
        {
            offices.Add(id);
        }

        return offices;
    }

    private static async Task<Circulation> VisibleAsync(long id, ClaimsPrincipal user, Actors actors, Circulations circulations, DepartmentStore departments, CancellationToken ct)
    {
        var circulation = await circulations.GetAsync(id, ct);
        return circulation is not null && (await VisibleOfficesAsync(user, actors, departments, ct)).Contains(circulation.OfficeId)
            ? circulation
            : throw new KeyNotFoundException($"No circulation {id} you may read.");
    }

    /// <summary>The ledger's tables for the caller's departments over the period.</summary>
    public static async Task<IReadOnlyList<ExportTable>> LedgerAsync(ClaimsPrincipal user, Actors actors, ReportService reports, ReportData data, ReportPeriod period, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(actors);
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(data);
        var actor = await actors.ForAsync(user, ct);
        var (records, details) = await data.LoadWithDetailsAsync(period, actor.Scope.ToList(), ct);
        var history = await data.HistoryAsync(records.Select(r => r.ItemId).Distinct().ToList(), ct);
        return ReportTables.Ledger(period, records, details, await reports.DepartmentsAsync(ct), history, data.Context);
    }

    /// <summary>The period the query asks for, named field by field when it is not a period.</summary>
    public static ReportPeriod Period(string? from, string? to, ReportData data, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(clock);
        var today = data.Context.DayOf(clock.GetUtcNow());
        var start = Day(from, "from") ?? new DateOnly(today.Year, today.Month, 1);
        var end = Day(to, "to") ?? today;
        try
        {
            return new ReportPeriod(start, end);
        }
        catch (ArgumentException e)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"to: {e.Message.Split(" (Parameter")[0]}");
        }
    }

    private static DateOnly? Day(string? text, string field) =>
        string.IsNullOrWhiteSpace(text) ? null
        : DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw new WorkflowRefusedException(RefusalKind.Invalid, $"{field}: '{text}' is not a day (yyyy-MM-dd)");

    // What a workbook's sheets are headed with: the caller's office, what it is and the period.
    private static async Task<string> TitleAsync(Supervision.Engine.Workflows.Actor actor, ReportService reports, ReportPeriod period, string what, CancellationToken ct)
    {
        var office = (await reports.DepartmentsAsync(ct)).TryGetValue(actor.DepartmentId, out var found) ? found.Name : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{office}{what}（{period.From:yyyy-MM-dd}至{period.To:yyyy-MM-dd}）");
    }

    private static Microsoft.AspNetCore.Http.HttpResults.FileContentHttpResult File(IReadOnlyList<ExportTable> tables, string name, string title)
    {
        var buffer = new MemoryStream();
        Exports.WriteXlsx(buffer, tables, title);
        return TypedResults.File(buffer.ToArray(), Xlsx, name);
    }
}
