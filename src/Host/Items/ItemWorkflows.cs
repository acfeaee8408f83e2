using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.People;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Items;

/// <summary>
/// Runs workflow actions against storage: loads the item with its clocks and assignments, asks the
/// <see cref="WorkflowEngine"/> for a decision, and applies it in one transaction: clock events, assignments, the
/// item's step, deadline, light and next change, and history entries. When two people act on the same item at once,
/// the item's version makes exactly one of them win; the other gets a <see cref="ConcurrencyException"/>.
/// </summary>
public sealed class ItemWorkflows(
    Database database,
    ItemStore items,
    ClockStore clocks,
    AssignmentStore assignments,
    DepartmentStore departments,
    DefinitionCatalog definitions,
    CalendarService calendars,
    OfficeTimeZone zone,
    TimeProvider clock)
{
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
        var registration = WorkflowEngine.Register(definition, actor, title, departmentId, fields, clock.GetUtcNow(), context);
        touched?.UnionWith([registration.Item.DepartmentId, .. registration.Assignments.Select(a => a.Assignment.DepartmentId)]);
        var added = await items.AddAsync(uow, registration.Item, definition.Clock.Policy.ToJson(), registration.History, cancellationToken);
        if (registration.Start is { } started)
        {
            await clocks.AppendAsync(uow, added.Id, started, cancellationToken);
        }

        foreach (var (assignment, deadline, stepState) in registration.Assignments)
        {
            var id = await assignments.AddAsync(uow, added.Id, assignment.DepartmentId, assignment.Role, assignment.Step, deadline, cancellationToken, stepState);
            if (assignment.Start is { } begun)
            {
                await clocks.AppendAsync(uow, added.Id, id, begun, cancellationToken);
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
        var context = await ContextAsync(null, cancellationToken);
        await using var uow = await database.BeginReadAsync(cancellationToken);
        var (definition, state) = await StateAsync(uow, item, context, cancellationToken);
        return WorkflowEngine.Available(definition, state, actor, item.NotBefore(clock.GetUtcNow()));
    }

    private async Task<(WorkflowDefinition Definition, InstanceState State)> StateAsync(UnitOfWork uow, SupervisedItem item, WorkflowContext context, CancellationToken cancellationToken)
    {
        var definition = definitions.Get(item.DefinitionId, item.DefinitionVersion);
        var clockContext = context.ClockFor(definition);
        var (itemEvents, assignmentEvents) = await ClockStore.LoadItemClocksAsync(uow, item.Id, cancellationToken);
        var stored = await AssignmentStore.ListAsync(uow, item.Id, cancellationToken);
        var state = new InstanceState(
            item,
            itemEvents,
            Clock.Fold(itemEvents, clockContext),
            stored.Select(a =>
            {
                var events = assignmentEvents.GetValueOrDefault(a.Id) ?? [];
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
            PendingExtensions = WorkflowEngine.PendingExtensions(await ItemStore.ExtensionHistoryAsync(uow, item.Id, cancellationToken)),
        };
        return (definition, state);
    }

    // touched: the departments whose boards the action may change (the item's and its assignments', before and after).
    private async Task<SupervisedItem> ActInAsync(UnitOfWork uow, long itemId, int? expectedVersion, Func<WorkflowDefinition, InstanceState, WorkflowContext, DateTimeOffset, Decision> decide,
        HashSet<long>? touched, CancellationToken cancellationToken)
    {
        var context = await ContextAsync(uow, cancellationToken);
        var item = await items.GetForUpdateAsync(uow, itemId, cancellationToken) ?? throw new KeyNotFoundException(ItemStore.NoSuchItem(itemId));
        if (expectedVersion is { } v && v != item.Version)
        {
            throw new ConcurrencyException($"Item {itemId} was changed by someone else (version {item.Version}, you had {v}); reload it and try again.");
        }

        var (definition, state) = await StateAsync(uow, item, context, cancellationToken);
        var now = item.NotBefore(clock.GetUtcNow());
        var decision = decide(definition, state, context, now);
        touched?.UnionWith([item.DepartmentId, decision.DepartmentId, .. state.Assignments.Select(a => a.DepartmentId), .. decision.AssignmentChanges.Select(c => c.DepartmentId),
            .. decision.NewAssignments.Select(a => a.DepartmentId)]);
        var applied = WorkflowEngine.Apply(definition, state, decision, context, now);

        // Written as decided: clock events, new assignments with their clocks, the assignments that changed (those whose
        // step limit alone moved in one statement), the item with the entry that records the decision, the other entries.
        foreach (var change in applied.Decision.ClockChanges)
        {
            await clocks.AppendAsync(uow, itemId, change.AssignmentId, change.Event, cancellationToken);
        }

        var steps = new List<(long Id, StepState State)>();
        foreach (var (created, deadline, stepState) in applied.Added)
        {
            var id = await assignments.AddAsync(uow, itemId, created.DepartmentId, created.Role, created.Step, deadline, cancellationToken, stepState);
            if (created.Start is { } started)
            {
                await clocks.AppendAsync(uow, itemId, id, started, cancellationToken);
            }
        }

        foreach (var a in applied.Assignments)
        {
            if (a.Changed)
            {
                await assignments.UpdateAsync(uow, a.Id, a.Step, a.DepartmentId, a.Deadline, a.ClosedAt, a.Result, cancellationToken, a.StepState);
            }
            else if (a.StepStateChanged)
            {
                steps.Add((a.Id, a.StepState));
            }
        }

        await AssignmentStore.UpdateStepStatesAsync(uow, steps, cancellationToken);
        var saved = await items.SaveAsync(uow, applied.Item, applied.History[0], cancellationToken);
        foreach (var entry in applied.History.Skip(1))
        {
            saved = saved with { Version = await items.AppendAsync(uow, itemId, entry, cancellationToken) };
        }

        return saved;
    }

    /// <summary>Registers inside the running command's transaction (see <see cref="Transactions"/>); the light loop
    /// and the departments' live boards hear of it once the transaction commits.</summary>
    internal async Task<SupervisedItem> RegisterInCommandAsync(ItemKind kind, string? definitionId, Actor actor, string title, long departmentId, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        var touched = new HashSet<long>();
        var added = await RegisterInAsync(Transactions.Work, kind, definitionId, actor, title, departmentId, fields, touched, cancellationToken);
        Transactions.AfterCommit(new ItemsChanged(touched, added.NextChangeAt));
        return added;
    }

    /// <summary>Acts on an item inside the running command's transaction: loads it with its clocks and assignments,
    /// asks <paramref name="decide"/> (the Engine) for the decision and writes it; the light loop and the boards hear
    /// of it once the transaction commits.</summary>
    internal async Task<SupervisedItem> ActInCommandAsync(long itemId, int? expectedVersion, Func<WorkflowDefinition, InstanceState, WorkflowContext, DateTimeOffset, Decision> decide, CancellationToken cancellationToken)
    {
        var touched = new HashSet<long>();
        var saved = await ActInAsync(Transactions.Work, itemId, expectedVersion, decide, touched, cancellationToken);
        Transactions.AfterCommit(new ItemsChanged(touched, saved.NextChangeAt));
        return saved;
    }

    // The departments as the transaction sees them (an import creates departments and their tasks in one transaction).
    private async Task<WorkflowContext> ContextAsync(UnitOfWork? uow, CancellationToken cancellationToken)
    {
        var all = uow is null ? await departments.ListAsync(cancellationToken) : await departments.ListAsync(uow, cancellationToken);
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
}
