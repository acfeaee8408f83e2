using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Calendars;

/// <summary>A stored calendar year: by whom and when it was last changed.</summary>
internal sealed record StoredYear
{
    public long Year { get; init; }

    public string ChangedBy { get; init; } = string.Empty;

    public DateTimeOffset ChangedAt { get; init; }
}

/// <summary>A change of the calendar as its recomputation sees it: the window of changed dates, where a resumed run
/// goes on from, the counts so far, whether it is done, and the job that owns it.</summary>
internal sealed record ChangeRow
{
    public int Version { get; init; }

    public int Year { get; init; }

    public int ChangedDates { get; init; }

    public DateOnly? ChangedFrom { get; init; }

    public DateOnly? ChangedTo { get; init; }

    public long ResumeAfter { get; init; }

    public int ItemsRecomputed { get; init; }

    public int DueDaysMoved { get; init; }

    public int LightsChanged { get; init; }

    public DateTimeOffset? RecomputedAt { get; init; }

    public string? JobId { get; init; }
}

/// <summary>The calendar years entered at run time (<c>calendar_years</c>) and the record of each change
/// (<c>calendar_changes</c>), with whether the open items were recomputed after it.</summary>
public sealed class CalendarStore(Database database)
{
    // 'SUPV' 'CALD': one calendar change at a time across instances.
    private const long ChangeLockKey = 0x5355_5056_4341_4C44L;

    /// <summary>The stored years of a calendar, by year, and the latest change's version (null: never changed).</summary>
    internal static async Task<(IEnumerable<(long Year, string Definition, long Version)> Years, int? LatestVersion)> StoredYearsAsync(UnitOfWork uow, string calendar, CancellationToken cancellationToken)
    {
        var rows = await uow.Connection.QueryAsync<(long Year, string Definition, long Version)>(uow.Command(
            "SELECT year, definition, version FROM calendar_years WHERE calendar = @name ORDER BY year", new { name = calendar }, cancellationToken));
        var latest = await uow.Connection.ExecuteScalarAsync<int?>(uow.Command(
            "SELECT MAX(version) FROM calendar_changes WHERE calendar = @name", new { name = calendar }, cancellationToken));
        return (rows, latest);
    }

    /// <summary>The calendar's stored years with by whom and when each was last changed.</summary>
    internal async Task<IEnumerable<StoredYear>> StoredYearsByWhomAsync(string calendar, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync<StoredYear>(new CommandDefinition(
            "SELECT year AS Year, changed_by AS ChangedBy, changed_at AS ChangedAt FROM calendar_years WHERE calendar = @name",
            new { name = calendar }, cancellationToken: cancellationToken));
    }

    private const string ChangeColumns =
        "version AS Version, year AS Year, changed_dates AS ChangedDates, changed_from AS ChangedFrom, changed_to AS ChangedTo, resume_after AS ResumeAfter, " +
        "COALESCE(items_recomputed, 0) AS ItemsRecomputed, due_days_moved AS DueDaysMoved, lights_changed AS LightsChanged, recomputed_at AS RecomputedAt, job_id AS JobId";

    /// <summary>The calendar's changes whose recomputation has not finished, in order.</summary>
    internal async Task<List<ChangeRow>> UnfinishedChangesAsync(string calendar, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ChangeRow>(new CommandDefinition(
            $"SELECT {ChangeColumns} FROM calendar_changes WHERE calendar = @name AND recomputed_at IS NULL ORDER BY version",
            new { name = calendar }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>One change of the calendar (null: no such version).</summary>
    internal async Task<ChangeRow?> ChangeAsync(string calendar, int version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ChangeRow>(new CommandDefinition(
            $"SELECT {ChangeColumns} FROM calendar_changes WHERE calendar = @name AND version = @version",
            new { name = calendar, version }, cancellationToken: cancellationToken));
    }

    /// <summary>The calendar's newest changes, newest first, with who made each.</summary>
    internal async Task<IReadOnlyList<(ChangeRow Change, string ChangedBy, DateTimeOffset ChangedAt)>> RecentChangesAsync(string calendar, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ChangeRow, StoredYear, (ChangeRow, string, DateTimeOffset)>(new CommandDefinition(
            $"SELECT {ChangeColumns}, year AS Year, changed_by AS ChangedBy, changed_at AS ChangedAt FROM calendar_changes WHERE calendar = @name ORDER BY version DESC LIMIT @limit",
            new { name = calendar, limit }, cancellationToken: cancellationToken), (change, by) => (change, by.ChangedBy, by.ChangedAt), splitOn: "Year")).AsList();
    }

    /// <summary>Records the job that recomputes after the change.</summary>
    internal async Task SetJobAsync(string calendar, int version, string jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE calendar_changes SET job_id = @jobId WHERE calendar = @name AND version = @version",
            new { name = calendar, version, jobId }, cancellationToken: cancellationToken));
    }

