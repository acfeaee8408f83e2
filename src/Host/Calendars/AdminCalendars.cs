using System.Globalization;
using System.Security.Claims;
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
/// move, with the first of them; 202 with a background job whose result it is when the changed window holds more
/// open items than <c>Supervision:Calendar:PreviewInline</c>, default 20,000); with <c>?apply=true</c> it is stored
/// and the open items are recomputed as a background job (202 with the job), the same as
/// <c>PUT /api/calendars/{year}</c>. Administrators only.
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
            .Produces<NoticePreview>(StatusCodes.Status200OK)
            .Produces<JobAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return endpoints;
    }

    private static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<AdminCalendars>> ListAsync(CalendarService calendars, CalendarStore store, TimeProvider clock, OfficeTimeZone zone, CancellationToken ct)
    {
        var calendar = await calendars.LoadCurrentAsync(ct);
        var stored = (await store.StoredYearsByWhomAsync(calendar.Name, ct)).ToDictionary(r => (int)r.Year, r => (r.ChangedBy, r.ChangedAt));
        var known = Enumerable.Range(WorkingCalendar.FirstYear, WorkingCalendar.LastYear - WorkingCalendar.FirstYear + 1).Where(y => !calendar.IsProvisional(y)).ToList();
        var thisYear = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone.Zone).Year;
        var first = known.Count > 0 ? known[0] : thisYear;
        var last = Math.Min(WorkingCalendar.LastYear, Math.Max(thisYear + 1, known.Count > 0 ? known[^1] : thisYear));
        var years = Enumerable.Range(first, last - first + 1).Select(y =>
        {
            var found = calendar.YearInForce(y)!;
            var source = CalendarYearSource.Of(calendar, y, stored);
            return new AdminCalendarYear(y, source.Kind, calendar.IsProvisional(y), source.StoredBy, source.StoredAt, found.Source,
                found.Holidays.SelectMany(h => h.Days()).Distinct().Count(), found.MakeUpDays.Count, calendar.WorkingDaysIn(y));
        }).Reverse().ToList();
        var changes = (await store.RecentChangesAsync(calendar.Name, 20, ct)).Select(c => new AdminCalendarChange(c.Change.Version, c.Change.Year, c.ChangedBy, c.ChangedAt,
            c.Change.ChangedDates, c.Change.RecomputedAt is not null, c.Change.RecomputedAt, c.Change.ItemsRecomputed, c.Change.DueDaysMoved, c.Change.LightsChanged,
            c.Change.JobId is { } job ? $"/api/jobs/{job}" : null)).ToList();
        return TypedResults.Ok(new AdminCalendars(calendar.Name, calendar.Version, years, changes));
    }

    private static async Task<IResult> NoticeAsync(int year, HttpRequest request, HttpContext context, ClaimsPrincipal user, Actors actors, ISender sender, CalendarService calendars,
        IDeadlineRecomputation recomputation, IBackgroundJobs jobs, IConfiguration configuration, CancellationToken ct, bool apply = false)
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

        // A notice whose changed window holds more open items than Supervision:Calendar:PreviewInline (a province's
        // hundreds of thousands) is previewed by a background job: 202 with it; its result is the same preview.
        var work = new PreviewHolidayNotice(year, NoticeFiles.Text(buffer.ToArray(), "notice"), user.Identity!.Name!);
        var window = await calendars.ChangedWindowAsync(notice.ToCalendarYear(), ct);
        if (window is { } w && await recomputation.CountAsync(w.First, w.Last, ct) > configuration.GetValue(PreviewHolidayNoticeHandler.InlineKey, PreviewHolidayNoticeHandler.DefaultInline))
        {
            return jobs.Enqueue(work).Accepted();
        }

        return await Answer.Command(async () => TypedResults.Ok(await sender.Send(work, ct)));
    }

}

/// <summary>What a holiday notice would do: the notice as read (<see cref="NoticeView"/>'s members, as <c>calendar
/// notice --json</c> has them), whether the year in force is provisional or a notice, the dates that would change, and
/// the open items whose due days would move.</summary>
public sealed record NoticePreview(int Year, string Title, string Source, IReadOnlyList<string> Holidays, IReadOnlyList<string> Workdays, IReadOnlyList<NoticeSectionView> Sections,
    string InForce, IReadOnlyList<string> ChangedDates, NoticeMoves OpenItems);

/// <summary>The open items a notice would move: how many lie in its changed window, how many due days move, the first of them.</summary>
public sealed record NoticeMoves(long LookedAt, int DueDaysMove, IReadOnlyList<DueDayMove> Examples);

/// <summary>Previews a holiday notice's text for its year without storing anything (see <see cref="NoticePreview"/>);
/// only for an administrator (checked when it runs, in a job too).</summary>
[BackgroundWork("calendar-preview")]
public sealed record PreviewHolidayNotice(int Year, string Text, string RequestedBy) : IQuery<NoticePreview>, IBackgroundWork;

public sealed class PreviewHolidayNoticeHandler(Actors actors, CalendarService calendars, IDeadlineRecomputation recomputation, IJobProgress progress) : IQueryHandler<PreviewHolidayNotice, NoticePreview>
{
    /// <summary>Up to how many open items in a notice's changed window it is previewed in the request.</summary>
    public const string InlineKey = "Supervision:Calendar:PreviewInline";

    public const int DefaultInline = 20_000;

    public async ValueTask<NoticePreview> Handle(PreviewHolidayNotice query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if ((await actors.ForAsync(query.RequestedBy, cancellationToken)).Role is not Supervision.Engine.Workflows.Role.Admin)
        {
            throw new Supervision.Engine.Workflows.WorkflowRefusedException(Supervision.Engine.Workflows.RefusalKind.Forbidden, $"'{query.RequestedBy}' is not an administrator any more");
        }

        var notice = HolidayNotice.Parse(query.Text);
        var before = await calendars.LoadCurrentAsync(cancellationToken);
        var after = before.WithYear(notice.ToCalendarYear());
        var changed = after.DifferencesFrom(before);
        var moves = changed.Count == 0 ? new RecomputePreview(0, 0, []) : await recomputation.PreviewAsync(after, changed.Min(), changed.Max(), AdminCalendarsApi.Examples, progress, cancellationToken);
        var read = NoticeFiles.Describe(notice);
        return new NoticePreview(read.Year, read.Title, read.Source, read.Holidays, read.Workdays, read.Sections,
            before.IsProvisional(query.Year) ? "provisional" : "notice",
            changed.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList(),
            new NoticeMoves(moves.LookedAt, moves.DueDaysMove, moves.Examples));
    }
}
