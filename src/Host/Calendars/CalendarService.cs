using Supervision.Engine.Calendars;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Calendars;

/// <summary>A change of a calendar year and what it caused: open items recomputed, of which due days moved, and lights
/// that changed colour. <see cref="Job"/>: the background job recomputing the open items (their counts are then the job's result).</summary>
public sealed record CalendarChange(int Version, int Year, IReadOnlyList<DateOnly> ChangedDates, int ItemsRecomputed, int DueDaysMoved = 0, int LightsChanged = 0, JobTicket? Job = null);

/// <summary>A calendar change's recomputation, finished: the open items it changed, of which due days moved, and the
/// lights that changed colour (summed over every batch, however many runs it took).</summary>
public sealed record CalendarRecomputed(int Version, int Year, int ChangedDates, int ItemsRecomputed, int DueDaysMoved, int LightsChanged, DateTimeOffset RecomputedAt);

/// <summary>Where a year of the calendar in force comes from: <c>shipped</c> (the seeds/calendar/ file), <c>stored</c>
/// (entered at run time, by whom and when), or <c>provisional</c> (no notice: reckoned from the law).</summary>
public sealed record CalendarYearSource(int Year, string Kind, string? StoredBy, DateTimeOffset? StoredAt)
{
    /// <summary>Where <paramref name="year"/> of <paramref name="calendar"/> comes from, given the years stored at run
    /// time with by whom and when.</summary>
    public static CalendarYearSource Of(WorkingCalendar calendar, int year, IReadOnlyDictionary<int, (string By, DateTimeOffset At)> stored)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(stored);
        return stored.TryGetValue(year, out var by) ? new CalendarYearSource(year, "stored", by.By, by.At)
            : calendar.IsProvisional(year) ? new CalendarYearSource(year, "provisional", null, null)
            : new CalendarYearSource(year, "shipped", null, null);
    }
}

