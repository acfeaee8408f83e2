using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;

namespace Supervision.Engine.Workflows;

/// <summary>A holder of a step: an assignment (with its own step, step start and clock; its id a provisional negative
/// one before storage gives it one) as the step lights see it.</summary>
public sealed record StepHolder(long Id, string Step, bool Closed, DateTimeOffset? StepEnteredAt, IReadOnlyList<ClockEvent> Events);

/// <summary>
/// The step lights of an item and its assignments at an instant, from the pinned definition, the clocks and the
/// calendar (<see cref="StepLights"/>): for a request, the item's step (and its handling assignment mirrors it); for a
/// task at a per-department step, each open assignment's own step and clock, the item showing the most urgent. A
/// closed item or assignment has none.
/// </summary>
public static class StepDeadlines
{
    /// <summary>The step states of <paramref name="item"/> (as it stands after what happened: its step, step start and
    /// closing) and of its <paramref name="assignments"/>, by assignment id, at <paramref name="now"/>.</summary>
    public static (StepState Item, IReadOnlyDictionary<long, StepState> Assignments) Compute(
        WorkflowDefinition definition, SupervisedItem item, IReadOnlyList<ClockEvent> itemEvents, IReadOnlyList<StepHolder> assignments, ClockContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(itemEvents);
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(context);
        var byAssignment = new Dictionary<long, StepState>();
        if (item.ClosedAt is not null)
        {
            foreach (var a in assignments)
            {
                byAssignment[a.Id] = StepState.None;
            }

            return (StepState.None, byAssignment);
        }

        var step = definition.Step(item.Step);
        if (item.Kind == ItemKind.Task && step is { PerAssignment: true })
        {
            foreach (var a in assignments)
            {
                byAssignment[a.Id] = a.Closed
                    ? StepState.None
                    : Evaluate(definition, a.Step, a.StepEnteredAt ?? item.StepEnteredAt ?? item.CreatedAt, item.ReceivedOn, a.Events, context, now);
            }

            return (Worst(byAssignment.Values), byAssignment);
        }

        var own = Evaluate(definition, item.Step, item.StepEnteredAt ?? item.CreatedAt, item.ReceivedOn, itemEvents, context, now);
        foreach (var a in assignments)
        {
            byAssignment[a.Id] = a.Closed || item.Kind == ItemKind.Task ? StepState.None : own;
        }

        return (own, byAssignment);
    }

    /// <summary>What a stored basis measures, in words: the step's name and rule, or the pause's reason and article.</summary>
    public static (string Zh, string En) Describe(WorkflowDefinition definition, string? basis)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var (kind, name) = basis?.Split(':', 2) is [var k, var n] ? (k, n) : (string.Empty, basis ?? string.Empty);
        if (kind == "pause")
        {
            var limit = definition.Clock.PauseLimit(ClockEventJson.ReasonFrom(name));
            var (zh, en) = (limit?.ToChinese() ?? string.Empty, limit?.ToString() ?? string.Empty);
            return name switch
            {
                "third-party-consultation" => ($"征求第三方意见（第三十二条，{zh}，自暂停之日起）", $"third-party consultation (art. 32, {en} from the pause)"),
                "agency-consultation" => ($"征求其他机关意见（第三十四条，{zh}，自暂停之日起）", $"consulting another agency (art. 34, {en} from the pause)"),
                "awaiting-correction" => ($"等待补正（{zh}）", $"awaiting correction ({en})"),
                _ => ($"暂停（{zh}）", $"the pause ({en})"),
            };
        }

        var step = definition.Step(name);
        var from = step?.LimitFrom == LimitBasis.Receipt ? ("自收到申请之日起", "from receipt") : ("自进入本环节之日起", "from the step's start");
        return ($"{step?.Name.Zh ?? name}环节（{step?.Limit?.ToChinese()}，{from.Item1}）", $"the {step?.Name.En ?? name} step ({step?.Limit}, {from.Item2})");
    }

    /// <summary>The most urgent of several: red before yellow before green, then the earliest due day.</summary>
    public static StepState Worst(IEnumerable<StepState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        var lit = states.Where(s => s.Light is not null).ToList();
        if (lit.Count == 0)
        {
            return StepState.None;
        }

        var worst = lit.OrderByDescending(s => s.Light).ThenBy(s => s.DueOn).First();
        return worst with { NextChangeAt = lit.Where(s => s.NextChangeAt is not null).Select(s => s.NextChangeAt).Min() };
    }

    private static StepState Evaluate(WorkflowDefinition definition, string stepId, DateTimeOffset stepEnteredAt, DateOnly receivedOn, IReadOnlyList<ClockEvent> events, ClockContext context, DateTimeOffset now)
    {
        var step = definition.Step(stepId);
        var clock = events.Count > 0 ? Clock.Fold(events, context with { ExtensionCap = definition.Clock.Policy.ExtensionCap }) : null;
        var limit = StepLights.Applicable(step?.Limit, step?.LimitFrom ?? LimitBasis.StepStart, stepId, context.DayOf(stepEnteredAt), receivedOn, clock,
            definition.Clock.PauseLimit, context);
        if (limit is null)
        {
            return StepState.None;
        }

        var startedAt = limit.CountsFrom switch
        {
            LimitBasis.PauseStart => clock!.PausedAt!.Value,
            LimitBasis.Receipt => context.StartOf(receivedOn),
            _ => stepEnteredAt,
        };
        var reading = StepLights.Evaluate(limit, definition.Clock.StepYellow, startedAt, context, now);
        return new StepState(reading.Light, reading.DueOn ?? (reading.DueAt is { } at ? context.DayOf(at) : null), reading.NextChangeAt, $"{limit.Kind}:{limit.Name}");
    }
}
