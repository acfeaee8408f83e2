using System.Globalization;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;

namespace Supervision.Host.Workflows;

/// <summary>A workflow definition as listed: besides its steps, the step it starts at and its overall clock, so a page
/// can draw it (the board's workflow diagram).</summary>
public sealed record DefinitionView(string Id, int Version, string Kind, string Title, string TitleEn, IReadOnlyList<object> Steps, string Start, DefinitionClockView Clock);

/// <summary>A definition's overall clock in the notation of the definition files: the limit (null: each item's own,
/// as for tasks), the yellow rule, when red becomes seriously overdue, the extension cap, and the reasons the clock may
/// pause for with their own limits. Beside each notation, the same as data for a page to say in its own words (<see cref="LimitView"/>,
/// <see cref="YellowView"/>, the working days after which red is serious), so that no page parses the notation.</summary>
public sealed record DefinitionClockView(string? Limit, string Yellow, string? SeriouslyOverdueAfter, string? ExtensionCap, IReadOnlyList<PauseReasonView> PauseReasons,
    LimitView? LimitData = null, YellowView? YellowData = null, int? SeriouslyOverdueAfterWorkingDays = null);

/// <summary>A reason the clock may pause for (<c>third-party-consultation</c> ...) and the pause's own limit, if any.</summary>
public sealed record PauseReasonView(string Reason, string? Limit, LimitView? LimitData = null);

/// <summary>A time limit as data: a span (<see cref="LimitSpan"/>: count, unit, no roll), or a fixed day
/// (<c>yyyy-MM-dd</c>), a fixed moment (ISO 8601 with its offset) or the end of a month (<c>yyyy-MM</c>).</summary>
public sealed record LimitView(LimitSpan? Span, string? On, DateTimeOffset? At, string? MonthEnd)
{
    public static LimitView? Of(TimeLimit? limit) => limit switch
    {
        null => null,
        TimeLimit.FixedDate f => new LimitView(null, f.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null, null),
        TimeLimit.FixedInstant i => new LimitView(null, null, i.At, null),
        TimeLimit.MonthEnd e => new LimitView(null, null, null, string.Create(CultureInfo.InvariantCulture, $"{e.Year:D4}-{e.Month:D2}")),
        _ => new LimitView(limit.Span(), null, null, null),
    };
}

/// <summary>When a light turns yellow, as data: <c>remaining</c> (a span before the due moment), <c>elapsed</c> (a
/// percentage of the limit used) or <c>never</c>.</summary>
public sealed record YellowView(string Kind, LimitSpan? Remaining, int? Percent)
{
    public static YellowView Of(YellowRule rule) => rule switch
    {
        YellowRule.RemainingWorkingDays r => new YellowView("remaining", new TimeLimit.WorkingDays(r.Days).Span(), null),
        YellowRule.RemainingTime t => new YellowView("remaining", new TimeLimit.Duration(t.Before).Span(), null),
        YellowRule.ElapsedShare e => new YellowView("elapsed", null, e.Percent),
        _ => new YellowView("never", null, null),
    };
}

/// <summary>The workflow definitions in force, with their steps, actions, outcomes and fields.</summary>
public static class DefinitionsApi
{
    public static IEndpointRouteBuilder MapDefinitions(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Reference");
        api.MapGet("/definitions", (DefinitionCatalog catalog) =>
            TypedResults.Ok(catalog.Latest.OrderBy(d => d.Id, StringComparer.Ordinal).Select(d => new DefinitionView(d.Id, d.Version, d.Kind.Code(), d.Title.Zh, d.Title.En,
                d.Steps.Select(s => (object)new
                {
                    s.Id,
                    name = s.Name.Zh,
                    nameEn = s.Name.En,
                    role = s.Role.ToString().ToLowerInvariant(),
                    limit = s.Limit?.ToString(),
                    limitData = LimitView.Of(s.Limit),
                    limitFrom = s.LimitFrom == LimitBasis.Receipt ? "receipt" : "step",
                    s.Terminal,
                    s.PerAssignment,
                    actions = s.Actions.Select(a => a.ToString().ToLowerInvariant()).Order(StringComparer.Ordinal),
                    outcomes = s.Outcomes.Select(o => new { o.Id, name = o.Name.Zh, nameEn = o.Name.En, to = o.To, clock = ClockEffectText(o), o.Result, fields = o.Fields.Select(Field) }),
                    fields = s.Fields.Select(Field),
                }).ToList(), d.Start, ClockOf(d.Clock))).ToList()));
        return endpoints;
    }

    private static object Field(FieldDefinition f) => new { f.Name, label = f.Label.Zh, type = f.Type.ToString().ToLowerInvariant(), f.Required, f.Choices };

    // As the definition files write it: null for none, "pause awaiting-correction", "resume", "restart", "stop".
    private static string? ClockEffectText(OutcomeDefinition outcome) => outcome.Clock switch
    {
        ClockEffect.None => null,
        ClockEffect.Pause => outcome.PauseReason is { } reason ? $"pause {Clock.ReasonCode(reason)}" : "pause",
        var effect => effect.ToString().ToLowerInvariant(),
    };

    private static DefinitionClockView ClockOf(ClockDefinition clock) => new(
        clock.Limit?.ToString(),
        ClockPolicy.FormatYellow(clock.Policy.Light.Yellow),
        clock.Policy.Light.SeriouslyOverdueAfterWorkingDays is { } days ? new TimeLimit.WorkingDays(days).ToString() : null,
        clock.Policy.ExtensionCap?.ToString(),
        clock.PauseReasons.Select(r => new PauseReasonView(Clock.ReasonCode(r.Reason), r.Limit?.ToString(), LimitView.Of(r.Limit))).ToList(),
        LimitView.Of(clock.Limit),
        YellowView.Of(clock.Policy.Light.Yellow),
        clock.Policy.Light.SeriouslyOverdueAfterWorkingDays);
}
