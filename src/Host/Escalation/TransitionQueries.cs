using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Escalation;

/// <summary>
/// The light transitions' reads of the due indexes (<c>next_change_at</c> of items and assignments, and the step and
/// pause limits' <c>step_next_change_at</c>): what is due, taken with row locks, and when the next thing is due.
/// </summary>
internal sealed class TransitionQueries(Database database)
{
    // The provider difference of these reads: PostgreSQL locks the rows it takes and skips those another instance
    // holds, so several instances share a burst; SQLite's one writer already holds the database.
    private readonly string _skipLocked = database.Provider == DatabaseProvider.PostgreSql ? " FOR UPDATE SKIP LOCKED" : string.Empty;
    private readonly SqlDialect _dialect = database.Dialect;

    /// <summary>The earliest stored next change instant of any open item or assignment, or null.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var item = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition("SELECT MIN(next_change_at) FROM items", cancellationToken: cancellationToken));
        var assignment = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition("SELECT MIN(next_change_at) FROM assignments", cancellationToken: cancellationToken));
        var step = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition("SELECT MIN(step_next_change_at) FROM items", cancellationToken: cancellationToken));
        return new[] { item, assignment, step }.Where(d => d is not null).Min();
    }

    /// <summary>Up to <paramref name="batch"/> items due at <paramref name="now"/>, earliest first, locked for the caller's transaction.</summary>
    public async Task<List<long>> TakeDueAsync(UnitOfWork uow, DateTimeOffset now, int batch, CancellationToken cancellationToken)
    {
        // Straight off the due index, locking as it goes: another instance skips these rows and takes the next ones.
        // An item's stored next change is the earliest of its open assignments', so the items' index finds them all;
        // the assignments' index is asked as well (once the items' runs short) in case an item's copy lags behind.
        var ids = (await uow.Connection.QueryAsync<long>(uow.Command(
            $"SELECT id FROM items WHERE next_change_at <= @now ORDER BY next_change_at LIMIT @batch{_skipLocked}",
            new { now, batch }, cancellationToken))).AsList();
        if (ids.Count < batch)
        {
            // Driven by the assignments' due index (never a walk of the items): the earliest due assignments of items
            // not taken above, then their items, locked as above.
            ids.AddRange(await uow.Connection.QueryAsync<long>(uow.Command(
                $"""
                SELECT id FROM items
                WHERE id IN (SELECT a.item_id FROM assignments a
                             WHERE a.next_change_at <= @now AND NOT ({_dialect.InList("a.item_id", "@taken")})
                             ORDER BY a.next_change_at LIMIT @batch)
                ORDER BY id{_skipLocked}
                """,
                new { now, batch = batch - ids.Count, taken = Taken(ids) }, cancellationToken)));
        }

        if (ids.Count < batch)
        {
            // The step and pause limits' own due index (a task's is the earliest of its assignments').
            ids.AddRange(await uow.Connection.QueryAsync<long>(uow.Command(
                $"SELECT id FROM items WHERE step_next_change_at <= @now AND NOT ({_dialect.InList("id", "@taken")}) ORDER BY step_next_change_at LIMIT @batch{_skipLocked}",
                new { now, batch = batch - ids.Count, taken = Taken(ids) }, cancellationToken)));
        }

        return ids;
    }

    /// <summary>The item alone if it is due at <paramref name="at"/>, locked for the caller's transaction.</summary>
    public async Task<List<long>> TakeIfDueAsync(UnitOfWork uow, long itemId, DateTimeOffset at, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<long>(uow.Command(
            $"SELECT id FROM items WHERE id = @itemId AND next_change_at <= @at{_dialect.ForUpdate}", new { itemId, at }, cancellationToken))).AsList();

    // "Not one of these": an empty list is not valid SQL on either provider, and no item has id 0.
    private static long[] Taken(List<long> ids) => ids.Count == 0 ? [0L] : ids.ToArray();
}
