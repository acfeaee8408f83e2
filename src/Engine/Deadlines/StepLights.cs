using Supervision.Engine.Clocks;
using Supervision.Engine.Items;

namespace Supervision.Engine.Deadlines;

/// <summary>What a step's own limit counts from.</summary>
public enum LimitBasis
{
    /// <summary>The day the step was entered (the default).</summary>
    StepStart,

    /// <summary>The day the request was received (article 30: the review's 7 working days run 自收到申请之日起).</summary>
    Receipt,

    /// <summary>The day the clock was paused (a consultation's 15 working days, articles 32 and 34).</summary>
    PauseStart,
}

/// <summary>
/// A limit of a step or of a pause, beside the statutory reply deadline: which it is (<see cref="Kind"/>
/// <c>step</c> or <c>pause</c>; <see cref="Name"/> the step id or the pause reason code), the limit, what it counts
/// from and the start day that gives.
/// </summary>
public sealed record StepLimit(string Kind, string Name, TimeLimit Limit, LimitBasis CountsFrom, DateOnly StartDay);

/// <summary>
/// A step limit's light at an instant: green, yellow (from the definition's step yellow rule, by default 2 working
/// days left), red once the due day has ended; the due day (or instant) and the next instant the light changes.
/// There is no second red level and no pausing: a consultation's limit runs on while the reply clock stands still,
/// which is its point.
/// </summary>
public sealed record StepReading(StepLimit Limit, Light Light, DateOnly? DueOn, DateTimeOffset? DueAt, DateTimeOffset? NextChangeAt);

/// <summary>
/// What is stored of a step or pause limit: its light (null when the current step and pause have no limit), due day,
/// next change instant (the step lights' due index) and what it measures (<c>step:review</c>,
/// <c>pause:third-party-consultation</c>).
/// </summary>
public sealed record StepState(Light? Light, DateOnly? DueOn, DateTimeOffset? NextChangeAt, string? Basis)
{
    public static StepState None { get; } = new(null, null, null, null);

    /// <summary>The item with this state stored on it.</summary>
    public SupervisedItem ApplyTo(SupervisedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item with { StepLight = Light, StepDueOn = DueOn, StepNextChangeAt = NextChangeAt, StepBasis = Basis };
    }

    /// <summary>The state stored on an item.</summary>
    public static StepState Of(SupervisedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new StepState(item.StepLight, item.StepDueOn, item.StepNextChangeAt, item.StepBasis);
    }
}

/// <summary>
/// Step and pause limits as pure functions, like the statutory light: which limit applies to a holder (an item, or a
/// task's assignment) now, and its light. A clock paused for a reason with a limit (third-party consultation, 15
/// working days) is measured by that limit from the pause's day; otherwise the current step's own limit (review, 7
/// working days) from what its definition says it counts from.
/// </summary>
public static class StepLights
{
    /// <summary>Yellow from the first day with at most two working days left, unless the definition says otherwise.</summary>
    public static YellowRule DefaultYellow { get; } = new YellowRule.RemainingWorkingDays(2);

    /// <summary>
    /// The limit that applies now, or null when neither the step nor the pause has one.
    /// </summary>
    /// <param name="stepLimit">The current step's limit (null when the step has none).</param>
    /// <param name="stepBasis">What the step's limit counts from.</param>
    /// <param name="stepId">The current step.</param>
    /// <param name="stepStartDay">The day the step was entered.</param>
    /// <param name="receivedOn">The day the request was received (or the task registered).</param>
    /// <param name="clock">The holder's clock (the item's for requests, the assignment's for tasks), folded.</param>
    /// <param name="pauseLimit">The limit of a pause reason, if any.</param>
    /// <param name="context">The calendar and zone (the day a pause began).</param>
    public static StepLimit? Applicable(TimeLimit? stepLimit, LimitBasis stepBasis, string stepId, DateOnly stepStartDay, DateOnly receivedOn, ClockState? clock, Func<PauseReason, TimeLimit?> pauseLimit, ClockContext context)
    {
        ArgumentNullException.ThrowIfNull(pauseLimit);
        ArgumentNullException.ThrowIfNull(context);
        if (clock is { Status: ClockStatus.Paused, PauseReason: { } reason, PausedAt: { } pausedAt } && pauseLimit(reason) is { } limit)
        {
            return new StepLimit("pause", Clock.ReasonCode(reason), limit, LimitBasis.PauseStart, context.DayOf(pausedAt));
        }

        if (stepLimit is null)
        {
            return null;
        }

        return new StepLimit("step", stepId, stepLimit, stepBasis, stepBasis == LimitBasis.Receipt ? receivedOn : stepStartDay);
    }

    /// <summary>The light of a step limit at <paramref name="now"/>. <paramref name="startedAt"/> is the instant an
    /// hour or minute limit counts from (day-based limits count from the day after the start day).</summary>
    public static StepReading Evaluate(StepLimit limit, YellowRule yellow, DateTimeOffset startedAt, ClockContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(limit);
        ArgumentNullException.ThrowIfNull(yellow);
        ArgumentNullException.ThrowIfNull(context);
        // The same arithmetic as the statutory light, on a clock of its own: started at the start day, never paused.
        var state = Clock.Fold([new ClockEvent.Started(startedAt, limit.StartDay, limit.Limit)], context with { ExtensionCap = null });
        var reading = LightRules.Evaluate(state, new LightPolicy(yellow), context, now);
        return new StepReading(limit, reading.Light, state.DueDay, state.DueAt, reading.NextChangeAt);
    }
}