/// <summary>
/// The working-day calendar in force: the shipped seeds/calendar/ file with the years entered at run time (table
/// <c>calendar_years</c>) on top. Replacing a year is recorded first, then every open item whose counting window
/// touches a changed date is recomputed, in batches that each record how far they came (a second run goes on from
/// there). In the server the recomputation is a background job (<see cref="RecomputeCalendarChange"/>); a change
/// whose recomputation has no job waiting or running (a crash between storing and queueing, a job failed for good) is
/// queued again at the next start, so new holidays always reach stored deadlines. Without a job queue (the command
/// line, tests) it runs in place.
/// </summary>
public sealed class CalendarService(Database database, CalendarStore store, TimeProvider clock, ShippedCalendar shipped, IDeadlineRecomputation recomputer, ILogger<CalendarService> logger,
    IBackgroundJobs? jobs = null, IJobProgress? progress = null)
{
    private volatile WorkingCalendar? _current;

    /// <summary>The calendar in force: the stored years once <see cref="LoadAsync"/> has run, the shipped file before.</summary>
    public WorkingCalendar Current => _current ?? shipped.Calendar;

    /// <summary>Loads the seed file and the stored years; sees to every recomputation a crash interrupted (queued
    /// again when no job has it, run in place without a job queue).</summary>
    public async Task<WorkingCalendar> LoadAsync(CancellationToken cancellationToken)
    {
        var calendar = await ReadAsync(cancellationToken);
        _current = calendar;
        foreach (var change in await store.UnfinishedChangesAsync(calendar.Name, cancellationToken))
        {
            if (jobs is null)
            {
                logger.LogWarning("Calendar {Calendar}: finishing the recomputation of change {Version} interrupted earlier", calendar.Name, change.Version);
                await FinishChangeAsync(change.Version, cancellationToken);
            }
            else if (change.JobId is null || !jobs.IsPending(change.JobId))
            {
                var ticket = await QueueAsync(calendar.Name, change.Version, "system", cancellationToken);
                logger.LogWarning("Calendar {Calendar}: the recomputation of change {Version} had no job waiting or running; queued as job {Job}", calendar.Name, change.Version, ticket.Id);
            }
        }

        return calendar;
    }

    /// <summary>Adds or corrects a year, records it, then recomputes the open items it affects: in place, or with
    /// <paramref name="background"/> (and a job queue) as a background job named in the answer.</summary>
    public async Task<CalendarChange> ReplaceYearAsync(CalendarYear year, string actor, CancellationToken cancellationToken, bool background = false)
    {
        ArgumentNullException.ThrowIfNull(year);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var problems = year.Validate();
        if (problems.Count > 0)
        {
            throw new CalendarFileException($"year {year.Year}", problems);
        }

        string name;
        int version;
        IReadOnlyList<DateOnly> changed;
        await using (var uow = await database.BeginAsync(cancellationToken))
        {
            // One calendar change at a time across instances, each from the calendar as the one before left it.
            await store.LockChangesAsync(uow, cancellationToken);
            var before = await ReadAsync(uow, cancellationToken);
            name = before.Name;
            version = before.Version + 1;
            var after = before.WithYear(year);
            changed = after.DifferencesFrom(before);
            await store.ReplaceYearAsync(uow, name, year.Year, CalendarFile.FormatYear(year), version, changed, clock.GetUtcNow(), actor, cancellationToken);
            await uow.CommitAsync(cancellationToken);
        }

        _current = await ReadAsync(cancellationToken);
        logger.LogInformation("Calendar {Calendar} version {Version}: year {Year} replaced by {Actor}, {Count} dates changed", name, version, year.Year, actor, changed.Count);
        if (changed.Count > 0 && background && jobs is not null)
        {
            var ticket = await QueueAsync(name, version, actor, cancellationToken);
            return new CalendarChange(version, year.Year, changed, 0, Job: ticket);
        }

        if (changed.Count == 0)
        {
            await store.MarkRecomputedAsync(name, version, clock.GetUtcNow(), cancellationToken);
            return new CalendarChange(version, year.Year, changed, 0);
        }

        var done = await FinishChangeAsync(version, cancellationToken);
        return new CalendarChange(version, year.Year, changed, done.ItemsRecomputed, done.DueDaysMoved, done.LightsChanged);
    }

    /// <summary>
    /// Brings the open items in line with change <paramref name="version"/> under the newest calendar, going on from
    /// where an earlier run stopped; a change already finished answers with its record. Safe to run twice, also at
    /// once on two servers (each batch's advance is conditional on the change being unfinished, and an item is
    /// written only where its stored values differ from the recomputed ones).
    /// </summary>
    public async Task<CalendarRecomputed> FinishChangeAsync(int version, CancellationToken cancellationToken)
    {
        var current = await ReadAsync(cancellationToken);
        _current = current;
        var name = current.Name;
        var change = await store.ChangeAsync(name, version, cancellationToken) ?? throw new KeyNotFoundException($"Calendar {name} has no change {version}.");
        if (change.RecomputedAt is null)
        {
            // A change recorded without its window (before migration 0019, or by the upgrade to provisional years)
            // has every open item looked at.
            var run = new RecomputeRun(change.ChangedFrom, change.ChangedTo, change.ResumeAfter, (uow, afterId, batch, ct) => CalendarStore.AdvanceAsync(uow, name, version, afterId, batch, ct));
            await recomputer.RecomputeAsync(current, run, progress ?? new NoJobProgress(), cancellationToken);

            await store.MarkRecomputedAsync(name, version, clock.GetUtcNow(), cancellationToken);
            change = (await store.ChangeAsync(name, version, cancellationToken))!;
        }

        return new CalendarRecomputed(version, change.Year, change.ChangedDates, change.ItemsRecomputed, change.DueDaysMoved, change.LightsChanged, change.RecomputedAt!.Value);
    }

    private async Task<JobTicket> QueueAsync(string name, int version, string actor, CancellationToken cancellationToken)
    {
        var ticket = jobs!.Enqueue(new RecomputeCalendarChange(name, version, actor));
        await store.SetJobAsync(name, version, ticket.Id, cancellationToken);
        return ticket;
    }

    /// <summary>The calendar in force as the database has it now (another instance may have changed it).</summary>
    public async Task<WorkingCalendar> LoadCurrentAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        return Current;
    }

    /// <summary>The first and last day that storing <paramref name="year"/> would change in the calendar in force
    /// (null: it changes nothing).</summary>
    public async Task<(DateOnly First, DateOnly Last)?> ChangedWindowAsync(CalendarYear year, CancellationToken cancellationToken)
    {
        var before = await LoadCurrentAsync(cancellationToken);
        var changed = before.WithYear(year).DifferencesFrom(before);
        return changed.Count == 0 ? null : (changed.Min(), changed.Max());
    }

    /// <summary>Re-reads the stored years when another instance changed them; returns true if the calendar moved on.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        var latest = await ReadAsync(cancellationToken);
        if (_current is { } current && latest.Version == current.Version)
        {
            return false;
        }

        _current = latest;
        return true;
    }

    /// <summary>Reads the shipped calendar with the years stored in <paramref name="database"/> on top.</summary>
    public static async Task<WorkingCalendar> ReadStoredAsync(Database database, ShippedCalendar shipped, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(shipped);
        await using var uow = await database.BeginAsync(cancellationToken);
        var calendar = await ReadAsync(uow, shipped.Calendar, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return calendar;
    }

    private Task<WorkingCalendar> ReadAsync(CancellationToken cancellationToken) => ReadStoredAsync(database, shipped, cancellationToken);

    private Task<WorkingCalendar> ReadAsync(UnitOfWork uow, CancellationToken cancellationToken) => ReadAsync(uow, shipped.Calendar, cancellationToken);

    private static async Task<WorkingCalendar> ReadAsync(UnitOfWork uow, WorkingCalendar seed, CancellationToken cancellationToken)
    {
        var (rows, latest) = await CalendarStore.StoredYearsAsync(uow, seed.Name, cancellationToken);
        var years = seed.LoadedYears.ToDictionary(y => y, y => seed.Year(y)!);
        foreach (var row in rows)
        {
            years[(int)row.Year] = CalendarFile.ParseYear(row.Definition, $"calendar_years {seed.Name} {row.Year}");
        }

        return WorkingCalendar.Create(seed.Name, years.Values, Math.Max(latest ?? 1, seed.Version));
    }
}
