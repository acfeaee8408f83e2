using System.Text.Json;
using Supervision.Engine.Clocks;
using Supervision.Engine.Items;

namespace Supervision.Engine.Workflows;

// The workflow actions that move an item or an assignment: completing a step, transferring, returning, reporting, withdrawing.
public static partial class WorkflowEngine
{
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
            var task = TaskFields.FromPayload(state.Item.Payload);
            var leads = Departments(task.LeadDepartments, context);
            var responsible = Departments(task.ResponsibleDepartments, context).Except(leads);
            var limit = TaskLimit(task.Deadline) ?? CycleOf(task.ReportCadence);
            var startDay = today;
            if (task.StartsAfter is { Length: > 0 } trigger)
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
}
