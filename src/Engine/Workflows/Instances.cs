using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;

namespace Supervision.Engine.Workflows;

/// <summary>
/// Who acts: their login, role and department, and the departments they answer for (their own and, for leads and
/// supervisors, everything below it).
/// </summary>
public sealed record Actor(string Login, Role Role, long DepartmentId, IReadOnlySet<long> Scope)
{
    /// <summary>The system itself (timers, recomputation): not allowed to take workflow actions.</summary>
    public static Actor System { get; } = new("system", Role.Admin, 0, new HashSet<long>());
}

/// <summary>How a department holds an assignment.</summary>
public enum AssignmentRole
{
    /// <summary>The one handling department of a disclosure request.</summary>
    Handling,

    /// <summary>A lead department of a task (牵头单位).</summary>
    Lead,

    /// <summary>A responsible department of a task (责任单位).</summary>
    Responsible,
}

/// <summary>
/// What one department owns of an item: its own step and clock (<see cref="ClockEvents"/> empty when it shows its
/// item's deadline, as a request's handling assignment does), and what is stored on it: its deadline and light
/// (<see cref="Snapshot"/>), its step limit's state, when it entered its step, and how and when it closed.
/// </summary>
public sealed record AssignmentState(long Id, long DepartmentId, AssignmentRole Role, string Step, bool Closed, IReadOnlyList<ClockEvent> ClockEvents, ClockState Clock)
{
    /// <summary>The deadline and light stored on it; null when not known (it is then written afresh).</summary>
    public DeadlineSnapshot? Snapshot { get; init; }

    /// <summary>Its step limit's state as stored.</summary>
    public StepState StepState { get; init; } = StepState.None;

    /// <summary>When it entered its current step.</summary>
    public DateTimeOffset? StepEnteredAt { get; init; }

    /// <summary>When it closed; null while open.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>How it ended; null while open.</summary>
    public string? Result { get; init; }
}

/// <summary>
/// An item as the engine decides over it: stored fields, its own clock, its assignments, and the extension requests
/// waiting for a lead's decision (read from its history by <see cref="WorkflowEngine.PendingExtensions"/>).
/// </summary>
public sealed record InstanceState(SupervisedItem Item, IReadOnlyList<ClockEvent> ClockEvents, ClockState Clock, IReadOnlyList<AssignmentState> Assignments)
{
    public bool Closed => Item.ClosedAt is not null;

    /// <summary>Extension requests not yet approved or rejected: at most one for the item and one per assignment.</summary>
    public IReadOnlyList<PendingExtension> PendingExtensions { get; init; } = [];

    /// <summary>The pending extension request of the item (null assignment) or of one assignment, or null.</summary>
    public PendingExtension? PendingExtensionOf(long? assignmentId) => PendingExtensions.FirstOrDefault(p => p.AssignmentId == assignmentId);

    /// <summary>How often the applicant was asked for a correction (article 30: once): pauses awaiting a correction in
    /// the item's clock log.</summary>
    public int CorrectionsAsked => ClockEvents.Count(e => e is ClockEvent.Paused { Reason: PauseReason.AwaitingCorrection });

    /// <summary>How often the period counted afresh after a correction (article 30: once).</summary>
    public int Restarts => ClockEvents.Count(e => e is ClockEvent.Restarted);
}

/// <summary>
/// A handler's request to extend the period (article 33), waiting for a lead (the head of the disclosure office) to
/// approve or reject it: for the item's clock (<see cref="AssignmentId"/> null) or one assignment's, by how much,
/// why, who asked and when.
/// </summary>
public sealed record PendingExtension(long? AssignmentId, TimeLimit By, string Reason, string RequestedBy, DateTimeOffset RequestedAt);

/// <summary>Why an action was refused; the API turns these into 403, 409 and 422.</summary>
public enum RefusalKind
{
    /// <summary>The actor may not do this here (role or department).</summary>
    Forbidden,

    /// <summary>The item is not where the request thought it was (step already done, item closed).</summary>
    Conflict,

    /// <summary>A rule of the workflow or of the law refuses it.</summary>
    Rule,

