namespace Supervision.Engine.Items;

/// <summary>
/// A disclosure request or supervision task as stored: who handles it, where it stands in its workflow, and the
/// cached outcome of its deadline calculus. <see cref="DueOn"/> is a due <em>day</em> (day-based limits end at the
/// end of that day in the office's time zone); <see cref="DueAt"/> is an exact instant for hour- or minute-based
/// limits; at most one of them is set. <see cref="NextChangeAt"/> is the next instant at which the light would
/// change, null while the item is closed or paused. <see cref="Version"/> counts the history entries written for the
/// item and serves as its optimistic-concurrency token.
/// </summary>
public sealed record SupervisedItem
{
    /// <summary>Storage identity; 0 before the item is first saved.</summary>
    public long Id { get; init; }

    /// <summary>Request or task.</summary>
    public required ItemKind Kind { get; init; }

    /// <summary>The title as entered.</summary>
    public required string Title { get; init; }

    /// <summary>The handling (for tasks: lead) department.</summary>
    public required long DepartmentId { get; init; }

    /// <summary>The workflow definition the item runs on, pinned with its version.</summary>
    public required string DefinitionId { get; init; }

    /// <summary>Version of <see cref="DefinitionId"/> the item started on; later versions never apply to it.</summary>
    public required int DefinitionVersion { get; init; }

    /// <summary>The current step's id within the definition.</summary>
    public required string Step { get; init; }

    /// <summary>The day the clock starts from (receipt day for requests, article 31; assignment day for tasks).</summary>
    public required DateOnly ReceivedOn { get; init; }

    /// <summary>The cached light.</summary>
    public Light Light { get; init; } = Light.Green;

    /// <summary>Due day for day-based limits (working days, calendar days, months, dates, month ends).</summary>
    public DateOnly? DueOn { get; init; }

    /// <summary>Due instant for hour- or minute-based limits.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>True while the clock is paused (consultation, correction notice, ...).</summary>
    public bool Paused { get; init; }

    /// <summary>True once the item is past the definition's second red level.</summary>
    public bool SeriouslyOverdue { get; init; }

    /// <summary>The calendar version the due day and light were computed with; null for items without a clock.</summary>
    public int? CalendarVersion { get; init; }

    /// <summary>When the current step was entered.</summary>
    public DateTimeOffset? StepEnteredAt { get; init; }

    /// <summary>The current step's own due day, when the step has a limit (review: 7 working days).</summary>
    public DateOnly? StepDueOn { get; init; }

    /// <summary>The light of the current step's own limit, or of a pause's (a consultation's 15 working days); null
    /// when neither has one. A second promise beside the statutory reply light, never mixed with it.</summary>
    public Light? StepLight { get; init; }

    /// <summary>What the step light measures: <c>step:review</c>, <c>pause:third-party-consultation</c>.</summary>
    public string? StepBasis { get; init; }

    /// <summary>The next instant the step light changes (its own due index).</summary>
    public DateTimeOffset? StepNextChangeAt { get; init; }

    /// <summary>How the item ended (a reply type, abandoned, withdrawn, completed); null while open.</summary>
    public string? Result { get; init; }

    /// <summary>When the light would next change; null while closed or paused.</summary>
    public DateTimeOffset? NextChangeAt { get; init; }

    /// <summary>Kind-specific fields (applicant, channel, content, plan reference, ...) as a JSON object.</summary>
    public string Payload { get; init; } = "{}";

    /// <summary>When the item was registered.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the item was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// The instant to change this item at when the clock reads <paramref name="now"/>: <paramref name="now"/>, or the
    /// item's last change when the clock reads earlier (a server clock set back, or another instance's clock behind the
    /// one that changed it last). An item's record never runs backwards: a light already turned is not turned back,
    /// to be turned again later, and clock events stay in order.
    /// </summary>
    public DateTimeOffset NotBefore(DateTimeOffset now) => now < UpdatedAt ? UpdatedAt : now;

    /// <summary>When the item was closed; null while open.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>Number of history entries written for the item; the concurrency token.</summary>
    public int Version { get; init; }
}
