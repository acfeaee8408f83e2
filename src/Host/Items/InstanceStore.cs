using Dapper;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.People;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Items;

/// <summary>
/// One item as a workflow instance, read and written whole: the item row, its assignments, its clock events and its
/// history chain. An action loads the instance for update (<see cref="ActAsync"/>), the <see cref="WorkflowEngine"/>
/// decides and applies the decision, and this writes the <see cref="AppliedDecision"/> as given, in the running
/// command's transaction. When two people act on the same item at once, the item's version makes exactly one of
/// them win; the other gets a <see cref="ConcurrencyException"/>.
/// <para>The single-row writes of those four tables live here and nowhere else (the static members below);
/// <see cref="ItemStore"/>, <see cref="AssignmentStore"/> and <see cref="ClockStore"/> keep the reads, searches and
/// the batches that touch many items at once.</para>
/// </summary>
public sealed class InstanceStore(
    Database database,
    DepartmentStore departments,
    DefinitionCatalog definitions,
    CalendarService calendars,
    OfficeTimeZone zone,
    TimeProvider clock)
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

    internal const string AssignmentColumns =
        """
        id AS Id, item_id AS ItemId, department_id AS DepartmentId, role AS RoleCode, step AS Step, light AS LightCode, due_on AS DueOn,
        due_at AS DueAt, paused AS Paused, seriously_overdue AS SeriouslyOverdue, next_change_at AS NextChangeAt, result AS Result, closed_at AS ClosedAt,
        step_entered_at AS StepEnteredAt, step_light AS StepLightCode, step_due_on AS StepDueOn, step_next_change_at AS StepNextChangeAt, step_basis AS StepBasis
        """;

    // What an instance's read takes of its clock events and history (for one item or several, by the WHERE that follows).
    private const string ClockEventSelect =
        "SELECT e.item_id AS ItemId, e.assignment_id AS AssignmentId, e.seq AS Sequence, e.at AS At, e.kind AS Kind, e.data AS Data FROM clock_events e";

    // An item's own clock counts only when it has a clock policy (tasks' clocks are their assignments').
    private const string ClockEventKept = "(e.assignment_id IS NOT NULL OR EXISTS (SELECT 1 FROM items i WHERE i.id = e.item_id AND i.clock_policy IS NOT NULL))";

    private const string ExtensionEntrySelect =
        "SELECT item_id AS ItemId, seq AS Sequence, at AS At, actor AS Actor, action AS Action, detail AS Detail FROM item_history";

    // The extension entries (parameters @requested, @approved, @rejected: WorkflowEngine's names for them).
    private const string ExtensionActions = "action IN (@requested, @approved, @rejected, 'extend')";

    /// <summary>Acts on an item inside the running command's transaction: loads it with its clocks, assignments and
    /// pending extensions (locked; refused as stale when <paramref name="expectedVersion"/> is given and the item moved
    /// on), asks <paramref name="decide"/> (the Engine) for the decision, has the Engine apply it and writes the outcome.
    /// The light loop and the departments' boards hear of it once the transaction commits.</summary>
    internal async Task<SupervisedItem> ActAsync(long itemId, int? expectedVersion, Func<WorkflowDefinition, InstanceState, WorkflowContext, DateTimeOffset, Decision> decide, CancellationToken cancellationToken)
    {
        var touched = new HashSet<long>();
        var saved = await ActInAsync(Transactions.Work, itemId, expectedVersion, decide, touched, cancellationToken);
        Transactions.AfterCommit(new ItemsChanged(touched, saved.NextChangeAt));
        return saved;
    }

    /// <summary>Registers inside the running command's transaction (see <see cref="Transactions"/>); the light loop
    /// and the departments' live boards hear of it once the transaction commits.</summary>
    internal async Task<SupervisedItem> RegisterAsync(ItemKind kind, string? definitionId, Actor actor, string title, long departmentId, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        var touched = new HashSet<long>();
        var added = await RegisterInAsync(Transactions.Work, kind, definitionId, actor, title, departmentId, fields, touched, cancellationToken);
        Transactions.AfterCommit(new ItemsChanged(touched, added.NextChangeAt));
        return added;
    }

    /// <summary>Registers inside a caller's transaction (several items at once, all or none); the caller wakes the loops after committing.</summary>
    // touched: filled with the departments the new item belongs to (its own and its assignments').
    internal async Task<SupervisedItem> RegisterInAsync(UnitOfWork uow, ItemKind kind, string? definitionId, Actor actor, string title, long departmentId, IReadOnlyDictionary<string, string> fields,
        HashSet<long>? touched, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(actor);
        var definition = definitions.For(kind, definitionId)
            ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"definition: no {kind.Code()} workflow '{definitionId}'");
        var context = await ContextAsync(uow, cancellationToken);
        var now = clock.GetUtcNow();
        var registration = WorkflowEngine.Register(definition, actor, title, departmentId, fields, now, context);
        touched?.UnionWith([registration.Item.DepartmentId, .. registration.Assignments.Select(a => a.Assignment.DepartmentId)]);
        var added = await InsertItemAsync(uow, registration.Item, definition.Clock.Policy.ToJson(), registration.History, now, cancellationToken);
        if (registration.Start is { } started)
        {
            await AppendClockAsync(uow, added.Id, null, started, cancellationToken);
        }

        foreach (var (assignment, deadline, stepState) in registration.Assignments)
        {
            var id = await InsertAssignmentAsync(uow, added.Id, assignment.DepartmentId, assignment.Role, assignment.Step, deadline, stepState, now, cancellationToken);
            if (assignment.Start is { } begun)
            {
                await AppendClockAsync(uow, added.Id, id, begun, cancellationToken);
            }
        }

        return added;
    }

    /// <summary>Completes a step inside a caller's transaction (see <see cref="RegisterInAsync"/>).</summary>
    internal Task<SupervisedItem> CompleteInAsync(UnitOfWork uow, long itemId, Actor actor, string expectedStep, string outcome, CancellationToken cancellationToken) =>
        ActInAsync(uow, itemId, null, (definition, state, context, now) => WorkflowEngine.Complete(definition, state, actor, expectedStep, outcome, null, new Dictionary<string, string>(), now, context), null, cancellationToken);

    /// <summary>What the actor may do to the item now (see <see cref="WorkflowEngine.Available"/>).</summary>
    public async Task<IReadOnlyList<AvailableAction>> AvailableAsync(SupervisedItem item, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await using var uow = await database.BeginReadAsync(cancellationToken);
        var loaded = await LoadAsync(uow, item.Id, forUpdate: false, cancellationToken);
        var context = Context(await departments.ListAsync(uow, loaded.DirectoryVersion, cancellationToken));
        var (definition, state) = State(loaded with { Item = item }, context);
        return WorkflowEngine.Available(definition, state, actor, item.NotBefore(clock.GetUtcNow()));
    }

    /// <summary>
    /// What each of these items offers <paramref name="actor"/> now, with the item and its assignments as read, in the
    /// order given (items that no longer exist left out): the instances read together in one round trip (a person's own
    /// work looks at up to hundreds of items; one read each made it hundreds of round trips).
    /// </summary>
    public async Task<IReadOnlyList<(SupervisedItem Item, IReadOnlyList<Assignment> Assignments, IReadOnlyList<AvailableAction> Actions)>> AvailableManyAsync(
        IReadOnlyList<long> itemIds, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        if (itemIds.Count == 0)
        {
            return [];
        }

        await using var uow = await database.BeginReadAsync(cancellationToken);
        var (loaded, directoryVersion) = await LoadManyAsync(uow, itemIds, cancellationToken);
        var context = Context(await departments.ListAsync(uow, directoryVersion, cancellationToken));
        var now = clock.GetUtcNow();
        var result = new List<(SupervisedItem, IReadOnlyList<Assignment>, IReadOnlyList<AvailableAction>)>(loaded.Count);
        foreach (var id in itemIds)
        {
            if (loaded.TryGetValue(id, out var one) && one.Item is { } item)
            {
                var (definition, state) = State(one, context);
                result.Add((item, one.Assignments, WorkflowEngine.Available(definition, state, actor, item.NotBefore(now))));
            }
        }

        return result;
    }

    // touched: the departments whose boards the action may change (the item's and its assignments', before and after).
    private async Task<SupervisedItem> ActInAsync(UnitOfWork uow, long itemId, int? expectedVersion, Func<WorkflowDefinition, InstanceState, WorkflowContext, DateTimeOffset, Decision> decide,
        HashSet<long>? touched, CancellationToken cancellationToken)
    {
        var loaded = await LoadAsync(uow, itemId, forUpdate: true, cancellationToken);
        var item = loaded.Item ?? throw new KeyNotFoundException(ItemStore.NoSuchItem(itemId));
        if (expectedVersion is { } v && v != item.Version)
        {
            throw new ConcurrencyException($"Item {itemId} was changed by someone else (version {item.Version}, you had {v}); reload it and try again.");
        }

        var context = Context(await departments.ListAsync(uow, loaded.DirectoryVersion, cancellationToken));
        var (definition, state) = State(loaded, context);
        var now = item.NotBefore(clock.GetUtcNow());
        var decision = decide(definition, state, context, now);
        touched?.UnionWith([item.DepartmentId, decision.DepartmentId, .. state.Assignments.Select(a => a.DepartmentId), .. decision.AssignmentChanges.Select(c => c.DepartmentId),
            .. decision.NewAssignments.Select(a => a.DepartmentId)]);
        var applied = WorkflowEngine.Apply(definition, state, decision, context, now);
        return await WriteAsync(uow, itemId, applied, loaded.HeadHash, now, cancellationToken);
    }

    // Written as decided: clock events, new assignments with their clocks, the assignments that changed (those whose
    // step limit alone moved in one statement), the item with the entry that records the decision, the other entries.
    private static async Task<SupervisedItem> WriteAsync(UnitOfWork uow, long itemId, AppliedDecision applied, string? headHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var change in applied.Decision.ClockChanges)
        {
            await AppendClockAsync(uow, itemId, change.AssignmentId, change.Event, cancellationToken);
        }

        foreach (var (created, deadline, stepState) in applied.Added)
        {
            var id = await InsertAssignmentAsync(uow, itemId, created.DepartmentId, created.Role, created.Step, deadline, stepState, now, cancellationToken);
            if (created.Start is { } started)
            {
                await AppendClockAsync(uow, itemId, id, started, cancellationToken);
            }
        }

        var steps = new List<(long Id, StepState State)>();
        foreach (var a in applied.Assignments)
        {
            if (a.Changed)
            {
                await UpdateAssignmentAsync(uow, a.Id, a.Step, a.DepartmentId, a.Deadline, a.ClosedAt, a.Result, a.StepState, now, cancellationToken);
            }
            else if (a.StepStateChanged)
            {
                steps.Add((a.Id, a.StepState));
            }
        }

        await UpdateStepStatesAsync(uow, steps, assignments: true, cancellationToken);
        // The history chain goes on from the head read with the item: the row lock (PostgreSQL) or the write lock
        // (SQLite) has kept anyone else from appending since.
        var (saved, hash) = await UpdateItemAsync(uow, applied.Item, applied.History[0], now, new ChainHead(headHash), cancellationToken);
        foreach (var entry in applied.History.Skip(1))
        {
            var (sequence, next) = await AppendHistoryAsync(uow, itemId, entry, new ChainHead(hash), cancellationToken);
            (saved, hash) = (saved with { Version = sequence }, next);
        }

        return saved;
    }

    // The instance as the Engine takes it: the item's and each assignment's clock folded on the calendar in force.
    private (WorkflowDefinition Definition, InstanceState State) State(Loaded loaded, WorkflowContext context)
    {
        var item = loaded.Item!;
        var definition = definitions.Get(item.DefinitionId, item.DefinitionVersion);
        var clockContext = context.ClockFor(definition);
        var state = new InstanceState(
            item,
            loaded.ItemClock,
            Clock.Fold(loaded.ItemClock, clockContext),
            loaded.Assignments.Select(a =>
            {
                var events = loaded.AssignmentClocks.GetValueOrDefault(a.Id) ?? [];
                return new AssignmentState(a.Id, a.DepartmentId, a.Role, a.Step, a.ClosedAt is not null, events, Clock.Fold(events, clockContext))
                {
                    Snapshot = a.Snapshot(clockContext.Calendar.Version),
                    StepState = a.StepState,
                    StepEnteredAt = a.StepEnteredAt,
                    ClosedAt = a.ClosedAt,
                    Result = a.Result,
                };
            }).ToList())
        {
            PendingExtensions = WorkflowEngine.PendingExtensions(loaded.ExtensionHistory),
        };
        return (definition, state);
    }

    // The Engine's view of the departments: names by id and ids by name or alias, as the transaction sees them (an
    // import creates departments and their tasks in one transaction).
    private WorkflowContext Context(IReadOnlyList<Department> all)
    {
        var names = all.ToDictionary(d => d.Id, d => d.Name);
        var byName = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var d in all)
        {
            byName[d.Name] = d.Id;
            foreach (var alias in d.Aliases)
            {
                byName[alias] = d.Id;
            }
        }

        return new WorkflowContext(
            new ClockContext(calendars.Current, zone.Zone),
            id => names.TryGetValue(id, out var name) ? name : $"department {id}",
            name => byName.TryGetValue(name.Trim(), out var id) ? id : null);
    }

    private async Task<WorkflowContext> ContextAsync(UnitOfWork uow, CancellationToken cancellationToken) =>
        Context(await departments.ListAsync(uow, cancellationToken));

    // ---- The instance's rows: each single-row read and write of items, assignments, clock events and history, once.

    /// <summary>An item as one instance, read in one round trip: the item (null when there is none), its own clock,
    /// its assignments with their clocks, its extension entries, the hash at the head of its history chain, and the
    /// department directory's version.</summary>
    internal sealed record Loaded(
        SupervisedItem? Item, List<ClockEvent> ItemClock, Dictionary<long, List<ClockEvent>> AssignmentClocks, IReadOnlyList<Assignment> Assignments,
        IReadOnlyList<HistoryEntry> ExtensionHistory, string? HeadHash, long DirectoryVersion);

    /// <summary>Reads an item as one instance inside a caller's transaction, in one round trip of six statements; with
    /// <paramref name="forUpdate"/>, the item's row is locked first (PostgreSQL), so what follows is read under the lock.</summary>
    internal static async Task<Loaded> LoadAsync(UnitOfWork uow, long itemId, bool forUpdate, CancellationToken cancellationToken)
    {
        using var grid = await uow.Connection.QueryMultipleAsync(uow.Command(
            $"""
            SELECT {ItemColumns} FROM items WHERE id = @itemId{(forUpdate ? uow.Dialect.ForUpdate : string.Empty)};
            {ClockEventSelect} WHERE e.item_id = @itemId AND {ClockEventKept} ORDER BY e.seq;
            SELECT {AssignmentColumns} FROM assignments WHERE item_id = @itemId ORDER BY id;
            {ExtensionEntrySelect} WHERE item_id = @itemId AND {ExtensionActions} ORDER BY seq;
            SELECT h.hash FROM item_history h WHERE h.item_id = @itemId AND h.seq = (SELECT version FROM items WHERE id = @itemId);
            {DepartmentStore.DirectoryVersionSql};
            """,
            new { itemId, requested = WorkflowEngine.ExtensionRequested, approved = WorkflowEngine.ExtensionApproved, rejected = WorkflowEngine.ExtensionRejected },
            cancellationToken));
        var item = (await grid.ReadSingleOrDefaultAsync<ItemRow>())?.ToItem();
        var (itemClock, assignmentClocks) = Clocks(await grid.ReadAsync<ClockEventRow>());
        var assignments = (await grid.ReadAsync<AssignmentRow>()).Select(r => r.ToAssignment()).ToList();
        var extensions = (await grid.ReadAsync<HistoryRow>()).Select(r => r.ToEntry()).ToList();
        var head = await grid.ReadSingleOrDefaultAsync<string?>();
        var directoryVersion = await grid.ReadSingleAsync<long>();
        return new Loaded(item, itemClock, assignmentClocks, assignments, extensions, head, directoryVersion);
    }

    /// <summary>Several items as instances, read in one round trip of five statements (as <see cref="LoadAsync"/>, without
    /// the history's head, which only a write needs), by item id; and the department directory's version.</summary>
    internal static async Task<(Dictionary<long, Loaded> Items, long DirectoryVersion)> LoadManyAsync(UnitOfWork uow, IReadOnlyCollection<long> itemIds, CancellationToken cancellationToken)
    {
        var ids = itemIds.Distinct().ToArray();
        string In(string column) => uow.Dialect.InList(column, "@ids");
        using var grid = await uow.Connection.QueryMultipleAsync(uow.Command(
            $"""
            SELECT {ItemColumns} FROM items WHERE {In("id")};
            {ClockEventSelect} WHERE {In("e.item_id")} AND {ClockEventKept} ORDER BY e.item_id, e.seq;
            SELECT {AssignmentColumns} FROM assignments WHERE {In("item_id")} ORDER BY item_id, id;
            {ExtensionEntrySelect} WHERE {In("item_id")} AND {ExtensionActions} ORDER BY item_id, seq;
            {DepartmentStore.DirectoryVersionSql};
            """,
            new { ids, requested = WorkflowEngine.ExtensionRequested, approved = WorkflowEngine.ExtensionApproved, rejected = WorkflowEngine.ExtensionRejected },
            cancellationToken));
        var items = (await grid.ReadAsync<ItemRow>()).Select(r => r.ToItem()).ToList();
        var clocks = (await grid.ReadAsync<ClockEventRow>()).GroupBy(r => r.ItemId).ToDictionary(g => g.Key, g => Clocks(g));
        var assignments = (await grid.ReadAsync<AssignmentRow>()).GroupBy(r => r.ItemId).ToDictionary(g => g.Key, g => (IReadOnlyList<Assignment>)g.Select(r => r.ToAssignment()).ToList());
        var extensions = (await grid.ReadAsync<HistoryRow>()).GroupBy(r => r.ItemId).ToDictionary(g => g.Key, g => (IReadOnlyList<HistoryEntry>)g.Select(r => r.ToEntry()).ToList());
        var directoryVersion = await grid.ReadSingleAsync<long>();
        var loaded = new Dictionary<long, Loaded>(items.Count);
        foreach (var item in items)
        {
            var (itemClock, assignmentClocks) = clocks.TryGetValue(item.Id, out var c) ? c : ([], []);
            loaded[item.Id] = new Loaded(item, itemClock, assignmentClocks, assignments.GetValueOrDefault(item.Id) ?? [], extensions.GetValueOrDefault(item.Id) ?? [], null, directoryVersion);
        }

        return (loaded, directoryVersion);
    }

    /// <summary>The item with this id inside a caller's transaction, locked for update on PostgreSQL; or null.</summary>
    internal static async Task<SupervisedItem?> SelectForUpdateAsync(UnitOfWork uow, long id, CancellationToken cancellationToken)
    {
        var row = await uow.Connection.QuerySingleOrDefaultAsync<ItemRow>(uow.Command(
            $"SELECT {ItemColumns} FROM items WHERE id = @id{uow.Dialect.ForUpdate}", new { id }, cancellationToken));
        return row?.ToItem();
    }

    /// <summary>Inserts an item with its first history entry, with the clock policy its clock runs under (null: no
    /// clock); returns it with its id and version 1.</summary>
    internal static async Task<SupervisedItem> InsertItemAsync(UnitOfWork uow, SupervisedItem item, string? clockPolicy, HistoryEntry registered, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(registered);
        var parameters = Parameters(item, now);
        parameters.Add("ClockPolicy", clockPolicy);
        var id = await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
            $"""
            INSERT INTO items (kind, title, department_id, definition_id, definition_version, step, received_on, light,
                               due_on, due_at, paused, next_change_at, payload, created_at, updated_at, closed_at, version,
                               seriously_overdue, calendar_version, clock_policy, step_entered_at, step_due_on, step_light, step_basis, step_next_change_at, result)
            VALUES (@Kind, @Title, @DepartmentId, @DefinitionId, @DefinitionVersion, @Step, @ReceivedOn, @Light,
                    @DueOn, @DueAt, @Paused, @NextChangeAt, {uow.Dialect.Json("@Payload")}, @now, @now, @ClosedAt, 0,
                    @SeriouslyOverdue, @CalendarVersion, {uow.Dialect.Json("@ClockPolicy")}, @StepEnteredAt, @StepDueOn, @StepLight, @StepBasis, @StepNextChangeAt, @Result)
            RETURNING id
            """,
            parameters,
            cancellationToken));
        var version = await AppendHistoryAsync(uow, id, registered, cancellationToken);
        return item with { Id = id, Version = version, CreatedAt = now, UpdatedAt = now };
    }

    /// <summary>
    /// Stores a changed item together with the history entry that explains the change. <paramref name="updated"/>
    /// carries the version it was read at; if the item has moved on since, nothing is written and a
    /// <see cref="ConcurrencyException"/> is thrown.
    /// </summary>
    internal static async Task<SupervisedItem> UpdateItemAsync(UnitOfWork uow, SupervisedItem updated, HistoryEntry entry, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await UpdateItemAsync(uow, updated, entry, now, null, cancellationToken)).Saved;

    // The same, chained to a head already read with the item (null: read it first); answers the new entry's hash too.
    private static async Task<(SupervisedItem Saved, string Hash)> UpdateItemAsync(UnitOfWork uow, SupervisedItem updated, HistoryEntry entry, DateTimeOffset now, ChainHead? head,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(entry);
        // The new state and the history entry's sequence number in one statement: the version moves with the entry.
        var sequence = await uow.Connection.ExecuteScalarAsync<int?>(uow.Command(
            $"""
            UPDATE items SET title = @Title, department_id = @DepartmentId, step = @Step, light = @Light, due_on = @DueOn,
                             due_at = @DueAt, paused = @Paused, next_change_at = @NextChangeAt,
                             payload = {uow.Dialect.Json("@Payload")}, updated_at = @now, closed_at = @ClosedAt,
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

        var hash = await WriteEntryAsync(uow, updated.Id, version, entry, head, cancellationToken);
        return (updated with { Version = version, UpdatedAt = now }, hash);
    }

    /// <summary>Adds a history entry that does not change the item's state; returns its sequence number.</summary>
    internal static async Task<int> AppendHistoryAsync(UnitOfWork uow, long itemId, HistoryEntry entry, CancellationToken cancellationToken) =>
        (await AppendHistoryAsync(uow, itemId, entry, null, cancellationToken)).Sequence;

    // Bumping the version takes the item's row lock (PostgreSQL) or runs under the write lock (SQLite), so the
    // sequence number it returns is this writer's alone.
    private static async Task<(int Sequence, string Hash)> AppendHistoryAsync(UnitOfWork uow, long itemId, HistoryEntry entry, ChainHead? head, CancellationToken cancellationToken)
    {
        var sequence = await uow.Connection.ExecuteScalarAsync<int?>(uow.Command(
            "UPDATE items SET version = version + 1 WHERE id = @itemId RETURNING version", new { itemId }, cancellationToken))
            ?? throw new KeyNotFoundException($"Item {itemId} does not exist.");
        return (sequence, await WriteEntryAsync(uow, itemId, sequence, entry, head, cancellationToken));
    }

    // The entry numbered <paramref name="sequence"/>, chained to the one before it (its hash given as the head, or
    // read); the caller holds the item's row lock and moved its version to that number. Answers the entry's hash.
    private static async Task<string> WriteEntryAsync(UnitOfWork uow, long itemId, int sequence, HistoryEntry entry, ChainHead? head, CancellationToken cancellationToken)
    {
        var previous = sequence == 1 ? null
            : head is { } known ? known.Hash
            : await uow.Connection.ExecuteScalarAsync<string?>(uow.Command(
                "SELECT hash FROM item_history WHERE item_id = @itemId AND seq = @prior", new { itemId, prior = sequence - 1 }, cancellationToken));
        var at = HistoryChain.ToStoredPrecision(entry.At);
        var fromLight = entry.FromLight?.Code();
        var toLight = entry.ToLight?.Code();
        var hash = HistoryChain.Hash(previous, itemId, sequence, at, entry.Actor, entry.Action, entry.FromStep, entry.ToStep, fromLight, toLight, entry.Detail);
        await uow.Connection.ExecuteAsync(uow.Command(
            $"""
            INSERT INTO item_history (item_id, seq, at, actor, action, from_step, to_step, from_light, to_light, detail, prev_hash, hash)
            VALUES (@itemId, @sequence, @at, @Actor, @Action, @FromStep, @ToStep, @fromLight, @toLight, {uow.Dialect.Json("@Detail")}, @previous, @hash)
            """,
            new { itemId, sequence, at, entry.Actor, entry.Action, entry.FromStep, entry.ToStep, fromLight, toLight, entry.Detail, previous, hash },
            cancellationToken));
        return hash;
    }

    /// <summary>The hash at the head of an item's history chain as already read (null for an item without entries).</summary>
    private readonly record struct ChainHead(string? Hash);

    /// <summary>Stores the step limits' states of several items (the light transitions' batches; an action stores
    /// them with the item), or of several <paramref name="assignments"/>. Not a change of the item's version: the
    /// history entry that records a turned light is.</summary>
    internal static async Task UpdateStepStatesAsync(UnitOfWork uow, IReadOnlyList<(long Id, StepState State)> states, bool assignments, CancellationToken cancellationToken)
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

    /// <summary>An item's assignments, by id, inside a caller's transaction.</summary>
    internal static async Task<IReadOnlyList<Assignment>> AssignmentsAsync(UnitOfWork uow, long itemId, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<AssignmentRow>(uow.Command($"SELECT {AssignmentColumns} FROM assignments WHERE item_id = @itemId ORDER BY id", new { itemId }, cancellationToken)))
            .Select(r => r.ToAssignment()).ToList();

    /// <summary>Inserts an assignment of the item to a department, with its deadline and step limit's state; returns its id.</summary>
    internal static async Task<long> InsertAssignmentAsync(UnitOfWork uow, long itemId, long departmentId, AssignmentRole role, string step, DeadlineSnapshot snapshot, StepState? stepState, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
            """
            INSERT INTO assignments (item_id, kind, department_id, role, step, light, due_on, due_at, paused, seriously_overdue, next_change_at, calendar_version, created_at, updated_at,
                                     step_entered_at, step_light, step_due_on, step_next_change_at, step_basis)
            VALUES (@itemId, (SELECT kind FROM items WHERE id = @itemId), @departmentId, @role, @step, @light, @DueOn, @DueAt, @Paused, @SeriouslyOverdue, @NextChangeAt, @CalendarVersion, @now, @now,
                    @now, @stepLight, @stepDueOn, @stepNext, @stepBasis)
            RETURNING id
            """,
            new
            {
                itemId, departmentId, role = AssignmentStore.Code(role), step, light = snapshot.Light.Code(), snapshot.DueOn, snapshot.DueAt, snapshot.Paused, snapshot.SeriouslyOverdue, snapshot.NextChangeAt,
                snapshot.CalendarVersion, now, stepLight = stepState?.Light?.Code(), stepDueOn = stepState?.DueOn, stepNext = stepState?.NextChangeAt, stepBasis = stepState?.Basis,
            },
            cancellationToken));

    /// <summary>Stores an assignment's step, department, deadline and result, with the step limit's state when the
    /// caller has it (an action), in one statement.</summary>
    internal static async Task UpdateAssignmentAsync(UnitOfWork uow, long id, string step, long departmentId, DeadlineSnapshot snapshot, DateTimeOffset? closedAt, string? result, StepState? stepState,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var steps = stepState is null ? string.Empty : ", step_light = @stepLight, step_due_on = @stepDueOn, step_next_change_at = @stepNext, step_basis = @stepBasis";
        await uow.Connection.ExecuteAsync(uow.Command(
            $"""
            UPDATE assignments SET step_entered_at = CASE WHEN step = @step THEN step_entered_at ELSE @now END,
                step = @step, department_id = @departmentId, light = @light, due_on = @DueOn, due_at = @DueAt, paused = @Paused,
                seriously_overdue = @SeriouslyOverdue, next_change_at = @NextChangeAt, calendar_version = @CalendarVersion,
                closed_at = @closedAt, result = @result, updated_at = @now{steps}
            WHERE id = @id
            """,
            new
            {
                id, step, departmentId, light = snapshot.Light.Code(), snapshot.DueOn, snapshot.DueAt, snapshot.Paused, snapshot.SeriouslyOverdue, snapshot.NextChangeAt, snapshot.CalendarVersion,
                closedAt, result, now, stepLight = stepState?.Light?.Code(), stepDueOn = stepState?.DueOn, stepNext = stepState?.NextChangeAt, stepBasis = stepState?.Basis,
            },
            cancellationToken));
    }

    /// <summary>Appends an event to the clock of an item (<paramref name="assignmentId"/> null) or of one of its
    /// assignments; returns its sequence number.</summary>
    internal static Task<int> AppendClockAsync(UnitOfWork uow, long itemId, long? assignmentId, ClockEvent e, CancellationToken cancellationToken) =>
        // The next number and the row in one statement; the item's row lock (PostgreSQL) or the write lock (SQLite)
        // keeps the number this writer's alone.
        uow.Connection.ExecuteScalarAsync<int>(uow.Command(
            $"""
            INSERT INTO clock_events (item_id, seq, at, kind, data, assignment_id)
            SELECT @itemId, COALESCE(MAX(seq), 0) + 1, @at, @kind, {uow.Dialect.Json("@data")}, @assignmentId FROM clock_events WHERE item_id = @itemId
            RETURNING seq
            """,
            new { itemId, at = e.At, kind = ClockEventJson.Kind(e), data = ClockEventJson.Data(e), assignmentId },
            cancellationToken));

    // An item's own clock (empty when it has no clock policy) and its assignments' clocks, by assignment id.
    private static (List<ClockEvent> Item, Dictionary<long, List<ClockEvent>> Assignments) Clocks(IEnumerable<ClockEventRow> rows)
    {
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

    internal sealed record AssignmentRow
    {
        public long Id { get; init; }
        public long ItemId { get; init; }
        public long DepartmentId { get; init; }
        public string RoleCode { get; init; } = "";
        public string Step { get; init; } = "";
        public string LightCode { get; init; } = "";
        public DateOnly? DueOn { get; init; }
        public DateTimeOffset? DueAt { get; init; }
        public bool Paused { get; init; }
        public bool SeriouslyOverdue { get; init; }
        public DateTimeOffset? NextChangeAt { get; init; }
        public string? Result { get; init; }
        public DateTimeOffset? ClosedAt { get; init; }
        public DateTimeOffset? StepEnteredAt { get; init; }
        public string? StepLightCode { get; init; }
        public DateOnly? StepDueOn { get; init; }
        public DateTimeOffset? StepNextChangeAt { get; init; }
        public string? StepBasis { get; init; }

        public Assignment ToAssignment() => new()
        {
            Id = Id,
            ItemId = ItemId,
            DepartmentId = DepartmentId,
            Role = RoleCode switch { "lead" => AssignmentRole.Lead, "responsible" => AssignmentRole.Responsible, _ => AssignmentRole.Handling },
            Step = Step,
            Light = Lights.Parse(LightCode),
            DueOn = DueOn,
            DueAt = DueAt,
            Paused = Paused,
            SeriouslyOverdue = SeriouslyOverdue,
            NextChangeAt = NextChangeAt,
            Result = Result,
            ClosedAt = ClosedAt,
            StepEnteredAt = StepEnteredAt,
            StepLight = StepLightCode is null ? null : Lights.Parse(StepLightCode),
            StepDueOn = StepDueOn,
            StepNextChangeAt = StepNextChangeAt,
            StepBasis = StepBasis,
        };
    }

    internal sealed record ClockEventRow
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
