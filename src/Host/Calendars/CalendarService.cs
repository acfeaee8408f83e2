using Supervision.Engine.Calendars;
using Supervision.Host.Storage;

namespace Supervision.Host.Calendars;

/// <summary>A change of a calendar year and what it caused: open items recomputed, of which due days moved, and lights
/// that changed colour.</summary>
public sealed record CalendarChange(int Version, int Year, IReadOnlyList<DateOnly> ChangedDates, int ItemsRecomputed, int DueDaysMoved = 0, int LightsChanged = 0);

/// <summary>Where a year of the calendar in force comes from: <c>shipped</c> (the seeds/calendar/ file), <c>stored</c>
/// (entered at run time, by whom and when), or <c>provisional</c> (no notice: reckoned from the law).</summary>
public sealed record CalendarYearSource(int Year, string Kind, string? StoredBy, DateTimeOffset? StoredAt);

/// <summary>
/// The working-day calendar in force: the shipped seeds/calendar/ file with the years entered at run time (table
/// <c>calendar_years</c>) on top. Replacing a year is recorded first, then every open item whose counting window
/// touches a changed date is recomputed; a change whose recomputation did not finish (a crash) is finished at the
/// next start, so new holidays always reach stored deadlines.
/// </summary>
public sealed class CalendarService(Database database, CalendarStore store, TimeProvider clock, ShippedCalendar shipped, IDeadlineRecomputation recomputer, ILogger<CalendarService> logger)
{
    private volatile WorkingCalendar? _current;

    /// <summary>The calendar in force: the stored years once <see cref="LoadAsync"/> has run, the shipped file before.</summary>
    public WorkingCalendar Current => _current ?? shipped.Calendar;

    /// <summary>Loads the seed file and the stored years; finishes any recomputation a crash interrupted.</summary>
    public async Task<WorkingCalendar> LoadAsync(CancellationToken cancellationToken)
    {
        var calendar = await ReadAsync(cancellationToken);
        _current = calendar;
        var unfinished = await store.UnfinishedChangesAsync(calendar.Name, cancellationToken);
        if (unfinished.Count > 0)
        {
            logger.LogWarning("Calendar {Calendar}: finishing the recomputation of changes {Versions} interrupted earlier", calendar.Name, string.Join(", ", unfinished));
            var count = (await recomputer.RecomputeWithSummaryAsync(calendar, null, cancellationToken)).Items;
            await MarkRecomputedAsync(calendar.Name, unfinished, count, cancellationToken);
        }

        return calendar;
    }

    /// <summary>Adds or corrects a year, records it, then recomputes the open items it affects.</summary>
    public async Task<CalendarChange> ReplaceYearAsync(CalendarYear year, string actor, CancellationToken cancellationToken)
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
            await store.ReplaceYearAsync(uow, name, year.Year, CalendarFile.FormatYear(year), version, changed.Count, clock.GetUtcNow(), actor, cancellationToken);
            await uow.CommitAsync(cancellationToken);
        }

        var current = await ReadAsync(cancellationToken);
        _current = current;
        logger.LogInformation("Calendar {Calendar} version {Version}: year {Year} replaced by {Actor}, {Count} dates changed", name, version, year.Year, actor, changed.Count);
        var recomputed = changed.Count > 0 ? await recomputer.RecomputeWithSummaryAsync(current, changed, cancellationToken) : RecomputeSummary.None;
        await MarkRecomputedAsync(name, [version], recomputed.Items, cancellationToken);
        return new CalendarChange(version, year.Year, changed, recomputed.Items, recomputed.DueDaysMoved, recomputed.LightsChanged);
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

    private Task MarkRecomputedAsync(string name, IReadOnlyList<int> versions, int items, CancellationToken cancellationToken) =>
        store.MarkRecomputedAsync(name, versions, items, clock.GetUtcNow(), cancellationToken);

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