    /// <summary>Inside a batch's transaction: the place reached and the batch's counts, added to the change's.</summary>
    internal static async Task AdvanceAsync(UnitOfWork uow, string calendar, int version, long afterId, RecomputeSummary batch, CancellationToken cancellationToken)
    {
        await uow.Connection.ExecuteAsync(uow.Command(
            """
            UPDATE calendar_changes SET resume_after = @afterId, items_recomputed = COALESCE(items_recomputed, 0) + @Items,
                due_days_moved = due_days_moved + @DueDaysMoved, lights_changed = lights_changed + @LightsChanged
            WHERE calendar = @name AND version = @version AND recomputed_at IS NULL
            """,
            new { name = calendar, version, afterId, batch.Items, batch.DueDaysMoved, batch.LightsChanged }, cancellationToken));
    }

    /// <summary>Makes the caller's transaction the only one changing the calendar until it ends: on PostgreSQL a
    /// transaction-scoped advisory lock; SQLite's write lock, which the transaction holds, already serialises.</summary>
    internal async Task LockChangesAsync(UnitOfWork uow, CancellationToken cancellationToken)
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            await uow.Connection.ExecuteAsync(uow.Command("SELECT pg_advisory_xact_lock(@key)", new { key = ChangeLockKey }, cancellationToken));
        }
    }

    /// <summary>Stores a year's definition (replacing the stored one) and records the change, inside a caller's transaction.</summary>
    internal async Task ReplaceYearAsync(UnitOfWork uow, string calendar, int year, string definition, int version, IReadOnlyList<DateOnly> changedDates, DateTimeOffset now, string actor, CancellationToken cancellationToken)
    {
        await uow.Connection.ExecuteAsync(uow.Command(
            $"""
            INSERT INTO calendar_years (calendar, year, definition, version, changed_at, changed_by)
            VALUES (@name, @Year, {database.Dialect.Json("@definition")}, @version, @now, @actor)
            ON CONFLICT (calendar, year) DO UPDATE SET definition = excluded.definition, version = excluded.version,
                changed_at = excluded.changed_at, changed_by = excluded.changed_by
            """,
            new { name = calendar, Year = year, definition, version, now, actor },
            cancellationToken));
        await uow.Connection.ExecuteAsync(uow.Command(
            """
            INSERT INTO calendar_changes (calendar, version, year, changed_at, changed_by, changed_dates, changed_from, changed_to)
            VALUES (@name, @version, @Year, @now, @actor, @count, @from, @to)
            """,
            new { name = calendar, version, Year = year, now, actor, count = changedDates.Count, from = changedDates.Count > 0 ? changedDates.Min() : (DateOnly?)null, to = changedDates.Count > 0 ? changedDates.Max() : (DateOnly?)null },
            cancellationToken));
    }

    /// <summary>Records that the open items follow the change (its counts are the batches' sums).</summary>
    internal async Task MarkRecomputedAsync(string calendar, int version, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE calendar_changes SET recomputed_at = @now, items_recomputed = COALESCE(items_recomputed, 0) WHERE calendar = @name AND version = @version AND recomputed_at IS NULL",
            new { now, name = calendar, version },
            cancellationToken: cancellationToken));
    }
}
