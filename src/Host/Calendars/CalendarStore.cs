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

    /// <summary>The versions of the calendar's changes whose recomputation has not finished, in order.</summary>
    internal async Task<List<int>> UnfinishedChangesAsync(string calendar, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<int>(new CommandDefinition(
            "SELECT version FROM calendar_changes WHERE calendar = @name AND recomputed_at IS NULL ORDER BY version",
            new { name = calendar }, cancellationToken: cancellationToken))).AsList();
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
    internal async Task ReplaceYearAsync(UnitOfWork uow, string calendar, int year, string definition, int version, int changedDates, DateTimeOffset now, string actor, CancellationToken cancellationToken)
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
            "INSERT INTO calendar_changes (calendar, version, year, changed_at, changed_by, changed_dates) VALUES (@name, @version, @Year, @now, @actor, @count)",
            new { name = calendar, version, Year = year, now, actor, count = changedDates },
            cancellationToken));
    }

    /// <summary>Records that the open items were recomputed after these changes.</summary>
    internal async Task MarkRecomputedAsync(string calendar, IReadOnlyList<int> versions, int items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE calendar_changes SET recomputed_at = @now, items_recomputed = @items WHERE calendar = @name AND {database.Dialect.InList("version", "@versions")}",
            new { now, items, name = calendar, versions = versions.ToArray() },
            cancellationToken: cancellationToken));
    }
}
