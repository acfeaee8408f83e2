using Supervision.Engine.Clocks;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;

namespace Supervision.Engine.Tests.Workflows;

/// <summary>
/// An item as storage holds it, written exactly as the engine's <see cref="Registration"/> and
/// <see cref="AppliedDecision"/> say and nothing more (what the Host's InstanceStore does with its tables): clock events
/// appended, changed assignments rewritten, a step limit alone updated, new assignments numbered, history appended.
/// </summary>
internal sealed class StoredInstance
{
    private readonly WorkflowDefinition _definition;
    private readonly WorkflowContext _context;
    private readonly List<HistoryEntry> _history = [];
    private long _nextAssignmentId = 10;

    public StoredInstance(WorkflowDefinition definition, WorkflowContext context, Registration registration)
    {
        _definition = definition;
        _context = context;
        _history.Add(registration.History with { Sequence = 1 });
        var assignments = registration.Assignments.Select(a => Added(a, registration.Item.CreatedAt)).ToList();
        IReadOnlyList<ClockEvent> events = registration.Start is { } start ? [start] : [];
        State = new InstanceState(registration.Item with { Id = 42, Version = 1 }, events, Fold(events), assignments);
    }

    public InstanceState State { get; private set; }

    public SupervisedItem Item => State.Item;

    public IReadOnlyList<HistoryEntry> History => _history;

    public AssignmentState Assignment(long departmentId) => State.Assignments.Single(a => a.DepartmentId == departmentId);

    /// <summary>Decides with <paramref name="decide"/> on the stored state, applies the decision, and stores the result.</summary>
    public AppliedDecision Act(Func<InstanceState, Decision> decide, DateTimeOffset now)
    {
        var decision = decide(State);
        var applied = WorkflowEngine.Apply(_definition, State, decision, _context, now);
        var assignments = new List<AssignmentState>();
        for (var i = 0; i < State.Assignments.Count; i++)
        {
            var (before, update) = (State.Assignments[i], applied.Assignments[i]);
            Assert.Equal(before.Id, update.Id);
            IReadOnlyList<ClockEvent> events = [.. before.ClockEvents, .. decision.ClockChanges.Where(c => c.AssignmentId == before.Id).Select(c => c.Event)];
            var after = before with { ClockEvents = events, Clock = Fold(events) };
            if (update.Changed)
            {
                after = after with
                {
                    Step = update.Step,
                    DepartmentId = update.DepartmentId,
                    Closed = update.ClosedAt is not null,
                    Snapshot = update.Deadline,
                    StepState = update.StepState,
                    StepEnteredAt = update.Step != before.Step ? now : before.StepEnteredAt,
                    ClosedAt = update.ClosedAt,
                    Result = update.Result,
                };
            }
            else if (update.StepStateChanged)
            {
                after = after with { StepState = update.StepState };
            }

            assignments.Add(after);
        }

        assignments.AddRange(applied.Added.Select(a => Added(a, now)));
        foreach (var entry in applied.History)
        {
            _history.Add(entry with { Sequence = _history.Count + 1 });
        }

        IReadOnlyList<ClockEvent> itemEvents = [.. State.ClockEvents, .. decision.ClockChanges.Where(c => c.AssignmentId is null).Select(c => c.Event)];
        State = new InstanceState(applied.Item with { Version = _history.Count }, itemEvents, Fold(itemEvents), assignments)
        {
            PendingExtensions = WorkflowEngine.PendingExtensions(_history),
        };
        return applied;
    }

    private AssignmentState Added(AddedAssignment added, DateTimeOffset now)
    {
        var (assignment, deadline, stepState) = added;
        IReadOnlyList<ClockEvent> events = assignment.Start is { } start ? [start] : [];
        return new AssignmentState(_nextAssignmentId++, assignment.DepartmentId, assignment.Role, assignment.Step, false, events, Fold(events))
        {
            Snapshot = deadline,
            StepState = stepState,
            StepEnteredAt = now,
        };
    }

    private ClockState Fold(IEnumerable<ClockEvent> events) => Clock.Fold(events, _context.ClockFor(_definition));
}
