using Dapper;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

/// <summary>Items' clock event logs (append-only) and the clock policy each item runs under.</summary>
public sealed class ClockStore(Database database)
{
    /// <summary>An item's clock: its events in order and its policy (null policy: the item has no clock).</summary>
    public async Task<(IReadOnlyList<ClockEvent> Events, ClockPolicy? Policy)> LoadAsync(long itemId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var policy = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT clock_policy FROM items WHERE id = @itemId", new { itemId }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<InstanceStore.ClockEventRow>(new CommandDefinition(
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

            var rows = await uow.Connection.QueryAsync<InstanceStore.ClockEventRow>(uow.Command(
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
            var rows = await uow.Connection.QueryAsync<InstanceStore.ClockEventRow>(uow.Command(
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

    /// <summary>The clocks of an item's assignments, by assignment id, inside a caller's transaction.</summary>
    internal static async Task<Dictionary<long, List<ClockEvent>>> LoadAssignmentClocksAsync(UnitOfWork uow, long itemId, CancellationToken cancellationToken)
    {
        var rows = await uow.Connection.QueryAsync<InstanceStore.ClockEventRow>(uow.Command(
            "SELECT item_id AS ItemId, assignment_id AS AssignmentId, seq AS Sequence, at AS At, kind AS Kind, data AS Data FROM clock_events WHERE item_id = @itemId AND assignment_id IS NOT NULL ORDER BY seq",
            new { itemId }, cancellationToken));
        return rows.GroupBy(r => r.AssignmentId!.Value).ToDictionary(g => g.Key, g => g.Select(r => r.ToEvent()).ToList());
    }
}
