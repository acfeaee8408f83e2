using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;

namespace Supervision.Engine.Workflows;

/// <summary>A text in Chinese and English; the Chinese is what offices see by default.</summary>
public sealed record LocalText(string Zh, string En);

/// <summary>Who is told when an item turns yellow, red or seriously overdue.</summary>
public enum Recipient
{
    /// <summary>The people handling the item in its department.</summary>
    Handler,

    /// <summary>The handling department's lead.</summary>
    Lead,

    /// <summary>The supervising office above the handling department.</summary>
    SupervisingOffice,
}

/// <summary>What may be done at a step besides completing it with an outcome.</summary>
public enum StepAction
{
    Pause,
    Resume,
    Extend,
    Override,
    Transfer,
    Return,
    Report,
    Withdraw,
}

/// <summary>What completing a step with an outcome does to the item's clock.</summary>
public enum ClockEffect
{
    None,
    Pause,
    Resume,
    Restart,
    Stop,
}

/// <summary>The type of a field a step records.</summary>
public enum FieldType
{
    Text,
    Date,
    Choice,
    Department,
    Departments,
}

/// <summary>A field a step records (applicant, channel, reply type ...), checked when the step is completed.</summary>
public sealed record FieldDefinition(string Name, LocalText Label, FieldType Type, bool Required, IReadOnlyList<string> Choices);

/// <summary>
/// A way to complete a step: the outcome's id, its name, the step it leads to, and what it does to the clock
/// (<see cref="PauseReason"/> for a pause). <see cref="Result"/> names how the item ends when it leads to a terminal
/// step (for requests: the reply type of articles 36-37, or "abandoned"). <see cref="Fields"/> are recorded only
/// with this outcome, besides the step's own (the day a correction arrived, for "corrected").
/// </summary>
public sealed record OutcomeDefinition(string Id, LocalText Name, string To, ClockEffect Clock, PauseReason? PauseReason, string? Result)
{
    public IReadOnlyList<FieldDefinition> Fields { get; init; } = [];
}

/// <summary>
/// One step: who acts, its own time limit (beside the overall clock, counted from <see cref="LimitFrom"/>: the day the
/// step is entered unless the definition says the day of receipt), the outcomes that complete it, the actions allowed
/// while in it, and the fields it records. A terminal step has no outcomes: reaching it closes the item.
/// </summary>
public sealed record StepDefinition(
    string Id,
    LocalText Name,
    Role Role,
    TimeLimit? Limit,
    IReadOnlyList<OutcomeDefinition> Outcomes,
    IReadOnlySet<StepAction> Actions,
    IReadOnlyList<FieldDefinition> Fields,
    bool Terminal,
    bool PerAssignment)
{
    public bool Allows(StepAction action) => Actions.Contains(action);

    /// <summary>What <see cref="Limit"/> counts from (definition <c>limitFrom</c>: <c>step</c> or <c>receipt</c>).</summary>
    public LimitBasis LimitFrom { get; init; } = LimitBasis.StepStart;
}

/// <summary>A reason the clock may be paused for under this definition, with the pause's own limit if any
/// (third-party consultation: 15 working days, article 32).</summary>
public sealed record PauseRule(PauseReason Reason, TimeLimit? Limit);

/// <summary>The overall clock: limit, light rules, extension cap and allowed pauses; and the yellow rule of step and
/// pause limits (<see cref="StepYellow"/>, definition <c>stepYellow</c>, default 2 working days left).</summary>
public sealed record ClockDefinition(TimeLimit? Limit, ClockPolicy Policy, IReadOnlyList<PauseRule> PauseReasons)
{
    public YellowRule StepYellow { get; init; } = StepLights.DefaultYellow;

    /// <summary>The limit of a pause reason, or null.</summary>
    public TimeLimit? PauseLimit(PauseReason reason) => PauseReasons.FirstOrDefault(r => r.Reason == reason)?.Limit;
}

/// <summary>Who is told at each escalation level.</summary>
public sealed record EscalationLadder(IReadOnlyList<Recipient> Yellow, IReadOnlyList<Recipient> Red, IReadOnlyList<Recipient> SeriouslyOverdue);

/// <summary>
/// A workflow definition as read from <c>workflows/</c>: an id and version (an item stays on the version it started
/// on), the kind of item it serves, its overall clock, its steps and its escalation ladder. <see cref="ContentHash"/>
/// identifies the exact file content, so a changed file under an unchanged version number is caught.
/// </summary>
public sealed record WorkflowDefinition(
    string Id,
    int Version,
    ItemKind Kind,
    LocalText Title,
    ClockDefinition Clock,
    string Start,
    IReadOnlyList<StepDefinition> Steps,
    EscalationLadder Escalation,
    string ContentHash)
{
    /// <summary>What the loader noticed but did not refuse (a disclosure request pausing for a reason the law does
    /// not give), each with file and JSON path; shown by <c>definitions validate</c> and logged at start-up.</summary>
    public IReadOnlyList<DefinitionProblem> Warnings { get; init; } = [];

    /// <summary>The step with this id, or null.</summary>
    public StepDefinition? Step(string id) => Steps.FirstOrDefault(s => s.Id == id);

    /// <summary>"id v1".</summary>
    public string Key => $"{Id} v{Version}";
}
