using Dapper;
using Npgsql;
using NpgsqlTypes;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
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
    internal const string ItemColumns =
        """
        id AS Id, kind AS KindCode, title AS Title, department_id AS DepartmentId, definition_id AS DefinitionId,
        definition_version AS DefinitionVersion, step AS Step, received_on AS ReceivedOn, light AS LightCode,
        due_on AS DueOn, due_at AS DueAt, paused AS Paused, next_change_at AS NextChangeAt, payload AS Payload,
        seriously_overdue AS SeriouslyOverdue, calendar_version AS CalendarVersion, step_entered_at AS StepEnteredAt,
        step_due_on AS StepDueOn, step_light AS StepLightCode, step_basis AS StepBasis, step_next_change_at AS StepNextChangeAt, result AS Result,
        created_at AS CreatedAt, updated_at AS UpdatedAt, closed_at AS ClosedAt, version AS Version
        """;

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
    internal async Task<SupervisedItem> AddAsync(UnitOfWork uow, SupervisedItem item, string? clockPolicy, HistoryEntry registered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(registered);
        var now = clock.GetUtcNow();
        var parameters = Parameters(item, now);
        parameters.Add("ClockPolicy", clockPolicy);
        var id = await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
            $"""
            INSERT INTO items (kind, title, department_id, definition_id, definition_version, step, received_on, light,
                               due_on, due_at, paused, next_change_at, payload, created_at, updated_at, closed_at, version,
                               seriously_overdue, calendar_version, clock_policy, step_entered_at, step_due_on, step_light, step_basis, step_next_change_at, result)
            VALUES (@Kind, @Title, @DepartmentId, @DefinitionId, @DefinitionVersion, @Step, @ReceivedOn, @Light,
                    @DueOn, @DueAt, @Paused, @NextChangeAt, {database.Dialect.Json("@Payload")}, @now, @now, @ClosedAt, 0,
                    @SeriouslyOverdue, @CalendarVersion, {database.Dialect.Json("@ClockPolicy")}, @StepEnteredAt, @StepDueOn, @StepLight, @StepBasis, @StepNextChangeAt, @Result)
            RETURNING id
            """,
            parameters,
            cancellationToken));
        var version = await AppendAsync(uow, id, registered, cancellationToken);
        return item with { Id = id, Version = version, CreatedAt = now, UpdatedAt = now };
    }

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
    internal async Task<SupervisedItem> SaveAsync(UnitOfWork uow, SupervisedItem updated, HistoryEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(entry);
        var now = updated.NotBefore(clock.GetUtcNow());
        // The new state and the history entry's sequence number in one statement: the version moves with the entry.
        var sequence = await uow.Connection.ExecuteScalarAsync<int?>(uow.Command(
            $"""
            UPDATE items SET title = @Title, department_id = @DepartmentId, step = @Step, light = @Light, due_on = @DueOn,
                             due_at = @DueAt, paused = @Paused, next_change_at = @NextChangeAt,
                             payload = {database.Dialect.Json("@Payload")}, updated_at = @now, closed_at = @ClosedAt,
                             seriously_overdue = @SeriouslyOverdue, calendar_version = @CalendarVersion,
                             step_entered_at = @StepEnteredAt, step_due_on = @StepDueOn, step_light = @StepLight, step_basis = @StepBasis,
                             step_next_change_at = @StepNextChangeAt, result = @Result,
                             version = version + 1
            WHERE id = @Id AND version = @Version
            RETURNING version
            """,
            Parameters(updated, now),
            cancellationToken));
        if (sequence is not { } version)
        {
            var current = await uow.Connection.ExecuteScalarAsync<int?>(uow.Command(
                "SELECT version FROM items WHERE id = @Id", new { updated.Id }, cancellationToken));
            throw current is null
                ? new KeyNotFoundException($"Item {updated.Id} does not exist.")
                : new ConcurrencyException(
                    $"Item {updated.Id} was changed by someone else (version {current}, you had {updated.Version}); reload it and try again.");
        }

        await WriteEntryAsync(uow, updated.Id, version, entry, cancellationToken);
        return updated with { Version = version, UpdatedAt = now };
    }

    /// <summary>Stores the step limits' states of several items (the light transitions' batches; an action stores
    /// them with the item), or of several <paramref name="assignments"/>. Not a change of the item's version: the
    /// history entry that records a turned light is.</summary>
    internal static async Task UpdateStepStatesAsync(UnitOfWork uow, IReadOnlyList<(long Id, StepState State)> states, CancellationToken cancellationToken, bool assignments = false)
    {
        if (states.Count == 0)
        {
            return;
        }

        // The same columns on items and on assignments.
        await uow.Connection.ExecuteAsync(uow.Command(
            $"UPDATE {(assignments ? "assignments" : "items")} SET step_light = @Light, step_due_on = @DueOn, step_next_change_at = @NextChangeAt, step_basis = @Basis WHERE id = @Id",
            states.Select(s => new { s.Id, Light = s.State.Light?.Code(), s.State.DueOn, s.State.NextChangeAt, s.State.Basis }),
            cancellationToken));
    }

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
        var row = await connection.QuerySingleOrDefaultAsync<ItemRow>(new CommandDefinition(
            $"SELECT {ItemColumns} FROM items WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToItem();
    }

    /// <summary>The item with this id inside a caller's transaction, locked for update on PostgreSQL; or null.</summary>
    internal async Task<SupervisedItem?> GetForUpdateAsync(UnitOfWork uow, long id, CancellationToken cancellationToken)
    {
        var row = await uow.Connection.QuerySingleOrDefaultAsync<ItemRow>(uow.Command(
            $"SELECT {ItemColumns} FROM items WHERE id = @id{database.Dialect.ForUpdate}", new { id }, cancellationToken));
        return row?.ToItem();
    }

    /// <summary>Several items at once, by id, inside a caller's transaction (which holds their locks).</summary>
    internal async Task<Dictionary<long, SupervisedItem>> GetManyAsync(UnitOfWork uow, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, SupervisedItem>();
        foreach (var chunk in ids.Chunk(1000))
        {
            foreach (var row in await uow.Connection.QueryAsync<ItemRow>(uow.Command($"SELECT {ItemColumns} FROM items WHERE {database.Dialect.InList("id", "@chunk")}", new { chunk }, cancellationToken)))
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

        if (uow.Connection is not NpgsqlConnection postgres)
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

            return;
        }

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

    /// <summary>Open items with a clock, by id after <paramref name="afterId"/>, for set-based recomputation.</summary>
    internal static async Task<IReadOnlyList<SupervisedItem>> OpenClockedItemsAsync(UnitOfWork uow, long afterId, int limit, DateOnly? changedFrom, DateOnly? changedTo, CancellationToken cancellationToken)
    {
        // Only items whose counting window can touch a changed date: started before the last changed date, and due
        // on or after the first (paused items and hour limits are always looked at).
        // Tasks are always looked at: their item-level due day is the earliest of their assignments'.
        var window = changedFrom is null ? string.Empty : " AND received_on < @changedTo AND (kind = 'task' OR paused = @paused OR due_on IS NULL OR due_on >= @changedFrom)";
        var rows = await uow.Connection.QueryAsync<ItemRow>(uow.Command(
            $"SELECT {ItemColumns} FROM items WHERE closed_at IS NULL AND clock_policy IS NOT NULL AND id > @afterId{window} ORDER BY id LIMIT @limit",
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

    /// <summary>The item's history entries about extensions (asked for, approved, rejected, or extended by a lead),
    /// oldest first: what <see cref="WorkflowEngine.PendingExtensions"/> reads.</summary>
    internal static async Task<IReadOnlyList<HistoryEntry>> ExtensionHistoryAsync(UnitOfWork uow, long itemId, CancellationToken cancellationToken)
    {
        var rows = await uow.Connection.QueryAsync<HistoryRow>(uow.Command(
            """
            SELECT item_id AS ItemId, seq AS Sequence, at AS At, actor AS Actor, action AS Action, detail AS Detail
            FROM item_history WHERE item_id = @itemId AND action IN (@requested, @approved, @rejected, 'extend') ORDER BY seq
            """,
            new { itemId, requested = WorkflowEngine.ExtensionRequested, approved = WorkflowEngine.ExtensionApproved, rejected = WorkflowEngine.ExtensionRejected },
            cancellationToken));
        return rows.Select(r => r.ToEntry()).ToList();
    }

    // Bumping the version takes the item's row lock (PostgreSQL) or runs under the write lock (SQLite), so the
    // sequence number it returns is this writer's alone.
    internal async Task<int> AppendAsync(UnitOfWork uow, long itemId, HistoryEntry entry, CancellationToken cancellationToken)
    {
        var sequence = await uow.Connection.ExecuteScalarAsync<int?>(uow.Command(
            "UPDATE items SET version = version + 1 WHERE id = @itemId RETURNING version", new { itemId }, cancellationToken))
            ?? throw new KeyNotFoundException($"Item {itemId} does not exist.");
        await WriteEntryAsync(uow, itemId, sequence, entry, cancellationToken);
        return sequence;
    }

    // The entry numbered <paramref name="sequence"/>, chained to the one before it; the caller holds the item's row
    // lock and moved its version to that number.
    private async Task WriteEntryAsync(UnitOfWork uow, long itemId, int sequence, HistoryEntry entry, CancellationToken cancellationToken)
    {
        var previous = sequence == 1 ? null : await uow.Connection.ExecuteScalarAsync<string?>(uow.Command(
            "SELECT hash FROM item_history WHERE item_id = @itemId AND seq = @prior", new { itemId, prior = sequence - 1 }, cancellationToken));
        var at = HistoryChain.ToStoredPrecision(entry.At);
        var fromLight = entry.FromLight?.Code();
        var toLight = entry.ToLight?.Code();
        var hash = HistoryChain.Hash(previous, itemId, sequence, at, entry.Actor, entry.Action, entry.FromStep, entry.ToStep, fromLight, toLight, entry.Detail);
        await uow.Connection.ExecuteAsync(uow.Command(
            $"""
            INSERT INTO item_history (item_id, seq, at, actor, action, from_step, to_step, from_light, to_light, detail, prev_hash, hash)
            VALUES (@itemId, @sequence, @at, @Actor, @Action, @FromStep, @ToStep, @fromLight, @toLight, {database.Dialect.Json("@Detail")}, @previous, @hash)
            """,
            new { itemId, sequence, at, entry.Actor, entry.Action, entry.FromStep, entry.ToStep, fromLight, toLight, entry.Detail, previous, hash },
            cancellationToken));
    }

    private static DynamicParameters Parameters(SupervisedItem item, DateTimeOffset now)
    {
        var p = new DynamicParameters();
        p.Add("Id", item.Id);
        p.Add("Version", item.Version);
        p.Add("Kind", item.Kind.Code());
        p.Add("Title", item.Title);
        p.Add("DepartmentId", item.DepartmentId);
        p.Add("DefinitionId", item.DefinitionId);
        p.Add("DefinitionVersion", item.DefinitionVersion);
        p.Add("Step", item.Step);
        p.Add("ReceivedOn", item.ReceivedOn);
        p.Add("Light", item.Light.Code());
        p.Add("DueOn", item.DueOn);
        p.Add("DueAt", item.DueAt);
        p.Add("Paused", item.Paused);
        p.Add("NextChangeAt", item.NextChangeAt);
        p.Add("Payload", item.Payload);
        p.Add("ClosedAt", item.ClosedAt);
        p.Add("SeriouslyOverdue", item.SeriouslyOverdue);
        p.Add("CalendarVersion", item.CalendarVersion);
        p.Add("StepEnteredAt", item.StepEnteredAt);
        p.Add("StepDueOn", item.StepDueOn);
        p.Add("StepLight", item.StepLight?.Code());
        p.Add("StepBasis", item.StepBasis);
        p.Add("StepNextChangeAt", item.StepNextChangeAt);
        p.Add("Result", item.Result);
        p.Add("now", now);
        return p;
    }

    // Storage shapes: codes as text, converted to Engine types once, here.
    internal sealed record ItemRow
    {
        public long Id { get; init; }
        public string KindCode { get; init; } = "";
        public string Title { get; init; } = "";
        public long DepartmentId { get; init; }
        public string DefinitionId { get; init; } = "";
        public int DefinitionVersion { get; init; }
        public string Step { get; init; } = "";
        public DateOnly ReceivedOn { get; init; }
        public string LightCode { get; init; } = "";
        public DateOnly? DueOn { get; init; }
        public DateTimeOffset? DueAt { get; init; }
        public bool Paused { get; init; }
        public DateTimeOffset? NextChangeAt { get; init; }
        public string Payload { get; init; } = "{}";
        public bool SeriouslyOverdue { get; init; }
        public int? CalendarVersion { get; init; }
        public DateTimeOffset? StepEnteredAt { get; init; }
        public DateOnly? StepDueOn { get; init; }
        public string? StepLightCode { get; init; }
        public string? StepBasis { get; init; }
        public DateTimeOffset? StepNextChangeAt { get; init; }
        public string? Result { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public DateTimeOffset? ClosedAt { get; init; }
        public int Version { get; init; }

        public SupervisedItem ToItem() => new()
        {
            Id = Id,
            Kind = ItemKinds.Parse(KindCode),
            Title = Title,
            DepartmentId = DepartmentId,
            DefinitionId = DefinitionId,
            DefinitionVersion = DefinitionVersion,
            Step = Step,
            ReceivedOn = ReceivedOn,
            Light = Lights.Parse(LightCode),
            DueOn = DueOn,
            DueAt = DueAt,
            Paused = Paused,
            NextChangeAt = NextChangeAt,
            Payload = Payload,
            SeriouslyOverdue = SeriouslyOverdue,
            CalendarVersion = CalendarVersion,
            StepEnteredAt = StepEnteredAt,
            StepDueOn = StepDueOn,
            StepLight = StepLightCode is null ? null : Lights.Parse(StepLightCode),
            StepBasis = StepBasis,
            StepNextChangeAt = StepNextChangeAt,
            Result = Result,
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
            ClosedAt = ClosedAt,
            Version = Version,
        };
    }
}

/// <summary>What to write for one item in <see cref="ItemStore.SaveSnapshotsAsync"/>: its fresh snapshot to save
/// (null when only history is appended) and its history entries in order (the first belongs to the save).</summary>
internal sealed record ItemWrite(long ItemId, SupervisedItem? Saved, IReadOnlyList<HistoryEntry> Entries);

/// <summary>
/// What <see cref="ItemSearch"/> looks for; null fields do not filter. With <see cref="Departments"/>, the light,
/// seriously-overdue, paused, step, due-day and open conditions apply to those departments' assignments (what the
/// board counts: a task is red for the department whose assignment is red); without, to the item.
/// </summary>
public sealed record ItemFilter(
    Supervision.Engine.Items.ItemKind? Kind = null,
    IReadOnlyCollection<long>? Departments = null,
    Supervision.Engine.Items.Light? Light = null,
    string? Step = null,
    DateOnly? DueBefore = null,
    DateOnly? DueAfter = null,
    string? Text = null,
    bool? Paused = null,
    bool? Open = null,
    bool? SeriouslyOverdue = null,
    Supervision.Engine.Items.Light? StepLight = null);

/// <summary>
/// Finds items by filter within the departments a user may see, newest first, a page at a time. Two ways in, chosen
/// per request from the kept board counts (<see cref="BoardCounts"/>) as statistics: a department filter whose
/// departments own few assignments is answered from those assignments (an index range per department, then the page
/// of item ids); anything broader walks the items newest first, and its total is counted up to
/// <see cref="CountLimit"/> (said as "at least") rather than over hundreds of thousands of rows.
/// </summary>
public sealed class ItemSearch(Database database, BoardCounts boardCounts)
{
    /// <summary>Totals above this are reported as "more than" (the page itself is exact).</summary>
    public const int CountLimit = 10_000;

    /// <summary>Below this many assignments (by the kept counts) a department filter is answered from the assignments.</summary>
    private const long FewAssignments = 50_000;

    public async Task<ItemSearchResult> SearchAsync(ItemFilter filter, IReadOnlyCollection<long>? scope, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await database.OpenAsync(cancellationToken);
        if (filter.Departments is { } departments && string.IsNullOrWhiteSpace(filter.Text) && (scope is null || departments.All(scope.Contains))
            && await AssignmentsOfAsync(connection, departments, filter, cancellationToken) < FewAssignments)
        {
            return await FromAssignmentsAsync(connection, filter, page, pageSize, cancellationToken);
        }

        var where = new List<string>();
        var p = new DynamicParameters();
        if (scope is not null)
        {
            where.Add($"({database.Dialect.InList("department_id", "@scope")} OR EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = items.id AND {database.Dialect.InList("a.department_id", "@scope")}))");
            p.Add("scope", scope.ToArray());
        }

        void Add(string clause, string name, object? value)
        {
            where.Add(clause);
            p.Add(name, value);
        }

        if (filter.Kind is { } kind) Add("kind = @kind", "kind", Supervision.Engine.Items.ItemKinds.Code(kind));
        if (filter.Departments is not null)
        {
            // The same conditions, on one assignment of those departments.
            where.Add($"EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = items.id AND {string.Join(" AND ", AssignmentConditions(filter, p, withKind: false))})");
        }
        else
        {
            if (filter.Light is { } light) Add("light = @light", "light", Supervision.Engine.Items.Lights.Code(light));
            if (filter.SeriouslyOverdue is { } serious) Add("seriously_overdue = @serious", "serious", serious);
            if (filter.Step is { } step) Add("step = @step", "step", step);
            if (filter.DueBefore is { } before) Add("due_on <= @dueBefore", "dueBefore", before);
            if (filter.DueAfter is { } after) Add("due_on >= @dueAfter", "dueAfter", after);
            if (filter.Paused is { } paused) Add("paused = @paused", "paused", paused);
            if (filter.Open is { } open) where.Add(open ? "closed_at IS NULL" : "closed_at IS NOT NULL");
            if (filter.StepLight is { } stepLight) Add("step_light = @stepLight", "stepLight", Supervision.Engine.Items.Lights.Code(stepLight));
        }

        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            // Titles and kind-specific fields (applicant, content, plan) as entered; LIKE with escaped wildcards.
            Add(database.Dialect.TextMatch(string.Empty, "@text"), "text", SqlDialect.ContainsPattern(filter.Text));
        }

        var clause = where.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", where);
        p.Add("limit", pageSize);
        p.Add("offset", (page - 1L) * pageSize);   // in 64 bits: page 2147483647 wrapped round to the first page
        p.Add("countLimit", CountLimit + 1);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM (SELECT 1 FROM items {clause} LIMIT @countLimit) counted", p, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<ItemStore.ItemRow>(new CommandDefinition(
            $"SELECT {ItemStore.ItemColumns} FROM items {clause} ORDER BY id DESC LIMIT @limit OFFSET @offset", p, cancellationToken: cancellationToken));
        return new ItemSearchResult(rows.Select(r => r.ToItem()).ToList(), Math.Min(total, CountLimit), total > CountLimit);
    }

    /// <summary>How many assignments the departments own (open ones only when the filter asks for open), by the kept counts.</summary>
    private async Task<long> AssignmentsOfAsync(System.Data.Common.DbConnection connection, IReadOnlyCollection<long> departments, ItemFilter filter, CancellationToken cancellationToken)
    {
        var kind = filter.Kind is { } k ? Supervision.Engine.Items.ItemKinds.Code(k) : null;
        var counts = await boardCounts.ReadAsync(connection, departments, kind, cancellationToken);
        return counts.Sum(c => c.Green + c.Yellow + c.Red + (filter.Open == true ? 0 : c.DoneOnTime + c.DoneLate));
    }

    /// <summary>The page from the departments' assignments: the distinct item ids matching, newest first, then those items.</summary>
    private async Task<ItemSearchResult> FromAssignmentsAsync(System.Data.Common.DbConnection connection, ItemFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        var p = new DynamicParameters();
        var on = string.Join(" AND ", AssignmentConditions(filter, p, withKind: true));
        p.Add("limit", pageSize);
        p.Add("offset", (page - 1L) * pageSize);   // in 64 bits: page 2147483647 wrapped round to the first page
        long total;
        long[] ids;
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            // One pass over the assignments for both the total and the page.
            var (count, page1) = await connection.QuerySingleAsync<(long, long[])>(new CommandDefinition(
                $"""
                WITH hits AS MATERIALIZED (SELECT DISTINCT a.item_id FROM assignments a WHERE {on})
                SELECT (SELECT count(*) FROM hits), ARRAY(SELECT item_id FROM hits ORDER BY item_id DESC LIMIT @limit OFFSET @offset)
                """, p, cancellationToken: cancellationToken));
            (total, ids) = (count, page1);
        }
        else
        {
            total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(DISTINCT a.item_id) FROM assignments a WHERE {on}", p, cancellationToken: cancellationToken));
            ids = (await connection.QueryAsync<long>(new CommandDefinition(
                $"SELECT DISTINCT a.item_id FROM assignments a WHERE {on} ORDER BY a.item_id DESC LIMIT @limit OFFSET @offset", p, cancellationToken: cancellationToken))).ToArray();
        }

        if (ids.Length == 0)
        {
            return new ItemSearchResult([], total, false);
        }

        var rows = await connection.QueryAsync<ItemStore.ItemRow>(new CommandDefinition(
            $"SELECT {ItemStore.ItemColumns} FROM items WHERE {database.Dialect.InList("id", "@ids")} ORDER BY id DESC", new { ids }, cancellationToken: cancellationToken));
        return new ItemSearchResult(rows.Select(r => r.ToItem()).ToList(), total, false);
    }

    /// <summary>The filter's conditions on one assignment (alias <c>a</c>) of its departments, parameters added to <paramref name="p"/>.</summary>
    private List<string> AssignmentConditions(ItemFilter filter, DynamicParameters p, bool withKind)
    {
        var on = new List<string> { database.Dialect.InList("a.department_id", "@departments") };
        p.Add("departments", filter.Departments!.ToArray());
        if (withKind && filter.Kind is { } kind) { on.Add("a.kind = @kind"); p.Add("kind", Supervision.Engine.Items.ItemKinds.Code(kind)); }
        if (filter.Light is { } l) { on.Add("a.light = @light"); p.Add("light", Supervision.Engine.Items.Lights.Code(l)); }
        if (filter.SeriouslyOverdue is { } so) { on.Add("a.seriously_overdue = @serious"); p.Add("serious", so); }
        if (filter.Paused is { } pa) { on.Add("a.paused = @paused"); p.Add("paused", pa); }
        if (filter.Step is { } st) { on.Add("a.step = @step"); p.Add("step", st); }
        if (filter.DueBefore is { } db) { on.Add("a.due_on <= @dueBefore"); p.Add("dueBefore", db); }
        if (filter.DueAfter is { } da) { on.Add("a.due_on >= @dueAfter"); p.Add("dueAfter", da); }
        if (filter.Open is { } op) { on.Add(op ? "a.closed_at IS NULL" : "a.closed_at IS NOT NULL"); }
        if (filter.StepLight is { } sl) { on.Add("a.step_light = @stepLight"); p.Add("stepLight", Supervision.Engine.Items.Lights.Code(sl)); }
        return on;
    }
}

/// <summary>A page of items and how many match in all; when <see cref="TotalIsAtLeast"/>, at least that many.</summary>
public sealed record ItemSearchResult(IReadOnlyList<Supervision.Engine.Items.SupervisedItem> Items, long Total, bool TotalIsAtLeast);
