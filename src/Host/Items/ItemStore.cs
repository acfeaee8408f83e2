using Dapper;
using Npgsql;
using NpgsqlTypes;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Host.Pipeline;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

/// <summary>
/// Supervised items and their append-only history. Every write to an item bumps its <c>version</c> and writes the
/// history entry numbered with the new version in the same transaction, so the history has no gaps and no
/// duplicates however many writers act at once, and a change based on a stale read is refused.
/// </summary>
public sealed class ItemStore(Database database, TimeProvider clock) : IItemOwnership
{
    /// <summary>Registers an item with its first history entry; returns it with its id and version 1.</summary>
    public async Task<SupervisedItem> AddAsync(SupervisedItem item, HistoryEntry registered, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        var added = await AddAsync(uow, item, null, registered, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return added;
    }

    /// <summary>Registers an item inside a caller's transaction, with the clock policy its clock runs under (null:
    /// no clock).</summary>
    internal Task<SupervisedItem> AddAsync(UnitOfWork uow, SupervisedItem item, string? clockPolicy, HistoryEntry registered, CancellationToken cancellationToken) =>
        InstanceStore.InsertItemAsync(uow, item, clockPolicy, registered, clock.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Stores a changed item together with the history entry that explains the change. <paramref name="updated"/>
    /// carries the version it was read at; if the item has moved on since, nothing is written and a
    /// <see cref="ConcurrencyException"/> is thrown.
    /// </summary>
    public async Task<SupervisedItem> SaveAsync(SupervisedItem updated, HistoryEntry entry, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        var saved = await SaveAsync(uow, updated, entry, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return saved;
    }

    /// <summary><see cref="SaveAsync(SupervisedItem, HistoryEntry, CancellationToken)"/> inside a caller's transaction.</summary>
    internal Task<SupervisedItem> SaveAsync(UnitOfWork uow, SupervisedItem updated, HistoryEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        return InstanceStore.UpdateItemAsync(uow, updated, entry, updated.NotBefore(clock.GetUtcNow()), cancellationToken);
    }

    /// <summary>Stores the step limits' states of several items (see <see cref="InstanceStore.UpdateStepStatesAsync"/>).</summary>
    internal static Task UpdateStepStatesAsync(UnitOfWork uow, IReadOnlyList<(long Id, StepState State)> states, CancellationToken cancellationToken) =>
        InstanceStore.UpdateStepStatesAsync(uow, states, assignments: false, cancellationToken);

    /// <summary>Adds a history entry that does not change the item's state (a notice sent, a progress note);
    /// returns its sequence number.</summary>
    public async Task<int> AppendHistoryAsync(long itemId, HistoryEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var uow = await database.BeginAsync(cancellationToken);
        var sequence = await AppendAsync(uow, itemId, entry, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return sequence;
    }

    /// <summary>The one answer for an item that does not exist, or that the caller may not know of.</summary>
    public static string NoSuchItem(long id) => Refusals.NoSuchItem(id);

    /// <summary>The departments an item belongs to (its own and its assignments'), without its state; empty when
    /// there is no such item. What a scope check may read before anything of the item is revealed.</summary>
    /// <summary>Makes every open item's step or pause limit light due for a fresh look at <paramref name="now"/> (after
    /// the calendar changed: the transition batches store what moved and tell of what turned).</summary>
    internal async Task DueStepLightsNowAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE items SET step_next_change_at = @now WHERE closed_at IS NULL AND step_light IS NOT NULL", new { now }, cancellationToken: cancellationToken));
    }

    async Task<IReadOnlyCollection<long>> IItemOwnership.DepartmentsOfAsync(long itemId, CancellationToken cancellationToken) =>
        await DepartmentsOfAsync(itemId, cancellationToken);

    /// <summary>The departments an item belongs to (see <see cref="IItemOwnership"/>).</summary>
    public async Task<IReadOnlyList<long>> DepartmentsOfAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT department_id FROM items WHERE id = @id UNION SELECT department_id FROM assignments WHERE item_id = @id",
            new { id }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The item with this id, or null.</summary>
    public async Task<SupervisedItem?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<InstanceStore.ItemRow>(new CommandDefinition(
            $"SELECT {InstanceStore.ItemColumns} FROM items WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToItem();
    }

    /// <summary>Several items at once, by id, inside a caller's transaction (which holds their locks).</summary>
    internal async Task<Dictionary<long, SupervisedItem>> GetManyAsync(UnitOfWork uow, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, SupervisedItem>();
        foreach (var chunk in ids.Chunk(1000))
        {
            foreach (var row in await uow.Connection.QueryAsync<InstanceStore.ItemRow>(uow.Command($"SELECT {InstanceStore.ItemColumns} FROM items WHERE {database.Dialect.InList("id", "@chunk")}", new { chunk }, cancellationToken)))
            {
                result[row.Id] = row.ToItem();
            }
        }

        return result;
    }

    /// <summary>
    /// Saves fresh deadline snapshots of several items and appends their history entries, in order, on each item's
    /// hash chain, as <see cref="SaveAsync(UnitOfWork, SupervisedItem, HistoryEntry, CancellationToken)"/> and
    /// <see cref="AppendAsync"/> would one by one: on PostgreSQL in a few statements whatever the number of items
    /// (snapshots with their versions, previous hashes, entries), on SQLite one by one. A saved item must still be at the version
    /// it was read at (it is locked by the caller), or nothing is written.
    /// </summary>
    internal async Task SaveSnapshotsAsync(UnitOfWork uow, IReadOnlyList<ItemWrite> writes, CancellationToken cancellationToken)
    {
        writes = writes.Where(w => w.Entries.Count > 0).ToList();
        if (writes.Count == 0)
        {
            return;
        }

        await (uow.Connection is NpgsqlConnection postgres ? SaveAllAtOnceAsync(uow, postgres, writes, cancellationToken) : SaveOneByOneAsync(uow, writes, cancellationToken));
    }

    // SQLite: item by item, as a single save and its appends would.
    private async Task SaveOneByOneAsync(UnitOfWork uow, IReadOnlyList<ItemWrite> writes, CancellationToken cancellationToken)
    {
        foreach (var write in writes)
        {
            var entries = write.Entries.AsEnumerable();
            if (write.Saved is { } saved)
            {
                await SaveAsync(uow, saved, write.Entries[0], cancellationToken);
                entries = entries.Skip(1);
            }

            foreach (var entry in entries)
            {
                await AppendAsync(uow, write.ItemId, entry, cancellationToken);
            }
        }
    }

    // PostgreSQL: a few statements whatever the number of items.
    private async Task SaveAllAtOnceAsync(UnitOfWork uow, NpgsqlConnection postgres, IReadOnlyList<ItemWrite> writes, CancellationToken cancellationToken)
    {
        var transaction = (NpgsqlTransaction)uow.Transaction;
        var now = clock.GetUtcNow().UtcDateTime;
        // Each item's version moves by its number of entries (the entries take the sequence numbers in between), in
        // the same statement that saves its snapshot: one new row version per item.
        var versions = new Dictionary<long, int>();
        var saves = writes.Where(w => w.Saved is not null).ToList();
        if (saves.Count > 0)
        {
            await using var update = new NpgsqlCommand(
                """
                UPDATE items i SET light = v.light, due_on = v.due_on, due_at = v.due_at, paused = v.paused, next_change_at = v.next_change_at,
                       seriously_overdue = v.serious, calendar_version = v.calendar_version, updated_at = GREATEST(i.updated_at, @now), version = i.version + v.n
                FROM unnest(@id, @version, @n, @light, @due_on, @due_at, @paused, @next_change_at, @serious, @calendar_version)
                     AS v(id, version, n, light, due_on, due_at, paused, next_change_at, serious, calendar_version)
                WHERE i.id = v.id AND i.version = v.version
                RETURNING i.id, i.version
                """, postgres, transaction);
            var items = saves.Select(w => w.Saved!).ToList();
            update.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = items.Select(i => i.Id).ToArray() });
            update.Parameters.Add(new NpgsqlParameter("version", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = items.Select(i => i.Version).ToArray() });
            update.Parameters.Add(new NpgsqlParameter("n", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = saves.Select(w => w.Entries.Count).ToArray() });
            update.Parameters.Add(new NpgsqlParameter("light", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = items.Select(i => i.Light.Code()).ToArray() });
            update.Parameters.Add(new NpgsqlParameter("due_on", NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = items.Select(i => i.DueOn).ToArray() });
            update.Parameters.Add(new NpgsqlParameter("due_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = items.Select(i => i.DueAt?.UtcDateTime).ToArray() });
            update.Parameters.Add(new NpgsqlParameter("paused", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = items.Select(i => i.Paused).ToArray() });
            update.Parameters.Add(new NpgsqlParameter("next_change_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = items.Select(i => i.NextChangeAt?.UtcDateTime).ToArray() });
            update.Parameters.Add(new NpgsqlParameter("serious", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = items.Select(i => i.SeriouslyOverdue).ToArray() });
            update.Parameters.Add(new NpgsqlParameter("calendar_version", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = items.Select(i => i.CalendarVersion).ToArray() });
            update.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now });
            await using (var reader = await update.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    versions[reader.GetInt64(0)] = reader.GetInt32(1);
                }
            }

            if (versions.Count != saves.Count)
            {
                throw new ConcurrencyException($"{saves.Count - versions.Count} of {saves.Count} items were changed by someone else while their lights were recomputed.");
            }
        }

        var appends = writes.Where(w => w.Saved is null).ToList();
        if (appends.Count > 0)
        {
            await using var bump = new NpgsqlCommand(
                "UPDATE items i SET version = i.version + v.n FROM unnest(@id, @n) AS v(id, n) WHERE i.id = v.id RETURNING i.id, i.version", postgres, transaction);
            bump.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = appends.Select(w => w.ItemId).ToArray() });
            bump.Parameters.Add(new NpgsqlParameter("n", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = appends.Select(w => w.Entries.Count).ToArray() });
            await using var reader = await bump.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                versions[reader.GetInt64(0)] = reader.GetInt32(1);
            }
        }

        var firsts = writes.ToDictionary(w => w.ItemId, w => versions.TryGetValue(w.ItemId, out var v) ? v - w.Entries.Count + 1 : throw new KeyNotFoundException($"Item {w.ItemId} does not exist."));
        var previous = new Dictionary<long, string>();
        await using (var heads = new NpgsqlCommand(
            "SELECT h.item_id, h.hash FROM item_history h JOIN unnest(@id, @seq) AS v(id, seq) ON h.item_id = v.id AND h.seq = v.seq", postgres, transaction))
        {
            heads.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = firsts.Keys.ToArray() });
            heads.Parameters.Add(new NpgsqlParameter("seq", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = firsts.Values.Select(f => f - 1).ToArray() });
            await using var reader = await heads.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                previous[reader.GetInt64(0)] = reader.GetString(1);
            }
        }

        var rows = new List<(long ItemId, int Sequence, DateTimeOffset At, HistoryEntry Entry, string? Previous, string Hash)>();
        foreach (var write in writes)
        {
            var sequence = firsts[write.ItemId];
            var prior = sequence == 1 ? null : previous.GetValueOrDefault(write.ItemId);
            foreach (var entry in write.Entries)
            {
                var at = HistoryChain.ToStoredPrecision(entry.At);
                var hash = HistoryChain.Hash(prior, write.ItemId, sequence, at, entry.Actor, entry.Action, entry.FromStep, entry.ToStep, entry.FromLight?.Code(), entry.ToLight?.Code(), entry.Detail);
                rows.Add((write.ItemId, sequence, at, entry, prior, hash));
                prior = hash;
                sequence++;
            }
        }

        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO item_history (item_id, seq, at, actor, action, from_step, to_step, from_light, to_light, detail, prev_hash, hash)
            SELECT v.item_id, v.seq, v.at, v.actor, v.action, v.from_step, v.to_step, v.from_light, v.to_light, CAST(v.detail AS jsonb), v.prev_hash, v.hash
            FROM unnest(@item_id, @seq, @at, @actor, @action, @from_step, @to_step, @from_light, @to_light, @detail, @prev_hash, @hash)
                 AS v(item_id, seq, at, actor, action, from_step, to_step, from_light, to_light, detail, prev_hash, hash)
            """, postgres, transaction);
        insert.Parameters.Add(new NpgsqlParameter("item_id", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(r => r.ItemId).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("seq", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = rows.Select(r => r.Sequence).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => r.At.UtcDateTime).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("actor", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Entry.Actor).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("action", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Entry.Action).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("from_step", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Entry.FromStep).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("to_step", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Entry.ToStep).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("from_light", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Entry.FromLight?.Code()).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("to_light", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Entry.ToLight?.Code()).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("detail", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Entry.Detail).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("prev_hash", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Previous).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("hash", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Hash).ToArray() });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    // Only items whose counting window can touch a changed date: started before the last changed date, and due on or
    // after the first (paused items and hour limits are always looked at). Tasks are always looked at: their
    // item-level due day is the earliest of their assignments'.
    private const string ChangedWindow = " AND received_on < @changedTo AND (kind = 'task' OR paused = @paused OR due_on IS NULL OR due_on >= @changedFrom)";

    /// <summary>How many of the items <see cref="OpenClockedItemsAsync"/> walks lie at or before <paramref name="afterId"/>
    /// (already looked at by a resumed run) and how many there are in all.</summary>
    internal static async Task<(long Done, long Total)> CountOpenClockedItemsAsync(Database database, long afterId, DateOnly? changedFrom, DateOnly? changedTo, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var window = changedFrom is null ? string.Empty : ChangedWindow;
        var (done, total) = await connection.QuerySingleAsync<(long?, long)>(new CommandDefinition(
            $"SELECT SUM(CASE WHEN id <= @afterId THEN 1 ELSE 0 END), COUNT(*) FROM items WHERE closed_at IS NULL AND clock_policy IS NOT NULL{window}",
            new { afterId, changedFrom, changedTo, paused = true },
            cancellationToken: cancellationToken));
        return (done ?? 0, total);
    }

    /// <summary>Open items with a clock, by id after <paramref name="afterId"/>, for set-based recomputation.</summary>
    internal static async Task<IReadOnlyList<SupervisedItem>> OpenClockedItemsAsync(UnitOfWork uow, long afterId, int limit, DateOnly? changedFrom, DateOnly? changedTo, CancellationToken cancellationToken)
    {
        var window = changedFrom is null ? string.Empty : ChangedWindow;
        var rows = await uow.Connection.QueryAsync<InstanceStore.ItemRow>(uow.Command(
            $"SELECT {InstanceStore.ItemColumns} FROM items WHERE closed_at IS NULL AND clock_policy IS NOT NULL AND id > @afterId{window} ORDER BY id LIMIT @limit",
            new { afterId, limit, changedFrom, changedTo, paused = true },
            cancellationToken));
        return rows.Select(r => r.ToItem()).ToList();
    }

    /// <summary>The item's history, oldest first.</summary>
    public async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(long itemId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<HistoryRow>(new CommandDefinition(
            """
            SELECT item_id AS ItemId, seq AS Sequence, at AS At, actor AS Actor, action AS Action, from_step AS FromStep,
                   to_step AS ToStep, from_light AS FromLight, to_light AS ToLight, detail AS Detail
            FROM item_history WHERE item_id = @itemId ORDER BY seq
            """,
            new { itemId },
            cancellationToken: cancellationToken));
        return rows.Select(r => r.ToEntry()).ToList();
    }

    internal static Task<int> AppendAsync(UnitOfWork uow, long itemId, HistoryEntry entry, CancellationToken cancellationToken) =>
        InstanceStore.AppendHistoryAsync(uow, itemId, entry, cancellationToken);
}

/// <summary>What to write for one item in <see cref="ItemStore.SaveSnapshotsAsync"/>: its fresh snapshot to save
/// (null when only history is appended) and its history entries in order (the first belongs to the save).</summary>
internal sealed record ItemWrite(long ItemId, SupervisedItem? Saved, IReadOnlyList<HistoryEntry> Entries);
