using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Mediator;
using Supervision.Engine.Calendars;
using Supervision.Host.People;
using Supervision.Host.Platform;

namespace Supervision.Host.Calendars;

/// <summary>One year of the calendar in force as the administration lists it: where it comes from (<c>shipped</c>,
/// <c>stored</c> by whom and when, or <c>provisional</c>), its title, and its days.</summary>
public sealed record AdminCalendarYear(int Year, string Source, bool Provisional, string? StoredBy, DateTimeOffset? StoredAt, string Title, int DaysOff, int MakeUpDays, int WorkingDays);

/// <summary>A change of the calendar and its recomputation (<see cref="Job"/>: the background job's address).</summary>
public sealed record AdminCalendarChange(int Version, int Year, string ChangedBy, DateTimeOffset ChangedAt, int ChangedDates, bool Recomputed, DateTimeOffset? RecomputedAt,
    int ItemsRecomputed, int DueDaysMoved, int LightsChanged, string? Job);

/// <summary>The calendar's years and its recent changes.</summary>
public sealed record AdminCalendars(string Calendar, int Version, IReadOnlyList<AdminCalendarYear> Years, IReadOnlyList<AdminCalendarChange> Changes);

/// <summary>
/// <c>GET /api/admin/calendars</c>: every year from the first the product ships to the year after this one (or the
/// last stored), each with its source, and the calendar's recent changes with their recomputations.
/// <c>POST /api/admin/calendars/{year}/notice</c>: the State Council's notice as text (<c>text/plain</c>): the preview
/// (what <c>calendar notice --json</c> shows, the dates that would change, and how many open items' due days would
/// move, with the first of them); with <c>?apply=true</c> it is stored and the open items are recomputed as a
/// background job (202 with the job), the same as <c>PUT /api/calendars/{year}</c>. Administrators only.
/// </summary>
public static class AdminCalendarsApi
{
    /// <summary>How many of the items whose due day would move the preview names.</summary>
    public const int Examples = 20;

    public static IEndpointRouteBuilder MapAdminCalendars(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/admin/calendars").WithTags("Administration").RequireAuthorization("admin");
        api.MapGet("/", ListAsync);
        // The body is text read by the handler (its type checked there, after authorization; see OpenApiContract).
        api.MapPost("/{year:int}/notice", NoticeAsync)
            .Produces<JsonElement>(StatusCodes.Status200OK)
            .Produces<JsonElement>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return endpoints;
    }

