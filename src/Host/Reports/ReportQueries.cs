using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Reports;

/// <summary>An assignment with its item, as the reports read it.</summary>
internal sealed record ReportAssignmentRow
{
    public string Title { get; init; } = "";
    public string Role { get; init; } = "";
    public string Step { get; init; } = "";
    public long AssignmentId { get; init; }
    public long ItemId { get; init; }
    public string Kind { get; init; } = "";
    public string Definition { get; init; } = "";
    public string Payload { get; init; } = "{}";
    public long DepartmentId { get; init; }
    public DateOnly ReceivedOn { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateOnly? DueOn { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public string? Result { get; init; }
    public string Light { get; init; } = "";
    public bool SeriouslyOverdue { get; init; }
    public bool Paused { get; init; }
}

/// <summary>
/// What the reports read: the assignments of a period with their items, the clock events and history entries within
/// it, and the history of items for the ledger. The period queries run inside the caller's transaction, so they see
/// one state of the data.
/// </summary>
public sealed class ReportQueries(Database database)
{
    /// <summary>The assignments of items received by <paramref name="to"/> and not closed before <paramref name="start"/>,
    /// of the given departments or (null) all of them, by id.</summary>
    internal async Task<List<ReportAssignmentRow>> AssignmentsAsync(UnitOfWork uow, DateOnly to, DateTimeOffset start, IReadOnlyCollection<long>? departments, CancellationToken cancellationToken)
    {
        var scope = departments is null ? string.Empty : $" AND {database.Dialect.InList("a.department_id", "@departments")}";
        return (await uow.Connection.QueryAsync<ReportAssignmentRow>(uow.Command(
            $"""
            SELECT a.id AS AssignmentId, a.item_id AS ItemId, i.kind AS Kind, i.definition_id AS Definition, i.payload AS Payload,
                   i.title AS Title, a.role AS Role, a.step AS Step,
                   a.department_id AS DepartmentId, i.received_on AS ReceivedOn, a.created_at AS CreatedAt, a.due_on AS DueOn, a.due_at AS DueAt,
                   a.closed_at AS ClosedAt, a.result AS Result, a.light AS Light, a.seriously_overdue AS SeriouslyOverdue, a.paused AS Paused
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE i.received_on <= @to AND (a.closed_at IS NULL OR a.closed_at >= @start){scope}
            ORDER BY a.id
            """,
            new { to, start, departments = departments?.ToArray() }, cancellationToken))).AsList();
    }

    /// <summary>The extensions, pauses and stops between <paramref name="start"/> and <paramref name="end"/>, their data as JSON text.</summary>
    internal async Task<List<(long ItemId, long? AssignmentId, string Kind, string Data)>> ClockEventsAsync(UnitOfWork uow, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<(long ItemId, long? AssignmentId, string Kind, string Data)>(uow.Command(
            $"""
            SELECT item_id, assignment_id, kind, {AsText("data")} FROM clock_events
            WHERE at >= @start AND at < @end AND kind IN ('extended', 'paused', 'stopped')
            """,
            new { start, end }, cancellationToken))).AsList();

    /// <summary>The returns from review and the completions that returned or corrected late between
    /// <paramref name="start"/> and <paramref name="end"/>, their detail as JSON text.</summary>
    internal async Task<List<(long ItemId, string Detail)>> ReturnsAndLateCorrectionsAsync(UnitOfWork uow, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<(long ItemId, string Detail)>(uow.Command(
            $"""
            SELECT item_id, {AsText("detail")} FROM item_history
            WHERE at >= @start AND at < @end AND (action = 'return'
                OR (action = 'complete' AND ({database.Dialect.JsonText("detail", "outcome")} = 'returned' OR {database.Dialect.JsonText("detail", "late")} IS NOT NULL)))
            """,
            new { start, end }, cancellationToken))).AsList();

    /// <summary>Every history entry of the given items, in order.</summary>
    internal async Task<IReadOnlyList<HistoryRow>> HistoryAsync(IReadOnlyCollection<long> itemIds, CancellationToken cancellationToken)
    {
        var result = new List<HistoryRow>();
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var chunk in itemIds.Order().Chunk(500))
        {
            result.AddRange(await connection.QueryAsync<HistoryRow>(new CommandDefinition(
                $"""
                SELECT item_id AS ItemId, seq AS Sequence, at AS At, actor AS Actor, action AS Action, from_step AS FromStep, to_step AS ToStep,
                       from_light AS FromLight, to_light AS ToLight
                FROM item_history WHERE {database.Dialect.InList("item_id", "@ids")} ORDER BY item_id, seq
                """, new { ids = chunk }, cancellationToken: cancellationToken)));
        }

        return result;
    }

    /// <summary>A JSON column read as its text (PostgreSQL's jsonb is cast; SQLite keeps JSON as text).</summary>
    private string AsText(string column) => database.Provider == DatabaseProvider.PostgreSql ? $"{column}::text" : column;
}
