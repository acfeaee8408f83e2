using Supervision.Engine.Clocks;
using Supervision.Engine.Items;

namespace Supervision.Engine.Workflows;

// Who may act where: the same rules for the actions and for what the page offers (Available).
public static partial class WorkflowEngine
{
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
}
