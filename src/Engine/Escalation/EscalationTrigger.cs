using Supervision.Engine.Items;
using Supervision.Engine.Workflows;

namespace Supervision.Engine.Escalation;

/// <summary>The open work a notice is about: an item, the assignment (a task's department's share; null for a
/// request's own light) and the department handling it.</summary>
public sealed record WorkRef(long ItemId, long? AssignmentId, long DepartmentId);

/// <summary>
/// What may set notices going, as facts: a light that moved at its instant, a step limit's light that moved, one
/// office day of the nightly run over an overdue assignment or a step past its own limit, and a circulation (通报)
/// written for an office. <see cref="EscalationRules.Decide"/> turns one into the notices it produces, or none.
/// </summary>
public abstract record EscalationTrigger
{
    private EscalationTrigger()
    {
    }

    /// <summary>The deadline light of a request (or of one assignment of a task) moved from <see cref="From"/> to
    /// <see cref="To"/>; <see cref="DueOn"/> or <see cref="DueAt"/> is the deadline it now measures against (a day, or an
    /// exact instant for hour- and minute-limits), and <see cref="Ladder"/> the definition's escalation ladder.</summary>
    public sealed record LightTurned(WorkRef Work, Light From, Light To, bool FromSerious, bool ToSerious, DateOnly? DueOn, DateTimeOffset? DueAt, EscalationLadder Ladder) : EscalationTrigger;

    /// <summary>A step's or a pause's own limit (not the reply deadline) changed light: <see cref="Basis"/> names the
    /// limit (<c>step:review</c>, <c>pause:third-party-consultation</c>), <see cref="DueOn"/> its due day.</summary>
    public sealed record StepLightTurned(WorkRef Work, Light? From, Light? To, string? Basis, DateOnly? DueOn) : EscalationTrigger;

    /// <summary>The nightly run of office day <see cref="Day"/> over one open assignment, with its stored light and
    /// deadline.</summary>
    public sealed record OverdueDay(WorkRef Work, DateOnly Day, Light Light, bool Paused, bool SeriouslyOverdue, DateOnly? DueOn, DateTimeOffset? DueAt) : EscalationTrigger;

    /// <summary>The nightly run of office day <see cref="Day"/> over one open assignment's step or pause limit, with its
    /// stored step light.</summary>
    public sealed record StepOverdueDay(WorkRef Work, DateOnly Day, Light? StepLight, string? Basis, DateOnly? StepDueOn) : EscalationTrigger;

    /// <summary>Circulation <see cref="CirculationId"/> was written for supervising office <see cref="OfficeId"/> and is to be sent.</summary>
    public sealed record Circulated(long CirculationId, long OfficeId) : EscalationTrigger;
}
