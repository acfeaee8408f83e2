using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;

namespace Supervision.Engine.Workflows;

// The actions on a clock (pause, resume, extend, override) and the articles' rules on clock events: extensions asked
// for and decided (art. 33), the days events take effect on, corrections (art. 30) and the reply date.
public static partial class WorkflowEngine
{
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
}
