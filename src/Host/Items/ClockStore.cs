using Dapper;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

/// <summary>Items' clock event logs (append-only) and the clock policy each item runs under.</summary>
public sealed class ClockStore(Database database)
{
    /// <summary>Appends an event to an item's log inside a caller's transaction; returns its sequence number.</summary>
    internal Task<int> AppendAsync(UnitOfWork uow, long itemId, ClockEvent e, CancellationToken cancellationToken) =>
        AppendAsync(uow, itemId, null, e, cancellationToken);

    /// <summary>Appends an event to the clock of an item (<paramref name="assignmentId"/> null) or of one of its assignments.</summary>
    internal async Task<int> AppendAsync(UnitOfWork uow, long itemId, long? assignmentId, ClockEvent e, CancellationToken cancellationToken)
    {
        var sequence = await uow.Connection.ExecuteScalarAsync<int>(uow.Command(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM clock_events WHERE item_id = @itemId", new { itemId }, cancellationToken));
        await uow.Connection.ExecuteAsync(uow.Command(
            $"INSERT INTO clock_events (item_id, seq, at, kind, data, assignment_id) VALUES (@itemId, @sequence, @at, @kind, {database.Dialect.Json("@data")}, @assignmentId)",
            new { itemId, sequence, at = e.At, kind = ClockEventJson.Kind(e), data = ClockEventJson.Data(e), assignmentId },
            cancellationToken));
        return sequence;
    }

    /// <summary>An item's clock: its events in order and its policy (null policy: the item has no clock).</summary>
    public async Task<(IReadOnlyList<ClockEvent> Events, ClockPolicy? Policy)> LoadAsync(long itemId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var policy = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT clock_policy FROM items WHERE id = @itemId", new { itemId }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            "SELECT item_id AS ItemId, seq AS Sequence, at AS At, kind AS Kind, data AS Data FROM clock_events WHERE item_id = @itemId AND assignment_id IS NULL ORDER BY seq",
            new { itemId }, cancellationToken: cancellationToken));
        return (rows.Select(r => r.ToEvent()).ToList(), policy is null ? null : ClockPolicy.FromJson(policy));
    }

    /// <summary>The clocks of several items at once, inside a caller's transaction.</summary>
    internal async Task<Dictionary<long, (List<ClockEvent> Events, ClockPolicy Policy)>> LoadManyAsync(UnitOfWork uow, IReadOnlyCollection<long> itemIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, (List<ClockEvent>, ClockPolicy)>();
        if (itemIds.Count == 0)
        {
            return result;
        }

        // In chunks: SQLite takes a bounded number of parameters in one statement.
        foreach (var ids in itemIds.Chunk(1000))
        {
            var policies = await uow.Connection.QueryAsync<(long Id, string Policy)>(uow.Command(
                $"SELECT id, clock_policy FROM items WHERE {database.Dialect.InList("id", "@ids")} AND clock_policy IS NOT NULL", new { ids }, cancellationToken));
            foreach (var (id, policy) in policies)
            {
                result[id] = ([], ClockPolicy.FromJson(policy));
            }

            var rows = await uow.Connection.QueryAsync<EventRow>(uow.Command(
                $"SELECT item_id AS ItemId, seq AS Sequence, at AS At, kind AS Kind, data AS Data FROM clock_events WHERE {database.Dialect.InList("item_id", "@ids")} AND assignment_id IS NULL ORDER BY item_id, seq",
                new { ids }, cancellationToken));
            foreach (var row in rows)
            {
                if (result.TryGetValue(row.ItemId, out var clock))
                {
                    clock.Item1.Add(row.ToEvent());
                }
            }
        }

        return result;
    }

    /// <summary>The clocks of the assignments of several items at once, by assignment id, inside a caller's transaction.</summary>
    internal async Task<Dictionary<long, List<ClockEvent>>> LoadAssignmentClocksManyAsync(UnitOfWork uow, IReadOnlyCollection<long> itemIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, List<ClockEvent>>();
        foreach (var ids in itemIds.Chunk(1000))
        {
            var rows = await uow.Connection.QueryAsync<EventRow>(uow.Command(
                $"SELECT item_id AS ItemId, assignment_id AS AssignmentId, seq AS Sequence, at AS At, kind AS Kind, data AS Data FROM clock_events WHERE {database.Dialect.InList("item_id", "@ids")} AND assignment_id IS NOT NULL ORDER BY item_id, seq",
                new { ids }, cancellationToken));
            foreach (var row in rows)
            {
                if (!result.TryGetValue(row.AssignmentId!.Value, out var events))
                {
                    result[row.AssignmentId.Value] = events = [];
                }

                events.Add(row.ToEvent());
            }
        }

        return result;
    }

    /// <summary>An item's own clock (empty when it has no clock policy) and its assignments' clocks, by assignment id,
    /// in one query inside a caller's transaction.</summary>
    internal static async Task<(List<ClockEvent> Item, Dictionary<long, List<ClockEvent>> Assignments)> LoadItemClocksAsync(UnitOfWork uow, long itemId, CancellationToken cancellationToken)
    {
        var rows = await uow.Connection.QueryAsync<EventRow>(uow.Command(
            """
            SELECT e.item_id AS ItemId, e.assignment_id AS AssignmentId, e.seq AS Sequence, e.at AS At, e.kind AS Kind, e.data AS Data
            FROM clock_events e
            WHERE e.item_id = @itemId
              AND (e.assignment_id IS NOT NULL OR EXISTS (SELECT 1 FROM items i WHERE i.id = @itemId AND i.clock_policy IS NOT NULL))
            ORDER BY e.seq
            """,
            new { itemId }, cancellationToken));
        var item = new List<ClockEvent>();
        var assignments = new Dictionary<long, List<ClockEvent>>();
        foreach (var row in rows)
        {
            if (row.AssignmentId is not { } assignment)
            {
                item.Add(row.ToEvent());
            }
            else if (assignments.TryGetValue(assignment, out var events))
            {
                events.Add(row.ToEvent());
            }
            else
            {
                assignments[assignment] = [row.ToEvent()];
            }
        }

        return (item, assignments);
    }

    /// <summary>The clocks of an item's assignments, by assignment id, inside a caller's transaction.</summary>
    internal static async Task<Dictionary<long, List<ClockEvent>>> LoadAssignmentClocksAsync(UnitOfWork uow, long itemId, CancellationToken cancellationToken)
    {
        var rows = await uow.Connection.QueryAsync<EventRow>(uow.Command(
            "SELECT item_id AS ItemId, assignment_id AS AssignmentId, seq AS Sequence, at AS At, kind AS Kind, data AS Data FROM clock_events WHERE item_id = @itemId AND assignment_id IS NOT NULL ORDER BY seq",
            new { itemId }, cancellationToken));
        return rows.GroupBy(r => r.AssignmentId!.Value).ToDictionary(g => g.Key, g => g.Select(r => r.ToEvent()).ToList());
    }

    private sealed record EventRow
    {
        public long ItemId { get; init; }
        public long? AssignmentId { get; init; }
        public int Sequence { get; init; }
        public DateTimeOffset At { get; init; }
        public string Kind { get; init; } = "";
        public string Data { get; init; } = "{}";

        public ClockEvent ToEvent() => ClockEventJson.Read(Kind, At, Data);
    }
}
