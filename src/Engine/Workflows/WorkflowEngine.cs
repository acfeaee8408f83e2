using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;

namespace Supervision.Engine.Workflows;

/// <summary>What the engine needs from outside: the clock context (calendar and zone), department names for
/// messages, and resolving department names written in fields.</summary>
public sealed record WorkflowContext(ClockContext Clock, Func<long, string> DepartmentName, Func<string, long?> ResolveDepartment)
{
    /// <summary>The clock context with a definition's extension cap.</summary>
    public ClockContext ClockFor(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Clock with { ExtensionCap = definition.Clock.Policy.ExtensionCap };
    }
}

/// <summary>
/// A new item as registration decides it, ready to store: the item at its first step with its deadline, light and step
/// limit; the clock it starts (a request's; null for a task, whose clocks are its assignments'); the assignments it
/// starts with, each with its own deadline and step limit; and its <c>registered</c> entry with the light it shows.
/// </summary>
public sealed record Registration(SupervisedItem Item, ClockEvent.Started? Start, IReadOnlyList<AddedAssignment> Assignments, HistoryEntry History);

/// <summary>
/// The workflow rules as pure decisions. Each operation checks the item's state, the definition and the actor
/// (role and department) and either returns a <see cref="Decision"/> for storage to apply in one transaction, or
/// throws a <see cref="WorkflowRefusedException"/> saying why not ("this step belongs to 市司法局", "extension would exceed 20
/// working days").
/// </summary>
public static partial class WorkflowEngine
{
    /// <summary>The task field naming the event its deadline counts from (新规出台); its clocks start when it is recorded.</summary>
    public const string StartsAfterField = "startsAfter";

    /// <summary>The assigning field giving the day the event of <see cref="StartsAfterField"/> happened.</summary>
    public const string EventOnField = "eventOn";

    /// <summary>The field of a restarting outcome giving the day the corrected application was received (article 30).</summary>
    public const string CorrectedOnField = "correctedOn";

    /// <summary>The field giving the day a reply went out: a request's timeliness is judged by it (article 33).</summary>
    public const string ReplyDateField = "replyDate";

    /// <summary>History actions of an extension asked for by a handler and decided by a lead (article 33).</summary>
    public const string ExtensionRequested = "extension-requested", ExtensionApproved = "extension-approved", ExtensionRejected = "extension-rejected";

    /// <summary>Deadline words that mean an ongoing task (长期坚持, 持续推进), reported on each cycle.</summary>
    public static readonly string[] OngoingWords = ["ongoing", "长期坚持", "持续推进", "实时"];

    private static readonly JsonSerializerOptions PayloadJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The longest title accepted.</summary>
    public const int MaxTitleLength = 500;

    /// <summary>The longest field value accepted (an application's content, a reply's grounds).</summary>
    public const int MaxFieldLength = 20_000;