    /// <summary>The request's data is incomplete or malformed.</summary>
    Invalid,
}

/// <summary>A refused action with a reason a person can act on.</summary>
public sealed class WorkflowRefusedException(RefusalKind kind, string message) : Exception(message)
{
    public RefusalKind Kind { get; } = kind;
}

/// <summary>A clock event for the item's own clock (<see cref="AssignmentId"/> null) or for one assignment's.</summary>
public sealed record ClockChange(long? AssignmentId, ClockEvent Event);

/// <summary>An assignment to create: for a department, at a step, with its clock started.</summary>
public sealed record NewAssignment(long DepartmentId, AssignmentRole Role, string Step, ClockEvent.Started? Start);

/// <summary>A change to an existing assignment.</summary>
public sealed record AssignmentChange(long Id, string Step, long DepartmentId, bool Close, string? Result);

/// <summary>
/// What an action decided: the item's new step and department, whether it closes and how, clock events to append,
/// assignments to create or change, and the history entries that record it. Storage applies it in one transaction.
/// </summary>
public sealed record Decision
{
    public required string Step { get; init; }

    public required long DepartmentId { get; init; }

    public bool Close { get; init; }

    public string? Result { get; init; }

    public bool StepChanged { get; init; }

    public IReadOnlyList<ClockChange> ClockChanges { get; init; } = [];

    public IReadOnlyList<NewAssignment> NewAssignments { get; init; } = [];

    public IReadOnlyList<AssignmentChange> AssignmentChanges { get; init; } = [];

    public IReadOnlyList<HistoryEntry> History { get; init; } = [];

    /// <summary>Payload fields to merge into the item's payload.</summary>
    public IReadOnlyDictionary<string, string> PayloadChanges { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A decision applied to the item as loaded: everything storage writes for it, in one transaction, with nothing left
/// to compute. <see cref="Item"/> is the item with its new step, department, closing, deadline and light
/// (<see cref="Deadline"/>) and step limit (<see cref="StepState"/>); <see cref="Assignments"/> says for each existing
/// assignment what it becomes and whether that differs from what is stored; <see cref="Added"/> gives each new
/// assignment its deadline and step limit; <see cref="History"/> is the decision's history with the item's light move
/// on its first entry; the clock events to append are the <see cref="Decision"/>'s.
/// </summary>
public sealed record AppliedDecision(Decision Decision, SupervisedItem Item, IReadOnlyList<AssignmentUpdate> Assignments, IReadOnlyList<AddedAssignment> Added, IReadOnlyList<HistoryEntry> History)
{
    /// <summary>The item's new deadline and light.</summary>
    public required DeadlineSnapshot Deadline { get; init; }

    /// <summary>The item's new step limit.</summary>
    public required StepState StepState { get; init; }
}

/// <summary>
/// An existing assignment after a decision: its step, department, deadline and light, step limit, and closing.
/// <see cref="Changed"/>: its step, department, closing or deadline differ from what is stored (the whole row is
/// written, step limit included); <see cref="StepStateChanged"/>: its step limit's state differs.
/// </summary>
public sealed record AssignmentUpdate(long Id, string Step, long DepartmentId, DeadlineSnapshot Deadline, StepState StepState, DateTimeOffset? ClosedAt, string? Result, bool Changed, bool StepStateChanged);

/// <summary>A new assignment with the deadline and light and the step limit it starts with.</summary>
public sealed record AddedAssignment(NewAssignment Assignment, DeadlineSnapshot Deadline, StepState StepState);

/// <summary>
/// Something a person may do to an item now: <see cref="Action"/> is complete (with <see cref="Outcome"/> and the
/// step's and outcome's <see cref="Fields"/>), pause, resume, extend, approve-extension, reject-extension, override,
/// transfer, return, report or withdraw;
/// <see cref="AssignmentId"/> says which department's assignment it acts on; <see cref="Choices"/> are the pause
/// reasons for pause and the steps one may return to for return.
/// </summary>
public sealed record AvailableAction(string Action, long? AssignmentId, string Step, string? Outcome, LocalText Name, IReadOnlyList<FieldDefinition> Fields, IReadOnlyList<string> Choices);
