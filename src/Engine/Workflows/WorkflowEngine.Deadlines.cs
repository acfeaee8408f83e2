using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;

namespace Supervision.Engine.Workflows;

// What a registration or a decision does to deadlines: the item's and its assignments' clocks folded, their
// snapshots, closing and the worst of a task's assignments (ItemDeadlines), and the step limits (StepDeadlines).
public static partial class WorkflowEngine
{
    /// <summary>
    /// Applies <paramref name="decision"/> to the item as loaded (<paramref name="state"/>, with what is stored on each
    /// assignment) at <paramref name="now"/>: the decision's clock events appended to the clocks they belong to, every
    /// clock folded again, closed work closing done-on-time or done-late, a task showing its worst open assignment, and
    /// the step limits of the step each holder is at afterwards. Storage writes the result as it is.
    /// </summary>
    public static AppliedDecision Apply(WorkflowDefinition definition, InstanceState state, Decision decision, WorkflowContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(context);
        var item = state.Item;
        var itemEvents = Appended(state.ClockEvents, decision, null);
        var holders = new List<(DeadlineHolder Deadline, StepHolder Step)>();
        foreach (var a in state.Assignments)
        {
            var change = decision.AssignmentChanges.FirstOrDefault(c => c.Id == a.Id);
            var events = Appended(a.ClockEvents, decision, a.Id);
            var closed = a.Closed || change?.Close == true;
            var step = change?.Step ?? a.Step;
            holders.Add((new DeadlineHolder(a.Id, change?.DepartmentId ?? a.DepartmentId, events, a.Snapshot, closed),
                new StepHolder(a.Id, step, closed, step != a.Step ? now : a.StepEnteredAt, events)));
        }

        holders.AddRange(decision.NewAssignments.Select((a, i) => Fresh(a, i, now)));
        var after = item with
        {
            Step = decision.Step,
            DepartmentId = decision.DepartmentId,
            ClosedAt = decision.Close ? now : null,
            Result = decision.Close ? decision.Result : null,
            StepEnteredAt = decision.StepChanged ? now : item.StepEnteredAt,
        };
        var (updated, deadlines, itemStep, steps) = Settle(definition, after, itemEvents, holders, context.ClockFor(definition), now);

        var assignments = new List<AssignmentUpdate>(state.Assignments.Count);
        for (var i = 0; i < state.Assignments.Count; i++)
        {
            var a = state.Assignments[i];
            var change = decision.AssignmentChanges.FirstOrDefault(c => c.Id == a.Id);
            var deadline = deadlines.Assignments[i];
            var stepState = steps.GetValueOrDefault(a.Id, StepState.None);
            var (step, department) = (change?.Step ?? a.Step, change?.DepartmentId ?? a.DepartmentId);
            var closedAt = a.ClosedAt ?? (change?.Close == true ? now : null);
            var result = a.Result ?? change?.Result;
            var changed = step != a.Step || department != a.DepartmentId || closedAt != a.ClosedAt || result != a.Result || a.Snapshot is null || deadline.DiffersFrom(a.Snapshot);
            assignments.Add(new AssignmentUpdate(a.Id, step, department, deadline, stepState, closedAt, result, changed, stepState != a.StepState));
        }

        var added = decision.NewAssignments
            .Select((a, i) => new AddedAssignment(a, deadlines.Assignments[state.Assignments.Count + i], steps.GetValueOrDefault(ProvisionalId(i), StepState.None)))
            .ToList();
        // The item's light move on the entry that records the decision.
        var first = decision.History[0];
        var moved = item.Light != updated.Light;
        IReadOnlyList<HistoryEntry> history =
            [first with { FromLight = moved ? item.Light : first.FromLight, ToLight = moved ? updated.Light : first.ToLight }, .. decision.History.Skip(1)];
        return new AppliedDecision(decision, updated, assignments, added, history) { Deadline = deadlines.Item, StepState = itemStep };
    }

    // A registration's item and assignments with the deadlines and step limits they start with.
    private static Registration Registered(WorkflowDefinition definition, SupervisedItem item, ClockEvent.Started? start, IReadOnlyList<NewAssignment> assignments, HistoryEntry history,
        DateTimeOffset now, WorkflowContext context)
    {
        var (registered, deadlines, _, steps) = Settle(definition, item with { StepEnteredAt = now, CreatedAt = now }, start is null ? [] : [start],
            assignments.Select((a, i) => Fresh(a, i, now)).ToList(), context.ClockFor(definition), now);
        var added = assignments.Select((a, i) => new AddedAssignment(a, deadlines.Assignments[i], steps.GetValueOrDefault(ProvisionalId(i), StepState.None))).ToList();
        return new Registration(registered, start, added, history with { ToLight = deadlines.Item.Light });
    }

    // The deadlines of the item as it stands after what happened (its step, department and closing set), and the step
    // limits they give; the item returned carries both.
    private static (SupervisedItem Item, ItemDeadlines Deadlines, StepState ItemStep, IReadOnlyDictionary<long, StepState> Steps) Settle(
        WorkflowDefinition definition, SupervisedItem item, IReadOnlyList<ClockEvent> itemEvents, IReadOnlyList<(DeadlineHolder Deadline, StepHolder Step)> holders, ClockContext clock, DateTimeOffset now)
    {
        var deadlines = ItemDeadlines.Fold(itemEvents, item.ClosedAt is not null, holders.Select(h => h.Deadline).ToList(), definition.Clock.Policy, clock, now);
        var (itemStep, steps) = StepDeadlines.Compute(definition, item, itemEvents, holders.Select(h => h.Step).ToList(), clock, now);
        return (itemStep.ApplyTo(deadlines.Item.ApplyTo(item)), deadlines, itemStep, steps);
    }

    // A new assignment as the folds see it: a provisional id, its clock's start if it has one, entering its step now.
    private static (DeadlineHolder Deadline, StepHolder Step) Fresh(NewAssignment a, int index, DateTimeOffset now)
    {
        IReadOnlyList<ClockEvent> events = a.Start is { } start ? [start] : [];
        return (new DeadlineHolder(ProvisionalId(index), a.DepartmentId, events, null, false), new StepHolder(ProvisionalId(index), a.Step, false, now, events));
    }

    // New assignments have no id before storage gives them one: -1, -2, ... in the order they are made.
    private static long ProvisionalId(int index) => -1 - index;

    // A clock's events with the decision's new ones for it (the item's: assignment null).
    private static List<ClockEvent> Appended(IReadOnlyList<ClockEvent> events, Decision decision, long? assignmentId) =>
        [.. events, .. decision.ClockChanges.Where(c => c.AssignmentId == assignmentId).Select(c => c.Event)];
}
