using System.Text.Json;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Escalation;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.Items;
using Supervision.Host.Notices;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Escalation;

/// <summary>
/// Acts when lights change: takes the items (and task assignments) whose stored next change instant has come, in
/// batches (on PostgreSQL with <c>FOR UPDATE SKIP LOCKED</c>, so several instances share a midnight burst without
/// double work), recomputes them, records each change in history and writes the escalation ladder's notices in the
/// same transaction, keyed so the same change never notifies twice. The stored next change instant moves past now,
/// so a processed item is not taken again until its next change.
/// </summary>
public sealed class LightTransitions(
    Database database,
    ItemStore items,
    ItemSnapshots snapshots,
    DefinitionCatalog definitions,
    CalendarService calendars,
    NoticeStore notices,
    NoticeTemplates templates,
    DepartmentStore departments,
    TimeProvider clock,
    ILogger<LightTransitions> logger,
    Wakeups? wakeups = null,
    IConfiguration? configuration = null)
{
    private readonly TransitionQueries _queries = new(database);

    /// <summary>Items per batch unless <c>Supervision:Transitions:BatchSize</c> says otherwise (1 to 5,000).</summary>
    public const int DefaultBatchSize = 500;

    private int BatchSize => Math.Clamp(configuration?.GetValue("Supervision:Transitions:BatchSize", DefaultBatchSize) ?? DefaultBatchSize, 1, 5_000);

    /// <summary>Processes everything due at <paramref name="now"/> (the clock's now when null); returns how many items changed.
    /// On PostgreSQL <c>Supervision:Transitions:Workers</c> batches (default 2) run at once, each on its own connection
    /// and its own rows (<c>SKIP LOCKED</c>), so one batch's database work overlaps another's computing; SQLite has one writer.</summary>
    public async Task<int> ProcessDueAsync(DateTimeOffset? now, CancellationToken cancellationToken)
    {
        var at = now ?? clock.GetUtcNow();
        var workers = database.Provider == DatabaseProvider.PostgreSql ? Math.Clamp(configuration?.GetValue("Supervision:Transitions:Workers", 2) ?? 2, 1, 16) : 1;
        var changed = 0;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            for (var round = 0; round < 10_000; round++)
            {
                var (taken, done) = await ProcessBatchAsync(at, cancellationToken);
                Interlocked.Add(ref changed, done);
                if (taken < BatchSize)
                {
                    break;
                }
            }
        }));
        return changed;
    }

    /// <summary>The earliest stored next change instant of any open item or assignment, or null.</summary>
    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => _queries.NextDueAsync(cancellationToken);

    private async Task<(int Taken, int Changed)> ProcessBatchAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        var ids = await _queries.TakeDueAsync(uow, now, BatchSize, cancellationToken);
        var touched = new HashSet<long>();
        var changed = await ApplyAsync(uow, ids, now, touched, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        if (changed > 0)
        {
            wakeups?.NoticesQueued();
            wakeups?.BoardChanged(touched);
        }

        if (ids.Count > 0)
        {
            logger.LogInformation("Light transitions at {Now}: {Taken} items taken, {Changed} changed", now, ids.Count, changed);
        }

        return (ids.Count, changed);
    }

    /// <summary>One item alone, in a transaction of its own, if it is due: what a design with one scheduled job per
    /// item does at its instant (bench/Load compares it with the batches). True when its light changed.</summary>
    public async Task<bool> ProcessItemAsync(long itemId, DateTimeOffset? now, CancellationToken cancellationToken)
    {
        var at = now ?? clock.GetUtcNow();
        await using var uow = await database.BeginAsync(cancellationToken);
        var due = await _queries.TakeIfDueAsync(uow, itemId, at, cancellationToken);
        var changed = await ApplyAsync(uow, due, at, null, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return changed > 0;
    }

    /// <summary>Recomputes the given (locked) items and writes what changed, with history and notices; returns how many changed.</summary>
    private async Task<int> ApplyAsync(UnitOfWork uow, List<long> ids, DateTimeOffset now, HashSet<long>? touched, CancellationToken cancellationToken)
    {
        var changed = 0;
        if (ids.Count > 0)
        {
            // The whole batch is read in four statements, computed in memory by the same plan a single refresh
            // uses, and written in a handful: a midnight burst costs statements per batch, not per item.
            var calendar = calendars.Current;
            var names = (await departments.ListAsync(cancellationToken)).ToDictionary(d => d.Id);
            var taken = await items.GetManyAsync(uow, ids, cancellationToken);
            var logs = await snapshots.Clocks.LoadManyAsync(uow, ids, cancellationToken);
            var assignmentClocks = await snapshots.Clocks.LoadAssignmentClocksManyAsync(uow, ids, cancellationToken);
            var stored = await snapshots.Assignments.ListManyAsync(uow, ids, cancellationToken);
            var updates = new List<(Assignment Stored, DeadlineSnapshot Fresh)>();
            var writes = new List<ItemWrite>();
            var lights = new List<(SupervisedItem Item, WorkflowDefinition Definition, LightChange Change)>();
            var steps = new StepWrites();
            foreach (var id in ids)
            {
                if (!taken.TryGetValue(id, out var item) || !logs.TryGetValue(id, out var log))
                {
                    continue;
                }

                var at = item.NotBefore(now);
                // The boards that may change: the item's department and its assignments'.
                touched?.UnionWith([item.DepartmentId, .. (stored.GetValueOrDefault(id) ?? []).Select(a => a.DepartmentId)]);
                var plan = ItemSnapshots.Plan(item, log, assignmentClocks, stored.GetValueOrDefault(id) ?? [], calendar, snapshots.Zone, at, "light-changed");
                updates.AddRange(plan.Assignments);
                var stepEntries = Steps(item, log, assignmentClocks, stored.GetValueOrDefault(id) ?? [], calendar, names, at, steps);
                if (!plan.Changed)
                {
                    if (stepEntries.Count > 0)
                    {
                        changed++;
                        writes.Add(new ItemWrite(id, null, stepEntries));
                    }

                    continue;
                }

                changed++;
                var definition = definitions.Get(item.DefinitionId, item.DefinitionVersion);
                var entries = new List<HistoryEntry>();
                if (plan.Entry is { } entry)
                {
                    entries.Add(entry);
                }

                foreach (var light in plan.Lights)
                {
                    if (light.AssignmentId is { } assignment)
                    {
                        entries.Add(new HistoryEntry
                        {
                            At = at,
                            Actor = "system",
                            Action = "assignment-light-changed",
                            FromLight = light.From,
                            ToLight = light.To,
                            Detail = JsonSerializer.Serialize(new { assignment, department = names.GetValueOrDefault(light.DepartmentId)?.Name, seriouslyOverdue = light.ToSerious }),
                        });
                    }

                    lights.Add((item, definition, light));
                }

                entries.AddRange(stepEntries);
                if (plan.Saved is null && entries.Count == 0)
                {
                    continue;
                }

                writes.Add(new ItemWrite(id, plan.Saved, entries));
            }

            await snapshots.Assignments.UpdateSnapshotsAsync(uow, updates, cancellationToken);
            await items.SaveSnapshotsAsync(uow, writes, cancellationToken);
            await ItemStore.UpdateStepStatesAsync(uow, steps.Items, cancellationToken);
            await AssignmentStore.UpdateStepStatesAsync(uow, steps.Assignments, cancellationToken);
            if (lights.Count > 0 || steps.Changes.Count > 0)
            {
                var audience = await notices.AudienceAsync(uow, null, cancellationToken);
                var chart = audience.Chart(names);
                await notices.WriteAsync(uow, lights.SelectMany(l => Notices(l.Item, l.Definition, l.Change, chart))
                    .Concat(steps.Changes.SelectMany(c => StepNotices(c, chart))), audience, cancellationToken);
            }
        }

        return changed;
    }

    /// <summary>What the step lights of a batch write: fresh states of items and assignments, and the changes to record and notify.</summary>
    private sealed class StepWrites
    {
        public List<(long Id, StepState State)> Items { get; } = [];

        public List<(long Id, StepState State)> Assignments { get; } = [];

        public List<StepChange> Changes { get; } = [];
    }

    /// <summary>A step light that turned yellow or red: of the item (a request) or of one assignment (a task).</summary>
    private sealed record StepChange(SupervisedItem Item, WorkflowDefinition Definition, long? AssignmentId, long DepartmentId, Light? From, StepState To);

    /// <summary>
    /// The step and pause limits of one taken item at its instant: fresh states where they moved, and a
    /// <c>step-light-changed</c> history entry for each light that turned (the item's for a request, each assignment's
    /// for a task), which <see cref="StepNotices"/> tells the handlers and, copied, the lead.
    /// </summary>
    private List<HistoryEntry> Steps(SupervisedItem item, (List<ClockEvent> Events, ClockPolicy Policy) log, IReadOnlyDictionary<long, List<ClockEvent>> assignmentClocks, IReadOnlyList<Assignment> stored,
        Engine.Calendars.WorkingCalendar calendar, IReadOnlyDictionary<long, Engine.Organisation.Department> names, DateTimeOffset at, StepWrites writes)
    {
        var entries = new List<HistoryEntry>();
        if (item.StepLight is null && item.StepNextChangeAt is null && stored.All(a => a.StepLight is null && a.StepNextChangeAt is null))
        {
            return entries;
        }

        var definition = definitions.Get(item.DefinitionId, item.DefinitionVersion);
        var context = new ClockContext(calendar, snapshots.Zone, log.Policy.ExtensionCap);
        var holders = stored.Select(a => new StepHolder(a.Id, a.Step, a.ClosedAt is not null, a.StepEnteredAt, assignmentClocks.GetValueOrDefault(a.Id) ?? [])).ToList();
        var (fresh, perAssignment) = StepDeadlines.Compute(definition, item, log.Events, holders, context, at);
        if (fresh != StepState.Of(item))
        {
            writes.Items.Add((item.Id, fresh));
            if (item.Kind == ItemKind.Request && EscalationRules.StepLightEscalates(item.StepLight, fresh.Light))
            {
                entries.Add(StepEntry(at, null, null, item.StepLight, fresh));
                writes.Changes.Add(new StepChange(item, definition, null, item.DepartmentId, item.StepLight, fresh));
            }
        }

        foreach (var a in stored)
        {
            var state = perAssignment.GetValueOrDefault(a.Id) ?? StepState.None;
            if (state == a.StepState)
            {
                continue;
            }

            writes.Assignments.Add((a.Id, state));
            if (item.Kind == ItemKind.Task && EscalationRules.StepLightEscalates(a.StepLight, state.Light))
            {
                entries.Add(StepEntry(at, a.Id, names.GetValueOrDefault(a.DepartmentId)?.Name, a.StepLight, state));
                writes.Changes.Add(new StepChange(item, definition, a.Id, a.DepartmentId, a.StepLight, state));
            }
        }

        return entries;
    }

    private static HistoryEntry StepEntry(DateTimeOffset at, long? assignment, string? department, Light? from, StepState to) => new()
    {
        At = at,
        Actor = "system",
        Action = "step-light-changed",
        Detail = JsonSerializer.Serialize(new { assignment, department, basis = to.Basis, fromStepLight = from?.Code(), toStepLight = to.Light?.Code(), stepDueOn = to.DueOn }, DetailJson),
    };

    // Chinese as written in history details (department names), as the workflow's own entries keep them.
    private static readonly JsonSerializerOptions DetailJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A step light's notices (see <see cref="EscalationRules"/>): to the department's handlers, copied to its
    /// lead, each once per change (keyed by the limit, its due day and the colour).</summary>
    private IEnumerable<OutgoingNotice> StepNotices(StepChange change, OrgChart chart) =>
        EscalationNotices.For(
            new EscalationTrigger.StepLightTurned(new WorkRef(change.Item.Id, change.AssignmentId, change.DepartmentId), change.From, change.To.Light, change.To.Basis, change.To.DueOn),
            chart, templates, change.Item.Title, StepDeadlines.Describe(change.Definition, change.To.Basis));

    /// <summary>The escalation ladder's notices for one light change (see <see cref="EscalationRules"/>): each level
    /// reached, to the department's channels and to each person the definition names, keyed by the cause so the same
    /// change never notifies twice.</summary>
    private IEnumerable<OutgoingNotice> Notices(SupervisedItem item, WorkflowDefinition definition, LightChange change, OrgChart chart) =>
        EscalationNotices.For(
            new EscalationTrigger.LightTurned(new WorkRef(item.Id, change.AssignmentId, change.DepartmentId), change.From, change.To, change.FromSerious, change.ToSerious, change.DueOn, change.DueAt, definition.Escalation),
            chart, templates, item.Title, null);
}