    /// <summary>Registers a disclosure request or a supervision task: the start step is completed with its only outcome.</summary>
    public static Registration Register(WorkflowDefinition definition, Actor actor, string title, long departmentId, IReadOnlyDictionary<string, string> fields, DateTimeOffset now, WorkflowContext context)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "title: required");
        }

        if (title.Length > MaxTitleLength)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"title: at most {MaxTitleLength} characters");
        }

        var start = definition.Step(definition.Start)!;
        var payload = CheckFields(start.Outcomes.Count == 1 ? [.. start.Fields, .. start.Outcomes[0].Fields] : start.Fields, fields, context);
        var today = context.Clock.DayOf(now);
        DateOnly startDay = today;
        TimeLimit? limit = definition.Clock.Limit;
        List<long> leads = [];
        List<long> responsible = [];
        if (definition.Kind == ItemKind.Request)
        {
            if (payload.TryGetValue("receivedOn", out var received))
            {
                startDay = ParseDay(received);
                if (startDay > today)
                {
                    throw new WorkflowRefusedException(RefusalKind.Invalid, $"receivedOn: {received} is in the future");
                }
            }
        }
        else
        {
            leads = Departments(payload, "leadDepartments", context);
            responsible = Departments(payload, "responsibleDepartments", context).Except(leads).ToList();
            if (leads.Count > 0)
            {
                departmentId = leads[0];
            }

            limit = TaskLimit(payload.GetValueOrDefault("deadline"));
        }

        // Every department the item will belong to must be the registrar's: a supervising office registers tasks only
        // for the departments below it (a task led from outside its subtree was accepted, and then withdrawable by it).
        foreach (var department in leads.Concat(responsible).Append(departmentId).Distinct())
        {
            CheckActor(actor, start, department, context);
        }

        var outcome = start.Outcomes.Count == 1 ? start.Outcomes[0] : throw new WorkflowRefusedException(RefusalKind.Rule, $"the start step '{start.Id}' must have exactly one outcome");
        var step = outcome.To;
        ClockEvent.Started? started = definition.Kind == ItemKind.Request && limit is not null
            ? new ClockEvent.Started(now, startDay, limit)
            : null;
        var item = new SupervisedItem
        {
            Kind = definition.Kind,
            Title = title.Trim(),
            DepartmentId = departmentId,
            DefinitionId = definition.Id,
            DefinitionVersion = definition.Version,
            Step = step,
            ReceivedOn = startDay,
            // Chinese as written, not \u-escaped: the stored fields are searched as text on both databases.
            Payload = JsonSerializer.Serialize(payload, PayloadJson),
        };
        var assignments = definition.Kind == ItemKind.Request
            ? [new NewAssignment(departmentId, AssignmentRole.Handling, step, null)]
            : new List<NewAssignment>();
        if (definition.Kind == ItemKind.Task && definition.Step(step) is { PerAssignment: true })
        {
            // A task that goes straight to its departments (no separate assigning step): one assignment per lead and
            // responsible department, each with its own clock, as assigning would make them.
            if (payload.ContainsKey(StartsAfterField))
            {
                throw new WorkflowRefusedException(RefusalKind.Rule, $"{StartsAfterField}: a task counted from an event needs an assigning step to record the event; definition '{definition.Key}' assigns at registration");
            }

            var assignmentLimit = limit ?? CycleOf(payload.GetValueOrDefault("reportCadence"));
            assignments.AddRange(leads.Select(d => new NewAssignment(d, AssignmentRole.Lead, step, new ClockEvent.Started(now, today, assignmentLimit)))
                .Concat(responsible.Select(d => new NewAssignment(d, AssignmentRole.Responsible, step, new ClockEvent.Started(now, today, assignmentLimit)))));
        }

        var history = new HistoryEntry
        {
            At = now,
            Actor = actor.Login,
            Action = "registered",
            FromStep = start.Id,
            ToStep = step,
            Detail = JsonSerializer.Serialize(new { definition = definition.Key, outcome = outcome.Id, fields = payload, limit = limit?.ToString() ?? (definition.Kind == ItemKind.Task ? "ongoing" : null) }),
        };
        return Registered(definition, item, started, assignments, history, now, context);
    }

    /// <summary>Completes the current step (of the item, or of one assignment for per-assignment steps) with an outcome.</summary>
    public static Decision Complete(WorkflowDefinition definition, InstanceState state, Actor actor, string expectedStep, string outcomeId, long? assignmentId,
        IReadOnlyDictionary<string, string> fields, DateTimeOffset now, WorkflowContext context)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(context);
        var (step, assignment) = Current(definition, state, expectedStep, assignmentId, context);
        CheckActor(actor, step, assignment?.DepartmentId ?? state.Item.DepartmentId, context);
        var outcome = step.Outcomes.FirstOrDefault(o => o.Id == outcomeId)
            ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"outcome: '{outcomeId}' is not an outcome of step '{step.Id}'; expected {string.Join(", ", step.Outcomes.Select(o => o.Id))}");
        // The step's fields and the outcome's own; a restart still reads an undeclared correctedOn from definitions
        // written before outcomes declared fields (disclosure-request v1), with the same checks.
        var declared = outcome.Fields.Count == 0 ? step.Fields : [.. step.Fields, .. outcome.Fields];
        var payload = CheckFields(declared, fields, context, outcome.Clock == ClockEffect.Restart ? CorrectedOnField : null);
        var target = definition.Step(outcome.To)!;
        var clockContext = context.ClockFor(definition);
        var changes = new List<ClockChange>();
        var today = clockContext.DayOf(now);
        var (events, clock) = ClockOf(state, assignment);
        var lateReason = definition.Kind == ItemKind.Request ? CheckCorrection(step, outcome, state, fields, now, clockContext) : null;
        ClockEvent? clockEvent = outcome.Clock switch
        {
            ClockEffect.Pause => new ClockEvent.Paused(now, outcome.PauseReason!.Value, outcome.Name.Zh),
            ClockEffect.Resume => new ClockEvent.Resumed(now),
            ClockEffect.Restart => new ClockEvent.Restarted(now, CorrectedOn(payload, state, today, clockContext), outcome.Name.Zh),
            ClockEffect.Stop => new ClockEvent.Stopped(now, DoneOn(payload, state.Item, events, today, clockContext)),
            _ => null,
        };
        if (clockEvent is not null)
        {
            var ownerId = assignment is not null && assignment.ClockEvents.Count > 0 ? assignment.Id : (long?)null;
            if (events.Count > 0 || clockEvent is not ClockEvent.Stopped)
            {
                if (!Clock.TryApply(clock, clockEvent, clockContext, out _, out var error))
                {
                    throw new WorkflowRefusedException(RefusalKind.Rule, error!);
                }

                changes.Add(new ClockChange(ownerId, clockEvent));
            }
        }

        var said = new Dictionary<string, object?> { ["outcome"] = outcome.Id, ["assignment"] = assignment?.Id, ["department"] = context.DepartmentName(assignment?.DepartmentId ?? state.Item.DepartmentId), ["fields"] = payload };
        if (lateReason is not null)
        {
            // Asked for after the review step's limit (article 30: 7 working days from receipt): allowed, recorded as late.
            said["late"] = true;
            said["reason"] = lateReason;
        }

        var detail = JsonSerializer.Serialize(said);
        var history = new List<HistoryEntry>
        {
            new() { At = now, Actor = actor.Login, Action = "complete", FromStep = step.Id, ToStep = target.Id, Detail = detail },
        };

        if (assignment is not null)
        {
            // A per-assignment step: the assignment moves; the item closes when its last assignment does.
            var closes = target.Terminal;
            var stillOpen = state.Assignments.Count(a => !a.Closed && a.Id != assignment.Id);
            var itemCloses = closes && stillOpen == 0;
            return new Decision
            {
                Step = itemCloses ? target.Id : state.Item.Step,
                DepartmentId = state.Item.DepartmentId,
                Close = itemCloses,
                Result = itemCloses ? outcome.Result ?? "completed" : null,
                StepChanged = itemCloses,
                ClockChanges = changes,
                AssignmentChanges = [new AssignmentChange(assignment.Id, target.Id, assignment.DepartmentId, closes, closes ? outcome.Result ?? "completed" : null)],
                History = history,
            };
        }

        var newAssignments = new List<NewAssignment>();
        var assignmentChanges = new List<AssignmentChange>();
        if (target.PerAssignment && state.Item.Kind == ItemKind.Task && state.Assignments.Count == 0)
        {
            // Assigning (交办): one assignment per lead and responsible department, each with its own clock.
            using var json = JsonDocument.Parse(state.Item.Payload);
            var itemFields = json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty);
            var leads = Departments(itemFields, "leadDepartments", context);
            var responsible = Departments(itemFields, "responsibleDepartments", context).Except(leads);
            var limit = TaskLimit(itemFields.GetValueOrDefault("deadline")) ?? CycleOf(itemFields.GetValueOrDefault("reportCadence"));
            var startDay = today;
            if (itemFields.GetValueOrDefault(StartsAfterField) is { Length: > 0 } trigger)
            {
                // A task counted from an event (新规出台后1个月内): its clocks start on the day the event happened.
                startDay = payload.TryGetValue(EventOnField, out var happened)
                    ? ParseDay(happened)
                    : throw new WorkflowRefusedException(RefusalKind.Invalid, $"{EventOnField}: required: this task's deadline counts from '{trigger}'; give the day it happened (yyyy-MM-dd)");
                if (startDay > today)
                {
                    throw new WorkflowRefusedException(RefusalKind.Invalid, $"{EventOnField}: {happened} is in the future; record the event when it has happened");
                }
            }

            foreach (var (department, role) in leads.Select(d => (d, AssignmentRole.Lead)).Concat(responsible.Select(d => (d, AssignmentRole.Responsible))))
            {
                newAssignments.Add(new NewAssignment(department, role, target.Id, new ClockEvent.Started(now, startDay, limit)));
            }

            history.Add(new HistoryEntry
            {
                At = now,
                Actor = actor.Login,
                Action = "assigned",
                ToStep = target.Id,
                Detail = JsonSerializer.Serialize(new { departments = newAssignments.Select(a => new { department = context.DepartmentName(a.DepartmentId), role = a.Role.ToString().ToLowerInvariant() }), limit = limit.ToString() }),
            });
        }
        else if (state.Item.Kind == ItemKind.Request)
        {
            // The handling assignment follows the request's step.
            assignmentChanges.AddRange(state.Assignments.Where(a => !a.Closed).Select(a => new AssignmentChange(a.Id, target.Id, state.Item.DepartmentId, target.Terminal, target.Terminal ? outcome.Result : null)));
        }

        return new Decision
        {
            Step = target.Id,
            DepartmentId = state.Item.DepartmentId,
            Close = target.Terminal,
            Result = target.Terminal ? outcome.Result ?? "completed" : null,
            StepChanged = true,
            ClockChanges = changes,
            NewAssignments = newAssignments,
            AssignmentChanges = assignmentChanges,
            History = history,
        };
    }

    /// <summary>
    /// Pauses, resumes, extends or overrides the clock of the item (or of one assignment of a task). A pause or
    /// resumption may name the earlier day it took effect (<c>On</c>: not in the future, not before the clock's
    /// previous event). Extending here is a lead's direct extension (article 33; handlers ask through
    /// <see cref="Extend"/>); overriding sets only a later due day (article 35).
    /// </summary>
    public static Decision ClockAction(WorkflowDefinition definition, InstanceState state, Actor actor, StepAction action, long? assignmentId, ClockEvent clockEvent, DateTimeOffset now, WorkflowContext context)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(clockEvent);
        ArgumentNullException.ThrowIfNull(context);
        var (step, assignment) = Current(definition, state, null, assignmentId, context);
        Allowed(step, action);
        var department = assignment?.DepartmentId ?? state.Item.DepartmentId;
        if (action == StepAction.Override)
        {
            if (actor.Role is not (Role.Supervisor or Role.Lead) || !actor.Scope.Contains(department))
            {
                throw new WorkflowRefusedException(RefusalKind.Forbidden, $"setting the deadline directly (article 35) is for the lead or the supervising office of {context.DepartmentName(department)}");
            }
        }
        else if (clockEvent is ClockEvent.Extended)
        {
            CheckApprover(actor, definition, department, context);
        }
        else
        {
            CheckActor(actor, step, department, context);
        }

        if (clockEvent is ClockEvent.Paused paused)
        {
            if (definition.Clock.PauseReasons.All(r => r.Reason != paused.Reason))
            {
                throw new WorkflowRefusedException(RefusalKind.Rule, $"this workflow does not pause for '{Clock.ReasonCode(paused.Reason)}'; allowed: {string.Join(", ", definition.Clock.PauseReasons.Select(r => Clock.ReasonCode(r.Reason)))}");
            }

            if (definition.Kind == ItemKind.Request && paused.Reason == PauseReason.AwaitingCorrection)
            {
                throw new WorkflowRefusedException(RefusalKind.Rule,
                    "第三十条 (article 30): a correction is asked for once, at review, through its outcome, and the period then counts afresh; after acceptance the clock pauses only for consultation (articles 32 and 34)");
            }
        }

        var (events, clock) = ClockOf(state, assignment);
        if (events.Count == 0)
        {
            throw new WorkflowRefusedException(RefusalKind.Rule, "this item has no running deadline clock");
        }

        var clockContext = context.ClockFor(definition);
        CheckOn(clockEvent, events, now, clockContext);
        if (clockEvent is ClockEvent.Extended)
        {
            CheckPeriodRuns(definition, clock, now, clockContext);
        }

        if (clockEvent is ClockEvent.Overridden { DueOn: { } dueOn } && clock.DueDay is { } current)
        {
            // Article 35: for mass or repeated requests the agency may set a reasonable LATER reply date.
            var received = state.Item.ReceivedOn;
            if (dueOn < received || dueOn <= current)
            {
                throw new WorkflowRefusedException(RefusalKind.Rule, dueOn < received
                    ? $"第三十五条 (article 35): only a later reply date may be set; {Words.Day(dueOn)} is before the request was received ({Words.Day(received)})"
                    : $"第三十五条 (article 35): only a later reply date may be set; {Words.Day(dueOn)} is not after the current due day {Words.Day(current)}");
            }
        }

        if (!Clock.TryApply(clock, clockEvent, clockContext, out _, out var error))
        {
            throw new WorkflowRefusedException(RefusalKind.Rule, error!);
        }

        var ownerId = assignment is not null && assignment.ClockEvents.Count > 0 ? assignment.Id : (long?)null;
        return new Decision
        {
            Step = state.Item.Step,
            DepartmentId = state.Item.DepartmentId,
            ClockChanges = [new ClockChange(ownerId, clockEvent)],
            History = [new HistoryEntry { At = now, Actor = actor.Login, Action = action.ToString().ToLowerInvariant(), Detail = ClockDetail(assignment?.Id, clockEvent) }],
        };
    }

    /// <summary>
    /// Article 33: the period may be extended, by at most the cap, with the approval of the head of the disclosure
    /// office (a lead over the department; for tasks also the supervising office), while it runs. A handler's
    /// <c>extend</c> is a request (history <c>extension-requested</c>) that a lead approves or rejects
    /// (<see cref="ApproveExtension"/>, <see cref="RejectExtension"/>); a lead's extends at once, the lead as approver.
    /// </summary>
    public static Decision Extend(WorkflowDefinition definition, InstanceState state, Actor actor, long? assignmentId, TimeLimit by, string reason, DateTimeOffset now, WorkflowContext context)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(by);
        ArgumentNullException.ThrowIfNull(context);
        var (step, assignment) = Current(definition, state, null, assignmentId, context);
        Allowed(step, StepAction.Extend);
        var department = assignment?.DepartmentId ?? state.Item.DepartmentId;
        if (!MayApproveExtension(actor, definition, department))
        {
            CheckActor(actor, step, department, context);
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "reason: an extension needs its reason (article 33)");
        }

        if (state.PendingExtensionOf(assignment?.Id) is { } pending)
        {
            throw new WorkflowRefusedException(RefusalKind.Rule, $"an extension of {pending.By} asked for by {pending.RequestedBy} is waiting for a lead's decision; it is approved or rejected first");
        }

        var asked = new ClockEvent.Extended(now, by, actor.Login, reason.Trim());
        if (MayApproveExtension(actor, definition, department))
        {
            return ClockAction(definition, state, actor, StepAction.Extend, assignmentId, asked, now, context);
        }

        // A handler asks; the cap, the unit and the running period are checked now, and again when a lead decides.
        var (events, clock) = ClockOf(state, assignment);
        var clockContext = context.ClockFor(definition);
        if (events.Count == 0)
        {
            throw new WorkflowRefusedException(RefusalKind.Rule, "this item has no running deadline clock");
        }

        CheckPeriodRuns(definition, clock, now, clockContext);
        if (!Clock.TryApply(clock, asked, clockContext, out _, out var error))
        {
            throw new WorkflowRefusedException(RefusalKind.Rule, error!);
        }

        return new Decision
        {
            Step = state.Item.Step,
            DepartmentId = state.Item.DepartmentId,
            History = [new HistoryEntry { At = now, Actor = actor.Login, Action = ExtensionRequested, Detail = ExtensionDetail(assignment?.Id, by, asked.Reason, null) }],
        };
    }

    /// <summary>A lead approves the pending extension request: the clock is extended with the lead as approver (article 33), if the period still runs.</summary>
    public static Decision ApproveExtension(WorkflowDefinition definition, InstanceState state, Actor actor, long? assignmentId, DateTimeOffset now, WorkflowContext context)
    {
        var (pending, _) = Pending(definition, state, actor, assignmentId, context);
        var extended = new ClockEvent.Extended(now, pending.By, actor.Login, pending.Reason);
        var decision = ClockAction(definition, state, actor, StepAction.Extend, assignmentId, extended, now, context);
        return decision with
        {
            History = [new HistoryEntry { At = now, Actor = actor.Login, Action = ExtensionApproved, Detail = ExtensionDetail(pending.AssignmentId, pending.By, pending.Reason, pending, actor.Login) }],
        };
    }

    /// <summary>A lead rejects the pending extension request, with reasons; the clock is unchanged.</summary>
    public static Decision RejectExtension(WorkflowDefinition definition, InstanceState state, Actor actor, long? assignmentId, string reason, DateTimeOffset now, WorkflowContext context)
    {
        var (pending, _) = Pending(definition, state, actor, assignmentId, context);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "reason: a rejected extension needs its reasons");
        }

        return new Decision
        {
            Step = state.Item.Step,
            DepartmentId = state.Item.DepartmentId,
            History = [new HistoryEntry { At = now, Actor = actor.Login, Action = ExtensionRejected, Detail = ExtensionDetail(pending.AssignmentId, pending.By, reason.Trim(), pending) }],
        };
    }

    /// <summary>
    /// The extension requests still waiting for a lead, from an item's history: per clock (the item's, or each
    /// assignment's), the last of <c>extension-requested</c>, <c>extension-approved</c>, <c>extension-rejected</c> and
    /// <c>extend</c> is pending when it is a request.
    /// </summary>
    public static IReadOnlyList<PendingExtension> PendingExtensions(IEnumerable<HistoryEntry> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var last = new Dictionary<long, PendingExtension?>();
        foreach (var entry in history.OrderBy(h => h.Sequence))
        {
            if (entry.Action is not (ExtensionRequested or ExtensionApproved or ExtensionRejected or "extend"))
            {
                continue;
            }

            var detail = JsonNode.Parse(entry.Detail)?.AsObject();
            long? assignment = detail?["assignment"]?.GetValueKind() == JsonValueKind.Number ? detail["assignment"]!.GetValue<long>() : null;
            last[assignment ?? 0] = entry.Action == ExtensionRequested && detail?["by"]?.GetValue<string>() is { } by
                ? new PendingExtension(assignment, TimeLimit.Parse(by), detail["reason"]?.GetValue<string>() ?? string.Empty, entry.Actor, entry.At)
                : null;
        }

        return last.Values.OfType<PendingExtension>().ToList();
    }

    // The pending request a lead decides on, after checking the lead may.
    private static (PendingExtension Pending, StepDefinition Step) Pending(WorkflowDefinition definition, InstanceState state, Actor actor, long? assignmentId, WorkflowContext context)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(context);
        var (step, assignment) = Current(definition, state, null, assignmentId, context);
        CheckApprover(actor, definition, assignment?.DepartmentId ?? state.Item.DepartmentId, context);
        var pending = state.PendingExtensionOf(assignment?.Id)
            ?? throw new WorkflowRefusedException(RefusalKind.Conflict, $"no extension request of item {state.Item.Id} is waiting for a decision");
        return (pending, step);
    }

    private static bool MayApproveExtension(Actor actor, WorkflowDefinition definition, long department) =>
        actor.Scope.Contains(department) && (actor.Role == Role.Lead || (definition.Kind == ItemKind.Task && actor.Role == Role.Supervisor));

    private static void CheckApprover(Actor actor, WorkflowDefinition definition, long department, WorkflowContext context)
    {
        if (!MayApproveExtension(actor, definition, department))
        {
            throw new WorkflowRefusedException(RefusalKind.Forbidden, definition.Kind == ItemKind.Request
                ? $"an extension is approved by the head of the disclosure office (article 33): a lead of {context.DepartmentName(department)}; a handler asks for it with 'extend'"
                : $"an extension is approved by a lead of {context.DepartmentName(department)} or its supervising office; a handler asks for it with 'extend'");
        }
    }

    // Article 33: a request's period is extended while it runs: not while paused, not once its due day has passed.
    private static void CheckPeriodRuns(WorkflowDefinition definition, ClockState clock, DateTimeOffset now, ClockContext context)
    {
        if (definition.Kind != ItemKind.Request)
        {
            return;
        }

        if (clock.Status == ClockStatus.Paused)
        {
            throw new WorkflowRefusedException(RefusalKind.Rule, "第三十三条 (article 33): the period is extended while it runs; the clock is paused: resume it first");
        }

        if (clock.DueEnd is { } end && now >= end)
        {
            var due = clock.DueDay is { } day ? Words.Day(day) : Words.Instant(end, context.Zone);
            throw new WorkflowRefusedException(RefusalKind.Rule, $"第三十三条 (article 33): the period is extended while it runs; it ended with {due}, so the request is overdue and can no longer be extended");
        }
    }

    // A pause's or resumption's day (On): not ahead of today, not before the clock's previous event.
    private static void CheckOn(ClockEvent clockEvent, IReadOnlyList<ClockEvent> events, DateTimeOffset now, ClockContext context)
    {
        var on = clockEvent switch
        {
            ClockEvent.Paused p => p.On,
            ClockEvent.Resumed r => r.On,
            _ => null,
        };
        if (on is { } day)
        {
            NotFutureNorBefore("on", day, context.DayOf(now), LastDay(events, context));
        }
    }

    // The latest day the clock's events took effect on, and which event it was.
    private static (DateOnly Day, string What) LastDay(IReadOnlyList<ClockEvent> events, ClockContext context)
    {
        var last = events.MaxBy(e => ClockEvent.DayOf(e, context))!;
        return (ClockEvent.DayOf(last, context), $"the clock's previous event ({ClockEventJson.Kind(last)} on {Words.Day(ClockEvent.DayOf(last, context))})");
    }

    private static DateOnly NotFutureNorBefore(string field, DateOnly day, DateOnly today, params (DateOnly Day, string What)[] earliest)
    {
        if (day > today)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"{field}: {Words.Day(day)} is in the future; enter it once it has happened");
        }

        foreach (var (limit, what) in earliest)
        {
            if (day < limit)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, $"{field}: {Words.Day(day)} is before {what}");
            }
        }

        return day;
    }

    // Article 30: the applicant is told once (一次性告知) what to correct, within 7 working days of receipt; the period
    // then counts afresh, once, from receipt of the corrected application. Returns the reason of a late correction.
    private static string? CheckCorrection(StepDefinition step, OutcomeDefinition outcome, InstanceState state, IReadOnlyDictionary<string, string> fields, DateTimeOffset now, ClockContext context)
    {
        var asked = state.ClockEvents.FirstOrDefault(e => e is ClockEvent.Paused { Reason: PauseReason.AwaitingCorrection });
        if (outcome is { Clock: ClockEffect.Pause, PauseReason: PauseReason.AwaitingCorrection })
        {
            if (asked is not null || state.Restarts > 0)
            {
                var when = asked is not null ? $" on {Words.Day(ClockEvent.DayOf(asked, context))}" : string.Empty;
                throw new WorkflowRefusedException(RefusalKind.Rule, $"第三十条 (article 30): the applicant is told once what to correct (一次性告知); this request's correction was already asked for{when}");
            }

            var received = state.Item.ReceivedOn;
            if (step.Limit is { IsDayBased: true } limit && Clock.DueFrom(limit, received, now, context.Calendar).DueDay is { } by && context.DayOf(now) > by)
            {
                var reason = fields.GetValueOrDefault("reason")?.Trim();
                return string.IsNullOrEmpty(reason)
                    ? throw new WorkflowRefusedException(RefusalKind.Invalid, $"reason: required: the correction is asked for after the {limit} of article 30 (received {Words.Day(received)}, ended with {Words.Day(by)}); say why it is late")
                    : reason;
            }
        }
        else if (outcome.Clock == ClockEffect.Restart)
        {
            if (state.ClockEvents.LastOrDefault(e => e is ClockEvent.Restarted) is ClockEvent.Restarted restarted)
            {
                throw new WorkflowRefusedException(RefusalKind.Rule, $"第三十条 (article 30): the period counts afresh once; it already did from {Words.Day(restarted.StartDay)}");
            }

            if (asked is null)
            {
                throw new WorkflowRefusedException(RefusalKind.Rule, "第三十条 (article 30): the period counts afresh only after the applicant was asked for a correction; none was asked for");
            }
        }

        return null;
    }

    // The day the corrected application was received: given (not in the future, not before receipt or the request for
    // it), or, where a definition does not ask for it, today.
    private static DateOnly CorrectedOn(Dictionary<string, string> payload, InstanceState state, DateOnly today, ClockContext context)
    {
        if (!payload.TryGetValue(CorrectedOnField, out var text))
        {
            return today;
        }

        var asked = state.ClockEvents.FirstOrDefault(e => e is ClockEvent.Paused { Reason: PauseReason.AwaitingCorrection });
        var received = (state.Item.ReceivedOn, $"the request was received ({Words.Day(state.Item.ReceivedOn)})");
        return asked is null
            ? NotFutureNorBefore(CorrectedOnField, ParseDay(text), today, received)
            : NotFutureNorBefore(CorrectedOnField, ParseDay(text), today, received, (ClockEvent.DayOf(asked, context), $"the correction was asked for ({Words.Day(ClockEvent.DayOf(asked, context))})"));
    }

    // The day the work was done when the step records it (a reply's date): not in the future, not before receipt or
    // the clock's previous event. Null: the day of entry.
    private static DateOnly? DoneOn(Dictionary<string, string> payload, SupervisedItem item, IReadOnlyList<ClockEvent> events, DateOnly today, ClockContext context)
    {
        if (!payload.TryGetValue(ReplyDateField, out var text))
        {
            return null;
        }

        var received = (item.ReceivedOn, $"the request was received ({Words.Day(item.ReceivedOn)})");
        return events.Count == 0
            ? NotFutureNorBefore(ReplyDateField, ParseDay(text), today, received)
            : NotFutureNorBefore(ReplyDateField, ParseDay(text), today, received, LastDay(events, context));
    }

    private static (IReadOnlyList<ClockEvent> Events, ClockState Clock) ClockOf(InstanceState state, AssignmentState? assignment) =>
        assignment is not null && assignment.ClockEvents.Count > 0 ? (assignment.ClockEvents, assignment.Clock) : (state.ClockEvents, state.Clock);

    private static string ClockDetail(long? assignment, ClockEvent clockEvent) =>
        new JsonObject { ["assignment"] = assignment, ["clock"] = ClockEventJson.Kind(clockEvent), ["data"] = JsonNode.Parse(ClockEventJson.Data(clockEvent)) }.ToJsonString();

    private static string ExtensionDetail(long? assignment, TimeLimit by, string reason, PendingExtension? request, string? approver = null)
    {
        var detail = new JsonObject
        {
            ["assignment"] = assignment,
            ["by"] = by.ToString(),
            ["workingDays"] = by is TimeLimit.WorkingDays w ? w.Count : null,
            ["reason"] = reason,
        };
        if (request is not null)
        {
            detail["requestedBy"] = request.RequestedBy;
            detail["requestedAt"] = request.RequestedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
            detail["requestReason"] = request.Reason;
        }

        if (approver is not null)
        {
            detail["approver"] = approver;
        }

        return detail.ToJsonString();
    }

    /// <summary>Transfers the item (or one assignment) to another department (转办).</summary>
    public static Decision Transfer(WorkflowDefinition definition, InstanceState state, Actor actor, long? assignmentId, long toDepartment, string reason, DateTimeOffset now, WorkflowContext context)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var (step, assignment) = Current(definition, state, null, assignmentId, context);
        Allowed(step, StepAction.Transfer);
        var from = assignment?.DepartmentId ?? state.Item.DepartmentId;
        if (actor.Role is not (Role.Handler or Role.Lead or Role.Supervisor) || !actor.Scope.Contains(from))
        {
            throw new WorkflowRefusedException(RefusalKind.Forbidden, $"this item belongs to {context.DepartmentName(from)}");
        }

        if (from == toDepartment)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"the item already belongs to {context.DepartmentName(toDepartment)}");
        }

        if (assignment is not null && state.Assignments.Any(a => a.DepartmentId == toDepartment && !a.Closed))
        {
            throw new WorkflowRefusedException(RefusalKind.Rule, $"{context.DepartmentName(toDepartment)} already has an assignment of this task");
        }

        var entry = new HistoryEntry
        {
            At = now,
            Actor = actor.Login,
            Action = "transfer",
            Detail = JsonSerializer.Serialize(new { assignment = assignment?.Id, from = context.DepartmentName(from), to = context.DepartmentName(toDepartment), reason }),
        };
        return assignment is not null
            ? new Decision { Step = state.Item.Step, DepartmentId = state.Item.DepartmentId, AssignmentChanges = [new AssignmentChange(assignment.Id, assignment.Step, toDepartment, false, null)], History = [entry] }
            : new Decision
            {
                Step = state.Item.Step,
                DepartmentId = toDepartment,
                AssignmentChanges = state.Assignments.Where(a => !a.Closed).Select(a => new AssignmentChange(a.Id, a.Step, toDepartment, false, null)).ToList(),
                History = [entry],
            };
    }

    /// <summary>Returns the item (or an assignment) to a step that leads to the current one (退回), with reasons.</summary>
    public static Decision Return(WorkflowDefinition definition, InstanceState state, Actor actor, long? assignmentId, string toStep, string reason, DateTimeOffset now, WorkflowContext context)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var (step, assignment) = Current(definition, state, null, assignmentId, context);
        Allowed(step, StepAction.Return);
        CheckActor(actor, step, assignment?.DepartmentId ?? state.Item.DepartmentId, context);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "reason: a return needs its reasons");
        }

        var target = definition.Step(toStep);
        if (target is null || target.Outcomes.All(o => o.To != step.Id))
        {
            var allowed = definition.Steps.Where(s => s.Outcomes.Any(o => o.To == step.Id)).Select(s => s.Id).ToList();
            throw new WorkflowRefusedException(RefusalKind.Rule, $"step '{step.Id}' can return only to a step that leads to it: {string.Join(", ", allowed)}");
        }

        var entry = new HistoryEntry { At = now, Actor = actor.Login, Action = "return", FromStep = step.Id, ToStep = target.Id, Detail = JsonSerializer.Serialize(new { assignment = assignment?.Id, reason }) };
        return assignment is not null
            ? new Decision { Step = state.Item.Step, DepartmentId = state.Item.DepartmentId, AssignmentChanges = [new AssignmentChange(assignment.Id, target.Id, assignment.DepartmentId, false, null)], History = [entry] }
            : new Decision
            {
                Step = target.Id,
                DepartmentId = state.Item.DepartmentId,
                StepChanged = true,
                AssignmentChanges = state.Assignments.Where(a => !a.Closed).Select(a => new AssignmentChange(a.Id, target.Id, a.DepartmentId, false, null)).ToList(),
                History = [entry],
            };
    }

    /// <summary>Adds a progress report; for an ongoing task the report also starts its next cycle.</summary>
    public static Decision Report(WorkflowDefinition definition, InstanceState state, Actor actor, long? assignmentId, string text, DateTimeOffset now, WorkflowContext context)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var (step, assignment) = Current(definition, state, null, assignmentId, context);
        Allowed(step, StepAction.Report);
        CheckActor(actor, step, assignment?.DepartmentId ?? state.Item.DepartmentId, context);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "text: a progress report needs its text");
        }

        var changes = new List<ClockChange>();
        if (assignment is not null && IsOngoing(state.Item) && assignment.Clock.Status == ClockStatus.Running)
        {
            // Each reporting cycle has its own light: a report closes this cycle and starts the next from today.
            changes.Add(new ClockChange(assignment.Id, new ClockEvent.Restarted(now, context.Clock.DayOf(now), "进展报送")));
        }

        return new Decision
        {
            Step = state.Item.Step,
            DepartmentId = state.Item.DepartmentId,
            ClockChanges = changes,
            History = [new HistoryEntry { At = now, Actor = actor.Login, Action = "report", Detail = JsonSerializer.Serialize(new { assignment = assignment?.Id, department = context.DepartmentName(assignment?.DepartmentId ?? state.Item.DepartmentId), text, cycle = changes.Count > 0 }) }],
        };
    }

    /// <summary>Withdraws the item: every clock stops and it closes as withdrawn.</summary>
    public static Decision Withdraw(WorkflowDefinition definition, InstanceState state, Actor actor, string reason, DateTimeOffset now, WorkflowContext context)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        var (step, _) = Current(definition, state, null, null, context, itemLevel: true);
        Allowed(step, StepAction.Withdraw);
        CheckActor(actor, step, state.Item.DepartmentId, context);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "reason: a withdrawal needs its reason");
        }

        var changes = new List<ClockChange>();
        if (state.ClockEvents.Count > 0 && state.Clock.Status is ClockStatus.Running or ClockStatus.Paused)
        {
            changes.Add(new ClockChange(null, new ClockEvent.Stopped(now)));
        }

        changes.AddRange(state.Assignments.Where(a => !a.Closed && a.ClockEvents.Count > 0 && a.Clock.Status is ClockStatus.Running or ClockStatus.Paused)
            .Select(a => new ClockChange(a.Id, new ClockEvent.Stopped(now))));
        var terminal = definition.Steps.First(s => s.Terminal);
        return new Decision
        {
            Step = terminal.Id,
            DepartmentId = state.Item.DepartmentId,
            Close = true,
            Result = "withdrawn",
            StepChanged = true,
            ClockChanges = changes,
            AssignmentChanges = state.Assignments.Where(a => !a.Closed).Select(a => new AssignmentChange(a.Id, terminal.Id, a.DepartmentId, true, "withdrawn")).ToList(),
            History = [new HistoryEntry { At = now, Actor = actor.Login, Action = "withdraw", FromStep = state.Item.Step, ToStep = terminal.Id, Detail = JsonSerializer.Serialize(new { reason }) }],
        };
    }

    /// <summary>True for a task without a deadline, reported on each cycle.</summary>
    public static bool IsOngoing(SupervisedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Kind != ItemKind.Task)
        {
            return false;
        }

        using var json = JsonDocument.Parse(item.Payload);
        return json.RootElement.TryGetProperty("deadline", out var d) && d.ValueKind == JsonValueKind.String && TaskLimit(d.GetString()) is null;
    }

    private static (StepDefinition Step, AssignmentState? Assignment) Current(WorkflowDefinition definition, InstanceState state, string? expectedStep, long? assignmentId, WorkflowContext context, bool itemLevel = false)
    {
        if (state.Closed)
        {
            throw new WorkflowRefusedException(RefusalKind.Conflict, $"item {state.Item.Id} is closed ({state.Item.Step})");
        }

        if (assignmentId is { } id)
        {
            var assignment = state.Assignments.FirstOrDefault(a => a.Id == id)
                ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"assignment: {id} is not an assignment of item {state.Item.Id}");
            if (assignment.Closed)
            {
                throw new WorkflowRefusedException(RefusalKind.Conflict, $"the assignment of {context.DepartmentName(assignment.DepartmentId)} is closed");
            }

            if (expectedStep is not null && assignment.Step != expectedStep)
            {
                throw new WorkflowRefusedException(RefusalKind.Conflict, $"step '{expectedStep}' is already done: the assignment of {context.DepartmentName(assignment.DepartmentId)} is at '{assignment.Step}'");
            }

            var step = definition.Step(assignment.Step)!;
            if (state.Item.Kind == ItemKind.Task && !step.PerAssignment)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, $"step '{step.Id}' is not done per assignment");
            }

            return (step, state.Item.Kind == ItemKind.Task ? assignment : null);
        }

        var current = definition.Step(state.Item.Step)!;
        if (current.PerAssignment && state.Item.Kind == ItemKind.Task && !itemLevel)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"assignment: step '{current.Id}' is done per department; say which assignment ({string.Join(", ", state.Assignments.Where(a => !a.Closed).Select(a => $"{a.Id} {context.DepartmentName(a.DepartmentId)}"))})");
        }

        if (expectedStep is not null && current.Id != expectedStep)
        {
            throw new WorkflowRefusedException(RefusalKind.Conflict, $"step '{expectedStep}' is already done: item {state.Item.Id} is at '{current.Id}'");
        }

        return (current, null);
    }

    private static void Allowed(StepDefinition step, StepAction action)
    {
        if (!step.Allows(action))
        {
            throw new WorkflowRefusedException(RefusalKind.Rule, $"'{action.ToString().ToLowerInvariant()}' is not allowed at step '{step.Id}' ({step.Name.Zh})");
        }
    }

    /// <summary>
    /// What <paramref name="actor"/> may do to the item now, by the same rules the actions themselves check: the
    /// outcomes of each current step they act at (the item's, or each open assignment's) with the step's and the
    /// outcome's fields, and the step's actions that apply in the clock's state (pause while running, resume while
    /// paused, ...): for requests the pause reasons exclude awaiting-correction (asked for at review, article 30), and
    /// extending is offered while the period runs (article 33; at <paramref name="now"/>, when given), to a handler as
    /// a request and to a lead at once, with approve-extension and reject-extension to the lead while a request waits.
    /// Empty for a closed item.
    /// </summary>
    public static IReadOnlyList<AvailableAction> Available(WorkflowDefinition definition, InstanceState state, Actor actor, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(actor);
        var available = new List<AvailableAction>();
        if (state.Closed)
        {
            return available;
        }

        var request = definition.Kind == ItemKind.Request;
        var itemStep = definition.Step(state.Item.Step)!;
        var targets = itemStep.PerAssignment && state.Item.Kind == ItemKind.Task
            ? state.Assignments.Where(a => !a.Closed).Select(a => (Step: definition.Step(a.Step)!, Department: a.DepartmentId, Assignment: (long?)a.Id, Clock: a.ClockEvents.Count > 0 ? a.Clock : state.Clock)).ToList()
            : [(itemStep, state.Item.DepartmentId, null, state.Clock)];
        var reasons = definition.Clock.PauseReasons.Where(r => !(request && r.Reason == PauseReason.AwaitingCorrection)).Select(r => Clock.ReasonCode(r.Reason)).ToList();
        foreach (var (step, department, assignment, clock) in targets)
        {
            var mayAct = MayAct(actor, step, department);
            if (mayAct)
            {
                available.AddRange(step.Outcomes.Select(o => new AvailableAction("complete", assignment, step.Id, o.Id, o.Name, [.. step.Fields, .. o.Fields], [])));
            }

            var running = clock.Status == ClockStatus.Running;
            var paused = clock.Status == ClockStatus.Paused;
            var approver = MayApproveExtension(actor, definition, department);
            var pending = state.PendingExtensionOf(assignment);
            var periodRuns = running && !(request && now is { } at && clock.DueEnd is { } end && at >= end);
            foreach (var action in step.Actions)
            {
                var (code, name, choices, allowed) = action switch
                {
                    StepAction.Pause => ("pause", new LocalText("暂停计时", "Pause the clock"), reasons, mayAct && running && reasons.Count > 0),
                    StepAction.Resume => ("resume", new LocalText("恢复计时", "Resume the clock"), [], mayAct && paused),
                    StepAction.Extend when approver => ("extend", new LocalText("延长答复期限", "Extend the deadline"), [], periodRuns && pending is null),
                    StepAction.Extend => ("extend", new LocalText("申请延长答复期限", "Ask to extend the deadline"), [], mayAct && periodRuns && pending is null),
                    StepAction.Override => ("override", new LocalText("直接确定期限", "Set the deadline"), [], running && actor.Role is Role.Supervisor or Role.Lead && actor.Scope.Contains(department)),
                    StepAction.Transfer => ("transfer", new LocalText("转办", "Transfer"), [], actor.Role is Role.Handler or Role.Lead or Role.Supervisor && actor.Scope.Contains(department)),
                    StepAction.Return => ("return", new LocalText("退回", "Return"), definition.Steps.Where(s => s.Outcomes.Any(o => o.To == step.Id)).Select(s => s.Id).ToList(), mayAct),
                    StepAction.Report => ("report", new LocalText("报送进展", "Report progress"), [], mayAct),
                    StepAction.Withdraw => ("withdraw", new LocalText("撤回", "Withdraw"), [], assignment is null && MayAct(actor, step, department)),
                    _ => (string.Empty, new LocalText(string.Empty, string.Empty), new List<string>(), false),
                };
                if (allowed)
                {
                    available.Add(new AvailableAction(code, assignment, step.Id, null, name, [], choices));
                }
            }

            if (approver && pending is not null)
            {
                // Approved only where the step still extends and the period runs; rejected wherever the item now is.
                if (step.Allows(StepAction.Extend) && periodRuns)
                {
                    available.Add(new AvailableAction("approve-extension", assignment, step.Id, null, new LocalText($"批准延长{pending.By.ToChinese()}", $"Approve the extension by {pending.By}"), [], []));
                }

                available.Add(new AvailableAction("reject-extension", assignment, step.Id, null, new LocalText("不予延长", "Reject the extension"), [], []));
            }
        }

        return available;
    }

    private static bool MayAct(Actor actor, StepDefinition step, long departmentId) => step.Role switch
    {
        Role.Handler => actor.Role is Role.Handler or Role.Lead && (actor.Role == Role.Lead ? actor.Scope.Contains(departmentId) : actor.DepartmentId == departmentId),
        Role.Lead => actor.Role == Role.Lead && actor.Scope.Contains(departmentId),
        Role.Supervisor => actor.Role == Role.Supervisor && actor.Scope.Contains(departmentId),
        _ => actor.Role == Role.Admin,
    };

    private static void CheckActor(Actor actor, StepDefinition step, long departmentId, WorkflowContext context)
    {
        if (!MayAct(actor, step, departmentId))
        {
            var who = step.Role switch
            {
                Role.Handler => "a handler",
                Role.Lead => "the lead",
                Role.Supervisor => "the supervising office",
                _ => "an administrator",
            };
            throw new WorkflowRefusedException(RefusalKind.Forbidden, $"this step belongs to {context.DepartmentName(departmentId)}: step '{step.Id}' ({step.Name.Zh}) is for {who} there");
        }
    }

    private static Dictionary<string, string> CheckFields(IReadOnlyList<FieldDefinition> declared, IReadOnlyDictionary<string, string> fields, WorkflowContext context, string? undeclaredDate = null)
    {
        var problems = new List<string>();
        var result = new Dictionary<string, string>();
        foreach (var field in declared)
        {
            var value = fields.GetValueOrDefault(field.Name)?.Trim();
            if (value is { Length: > MaxFieldLength })
            {
                problems.Add($"{field.Name}: at most {MaxFieldLength} characters");
                continue;
            }

            if (string.IsNullOrEmpty(value))
            {
                if (field.Required)
                {
                    problems.Add($"{field.Name}: required ({field.Label.Zh})");
                }

                continue;
            }

            switch (field.Type)
            {
                case FieldType.Date when !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                    problems.Add($"{field.Name}: '{value}' is not a date (yyyy-MM-dd)");
                    continue;
                case FieldType.Choice when !field.Choices.Contains(value):
                    problems.Add($"{field.Name}: '{value}' is not one of {string.Join(", ", field.Choices)}");
                    continue;
                case FieldType.Department or FieldType.Departments when SplitNames(value).Length == 0:
                    // Only separators (";", "、"): given, but naming no department (a task stored without its lead).
                    problems.Add($"{field.Name}: '{value}' names no department");
                    continue;
                case FieldType.Department or FieldType.Departments:
                    var unknown = SplitNames(value).Where(n => context.ResolveDepartment(n) is null).ToList();
                    if (unknown.Count > 0 || (field.Type == FieldType.Department && SplitNames(value).Length != 1))
                    {
                        problems.Add(unknown.Count > 0 ? $"{field.Name}: unknown department {string.Join(", ", unknown)}" : $"{field.Name}: one department");
                        continue;
                    }

                    break;
                default:
                    break;
            }

            result[field.Name] = value;
        }

        foreach (var (name, value) in fields.Where(f => declared.All(d => d.Name != f.Key) && !string.IsNullOrWhiteSpace(f.Value)))
        {
            // Fields the definition does not declare are dropped, except the one date a definition written before
            // outcomes declared fields still gives undeclared (disclosure-request v1's correctedOn).
            if (name == undeclaredDate)
            {
                if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    problems.Add($"{name}: '{value}' is not a date (yyyy-MM-dd)");
                }
                else
                {
                    result[name] = value.Trim();
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, string.Join("; ", problems));
        }

        return result;
    }

    private static string[] SplitNames(string value) =>
        value.Split([',', '，', '、', ';', '；', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static List<long> Departments(Dictionary<string, string> fields, string name, WorkflowContext context) =>
        fields.TryGetValue(name, out var value) ? SplitNames(value).Select(n => context.ResolveDepartment(n)!.Value).Distinct().ToList() : [];

    private static TimeLimit? TaskLimit(string? deadline)
    {
        if (deadline is null || OngoingWords.Contains(deadline.Trim()))
        {
            return null;
        }

        return TimeLimit.TryParse(deadline, out var limit, out var error)
            ? limit
            : throw new WorkflowRefusedException(RefusalKind.Invalid, $"deadline: {error}; or 'ongoing' (长期坚持) with a report cadence");
    }

    private static TimeLimit.Months CycleOf(string? cadence) => cadence switch
    {
        "quarterly" => new TimeLimit.Months(3),
        "half-yearly" => new TimeLimit.Months(6),
        _ => new TimeLimit.Months(1),
    };

    private static DateOnly ParseDay(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
