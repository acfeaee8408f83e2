using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Host.Calendars;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

/// <summary>
/// Items with clocks: registering one with its started clock, applying clock events (pause, resume, restart, extend,
/// override, stop), and explaining a deadline. Every change writes the clock event, the item's recomputed due day,
/// light and next change instant, and a history entry, in one transaction.
/// </summary>
public sealed class ItemClocks(Database database, ItemStore items, ClockStore clocks, CalendarService calendars, OfficeTimeZone zone, TimeProvider clock)
{
    /// <summary>The clock context in force for a policy.</summary>
    public ClockContext Context(ClockPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new ClockContext(calendars.Current, zone.Zone, policy.ExtensionCap);
    }

    /// <summary>Registers an item and starts its clock.</summary>
    public async Task<SupervisedItem> RegisterAsync(SupervisedItem item, ClockEvent.Started start, ClockPolicy policy, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(policy);
        var (registered, entry) = ClockedItems.Register(item, start, policy, Context(policy), actor, clock.GetUtcNow());
        await using var uow = await database.BeginAsync(cancellationToken);
        var added = await items.AddAsync(uow, registered, policy.ToJson(), entry, cancellationToken);
        await InstanceStore.AppendClockAsync(uow, added.Id, null, start, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return added;
    }

    /// <summary>
    /// Applies a clock event to an item, refusing it with <see cref="ClockRuleException"/> when the clock's rules do,
    /// and with <see cref="ConcurrencyException"/> when <paramref name="expectedVersion"/> is given and stale.
    /// </summary>
    public async Task<SupervisedItem> ApplyAsync(long itemId, ClockEvent e, string actor, int? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        await using var uow = await database.BeginAsync(cancellationToken);
        var item = await InstanceStore.SelectForUpdateAsync(uow, itemId, cancellationToken) ?? throw new KeyNotFoundException($"Item {itemId} does not exist.");
        if (expectedVersion is { } v && v != item.Version)
        {
            throw new ConcurrencyException($"Item {itemId} was changed by someone else (version {item.Version}, you had {v}); reload it and try again.");
        }

        var loaded = await clocks.LoadManyAsync(uow, [itemId], cancellationToken);
        if (!loaded.TryGetValue(itemId, out var clockLog))
        {
            throw new ClockRuleException($"Item {itemId} has no deadline clock.");
        }

        var (updated, entry) = ClockedItems.Apply(item, clockLog.Events, e, clockLog.Policy, Context(clockLog.Policy), actor, clock.GetUtcNow());
        await InstanceStore.AppendClockAsync(uow, itemId, null, e, cancellationToken);
        var saved = await items.SaveAsync(uow, updated, entry, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return saved;
    }

    /// <summary>How an item's deadline and light were reached, at <paramref name="now"/>.</summary>
    public async Task<(ClockState State, Explanation Explanation)> ExplainAsync(long itemId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (events, policy) = await clocks.LoadAsync(itemId, cancellationToken);
        if (policy is null || events.Count == 0)
        {
            // Tasks keep their clocks on their assignments (ExplainAssignmentsAsync).
            throw new ClockRuleException($"Item {itemId} has no deadline clock of its own.");
        }

        return Explanation.Of(events, policy, Context(policy), now);
    }

    /// <summary>Each assignment's own deadline explained (tasks: one clock per department), by assignment id.</summary>
    public async Task<IReadOnlyDictionary<long, Explanation>> ExplainAssignmentsAsync(long itemId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (_, policy) = await clocks.LoadAsync(itemId, cancellationToken);
        var explained = new Dictionary<long, Explanation>();
        if (policy is null)
        {
            return explained;
        }

        var context = Context(policy);
        await using var uow = await database.BeginReadAsync(cancellationToken);
        foreach (var (assignmentId, events) in await ClockStore.LoadAssignmentClocksAsync(uow, itemId, cancellationToken))
        {
            if (events.Count == 0)
            {
                continue;
            }

            explained[assignmentId] = Explanation.Of(events, policy, context, now).Explanation;
        }

        return explained;
    }
}