    private static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<AdminCalendars>> ListAsync(CalendarService calendars, CalendarStore store, TimeProvider clock, OfficeTimeZone zone, CancellationToken ct)
    {
        var calendar = await calendars.LoadCurrentAsync(ct);
        var stored = (await store.StoredYearsByWhomAsync(calendar.Name, ct)).ToDictionary(r => (int)r.Year);
        var known = Enumerable.Range(WorkingCalendar.FirstYear, WorkingCalendar.LastYear - WorkingCalendar.FirstYear + 1).Where(y => !calendar.IsProvisional(y)).ToList();
        var thisYear = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone.Zone).Year;
        var first = known.Count > 0 ? known[0] : thisYear;
        var last = Math.Min(WorkingCalendar.LastYear, Math.Max(thisYear + 1, known.Count > 0 ? known[^1] : thisYear));
        var years = Enumerable.Range(first, last - first + 1).Select(y =>
        {
            var found = calendar.YearInForce(y)!;
            var source = stored.TryGetValue(y, out var by) ? "stored" : calendar.IsProvisional(y) ? "provisional" : "shipped";
            return new AdminCalendarYear(y, source, calendar.IsProvisional(y), by?.ChangedBy, by?.ChangedAt, found.Source,
                found.Holidays.SelectMany(h => h.Days()).Distinct().Count(), found.MakeUpDays.Count, calendar.WorkingDaysIn(y));
        }).Reverse().ToList();
        var changes = (await store.RecentChangesAsync(calendar.Name, 20, ct)).Select(c => new AdminCalendarChange(c.Change.Version, c.Change.Year, c.ChangedBy, c.ChangedAt,
            c.Change.ChangedDates, c.Change.RecomputedAt is not null, c.Change.RecomputedAt, c.Change.ItemsRecomputed, c.Change.DueDaysMoved, c.Change.LightsChanged,
            c.Change.JobId is { } job ? $"/api/jobs/{job}" : null)).ToList();
        return TypedResults.Ok(new AdminCalendars(calendar.Name, calendar.Version, years, changes));
    }

    private static async Task<IResult> NoticeAsync(int year, HttpRequest request, HttpContext context, ClaimsPrincipal user, Actors actors, ISender sender, CalendarService calendars,
        IDeadlineRecomputation recomputation, CancellationToken ct, bool apply = false)
    {
        if (request.ContentType is not { } type || !type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return new UnsupportedProblem("Unsupported media type", "Send the notice's text as text/plain (UTF-8 or GB18030).");
        }

        if (request.ContentLength > NoticeFiles.MaxBytes)
        {
            return new TooLargeProblem("Request too large", $"A holiday notice is a page of text (at most {NoticeFiles.MaxBytes / 1024 / 1024} MB).");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length > NoticeFiles.MaxBytes)
        {
            return new TooLargeProblem("Request too large", $"A holiday notice is a page of text (at most {NoticeFiles.MaxBytes / 1024 / 1024} MB).");
        }

        HolidayNotice notice;
        try
        {
            notice = NoticeFiles.Read(buffer.ToArray(), "notice");
        }
        catch (HolidayNoticeException e)
        {
            // Every problem with its line, so the person can find it in what they pasted.
            return new InvalidProblem("Invalid request", "body: the notice cannot be read exactly; nothing was stored:\n" + string.Join("\n", e.Problems.Take(HolidayNoticeException.MaxListed).Select(p => p.ToString())));
        }
        catch (InvalidDataException e)
        {
            return new InvalidProblem("Invalid request", "body: " + e.Message.Replace("notice: ", string.Empty, StringComparison.Ordinal));
        }

        if (notice.Year != year)
        {
            return new InvalidProblem("Invalid request", $"body: the notice is for {notice.Year}, not {year} (the address)");
        }

        if (apply)
        {
            return await Answer.Command(async () =>
            {
                var change = await sender.Send(new StoreCalendarYear(await actors.ForAsync(user, ct), notice.ToCalendarYear(), InBackground: true), ct);
                AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"calendar {year} stored from the notice '{notice.Title}' as version {change.Version}: {change.ChangedDates.Count} dates changed"));
                return CalendarsApi.Stored(year, change);
            });
        }

        var before = await calendars.LoadCurrentAsync(ct);
        var after = before.WithYear(notice.ToCalendarYear());
        var changed = after.DifferencesFrom(before);
        var preview = changed.Count == 0 ? new RecomputePreview(0, 0, []) : await recomputation.PreviewAsync(after, changed.Min(), changed.Max(), Examples, ct);
        var node = JsonSerializer.SerializeToNode(NoticeFiles.Describe(notice), JsonOptions)!.AsObject();
        node["inForce"] = before.IsProvisional(year) ? "provisional" : "notice";
        node["changedDates"] = JsonSerializer.SerializeToNode(changed.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), JsonOptions);
        node["openItems"] = JsonSerializer.SerializeToNode(new
        {
            lookedAt = preview.LookedAt,
            dueDaysMove = preview.DueDaysMove,
            examples = preview.Examples.Select(m => new { itemId = m.ItemId, title = m.Title, dueOn = m.DueOn, newDueOn = m.NewDueOn }),
        }, JsonOptions);
        return TypedResults.Text(node.ToJsonString(JsonOptions), "application/json; charset=utf-8", Encoding.UTF8);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
