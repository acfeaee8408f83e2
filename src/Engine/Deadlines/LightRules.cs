using Supervision.Engine.Clocks;
using Supervision.Engine.Items;

namespace Supervision.Engine.Deadlines;

/// <summary>
/// An item's light at an instant, with the instants at which it changes: <see cref="YellowAt"/>, <see cref="RedAt"/>
/// (the end of the limit) and <see cref="SeriousAt"/> (the second red level), and <see cref="NextChangeAt"/>, the
/// first of them still ahead (null while paused or closed). A paused item keeps the colour it had when paused.
/// </summary>
public sealed record LightReading(
    Light Light,
    bool SeriouslyOverdue,
    bool Paused,
    DateTimeOffset? NextChangeAt,
    DateTimeOffset? YellowAt,
    DateTimeOffset? RedAt,
    DateTimeOffset? SeriousAt);

/// <summary>
/// Lights as a pure function of the clock state, the light policy, the calendar and the instant. Nothing here needs a
/// timer to be correct; a scheduler only needs <see cref="LightReading.NextChangeAt"/> to act on time.
/// </summary>
public static class LightRules
{
    /// <summary>True when work finished (or paused) at <paramref name="at"/> is past the limit.</summary>
    public static bool IsLate(ClockState state, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        var effective = state.PausedAt ?? at;
        return state.DueEnd is { } end && effective >= end;
    }

    /// <summary>
    /// The light a clock gave at <paramref name="end"/> from the events that had happened by then (a past day's light,
    /// for trends and reports): the start counts from its start day whenever it was entered, later events only once
    /// they had happened; null when the clock had not started.
    /// </summary>
    public static LightReading? AsOf(IReadOnlyList<ClockEvent> events, ClockPolicy policy, ClockContext context, DateTimeOffset end)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(context);
        var known = events.Where((e, i) => (i == 0 && e is ClockEvent.Started) || e.At < end).ToList();
        if (known.Count == 0 || known[0] is not ClockEvent.Started started)
        {
            return null;
        }

        known[0] = started with { At = context.StartOf(started.StartDay) };
        if (known.Skip(1).Any(e => e.At < known[0].At))
        {
            known = [known[0]];
        }

        return Evaluate(Clock.Fold(known, context with { ExtensionCap = policy.ExtensionCap }), policy.Light, context, end.AddTicks(-1));
    }

    /// <summary>The light at <paramref name="now"/>.</summary>
    public static LightReading Evaluate(ClockState state, LightPolicy policy, ClockContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(context);
        switch (state.Status)
        {
            case ClockStatus.NotStarted:
                return new LightReading(Light.Green, false, false, null, null, null, null);
            case ClockStatus.Stopped:
                return new LightReading(IsLate(state, state.StoppedAt!.Value) ? Light.DoneLate : Light.DoneOnTime, false, false, null, null, state.DueEnd, null);
            default:
                break;
        }

        var (yellowAt, redAt, seriousAt) = Thresholds(state, policy, context);
        var at = state.Status == ClockStatus.Paused ? state.PausedAt!.Value : now;
        var light = at >= redAt ? Light.Red : yellowAt is { } y && at >= y ? Light.Yellow : Light.Green;
        var serious = seriousAt is { } s && at >= s;
        DateTimeOffset? next = null;
        if (state.Status == ClockStatus.Running)
        {
            foreach (var candidate in new[] { yellowAt, redAt, seriousAt })
            {
                if (candidate is { } c && c > now && (next is null || c < next))
                {
                    next = c;
                }
            }
        }

        return new LightReading(light, serious, state.Status == ClockStatus.Paused, next, yellowAt, redAt, seriousAt);
    }

    /// <summary>The instants at which a running clock turns yellow, red and seriously overdue.</summary>
    public static (DateTimeOffset? YellowAt, DateTimeOffset RedAt, DateTimeOffset? SeriousAt) Thresholds(ClockState state, LightPolicy policy, ClockContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(context);
        var red = state.DueEnd ?? throw new InvalidOperationException("A started clock has a due end.");
        var calendar = context.Calendar;
        var dueDay = state.DueDay ?? context.DayOf(state.DueAt!.Value);
        DateTimeOffset? yellow = policy.Yellow switch
        {
            YellowRule.RemainingWorkingDays r => context.StartOf(calendar.FirstDayWithAtMost(dueDay, r.Days)),
            YellowRule.ElapsedShare e when state.DueAt is { } dueAt =>
                dueAt - TimeSpan.FromTicks(((Length(state) + state.ExtendedTime).Ticks / 100) * (100 - e.Percent)),
            YellowRule.ElapsedShare e when state.Limit is TimeLimit.WorkingDays w =>
                context.StartOf(calendar.FirstDayWithAtMost(dueDay, (w.Count + state.ExtendedWorkingDays) * (100 - e.Percent) / 100)),
            YellowRule.ElapsedShare e =>
                context.StartOf(dueDay.AddDays(-((dueDay.DayNumber - state.StartDay!.Value.DayNumber) * (100 - e.Percent) / 100))),
            YellowRule.RemainingTime t => red - t.Before,
            _ => null,
        };
        if (yellow > red)
        {
            yellow = red;
        }

        DateTimeOffset? serious = policy.SeriouslyOverdueAfterWorkingDays is { } n
            ? context.EndOf(calendar.AddWorkingDays(dueDay, n))
            : null;
        return (yellow, red, serious);
    }

    private static TimeSpan Length(ClockState state) => state.Limit switch
    {
        TimeLimit.Duration d => d.Length,
        TimeLimit.FixedInstant i when state.StartedAt is { } started && i.At > started => i.At - started,
        _ => TimeSpan.Zero,
    };

    /// <summary>The light at <paramref name="now"/> told as a step of an explanation.</summary>
    public static ExplanationStep Explain(ClockState state, LightPolicy policy, ClockContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(context);
        var reading = Evaluate(state, policy, context, now);
        var (zhLight, enLight) = reading.Light switch
        {
            Light.Green => ("绿灯（正常）", "green (on schedule)"),
            Light.Yellow => ("黄灯（临近期限）", "yellow (close to the limit)"),
            Light.Red => (reading.SeriouslyOverdue ? "红灯（严重超期）" : "红灯（已超期）", reading.SeriouslyOverdue ? "red (seriously overdue)" : "red (overdue)"),
            Light.DoneOnTime => ("按期办结", "completed on time"),
            _ => ("超期办结", "completed late"),
        };
        var (zhRule, enRule) = policy.Yellow switch
        {
            YellowRule.RemainingWorkingDays r => ($"剩余不超过{r.Days}个工作日时为黄灯", $"yellow when {r.Days} working days or fewer remain"),
            YellowRule.ElapsedShare e => ($"已用期限达到{e.Percent}%时为黄灯", $"yellow once {e.Percent}% of the limit has elapsed"),
            YellowRule.RemainingTime t => ($"距截止不足{Words.ZhSpan(t.Before)}时为黄灯", $"yellow {Words.Span(t.Before)} before the end"),
            _ => ("不设黄灯", "no yellow stage"),
        };
        var zh = $"{Words.Instant(now, context.Zone)}时：{zhLight}；{zhRule}";
        var en = $"At {Words.Instant(now, context.Zone)}: {enLight}; {enRule}";
        if (state.Status == ClockStatus.Running && state.DueDay is { } due)
        {
            var left = context.Calendar.WorkingDaysBetween(context.DayOf(now), due);
            zh += left >= 0 ? $"；剩余{left}个工作日" : $"；已超期{-left}个工作日";
            en += left >= 0 ? $"; {left} working days remain" : $"; {-left} working days overdue";
        }

        if (reading.Paused)
        {
            zh += "；计时已暂停，灯色保持暂停时的状态";
            en += "; the clock is paused and the light keeps the colour it had";
        }

        if (reading.NextChangeAt is { } next)
        {
            var to = next == reading.YellowAt ? ("转黄", "turns yellow") : next == reading.RedAt ? ("转红", "turns red") : ("转为严重超期", "becomes seriously overdue");
            zh += $"；将于{Words.Instant(next, context.Zone)}{to.Item1}";
            en += $"; {to.Item2} at {Words.Instant(next, context.Zone)}";
        }

        var data = new Dictionary<string, object?>
        {
            ["light"] = reading.Light.Code(),
            ["seriouslyOverdue"] = reading.SeriouslyOverdue,
            ["paused"] = reading.Paused,
            ["yellowAt"] = reading.YellowAt,
            ["redAt"] = reading.RedAt,
            ["seriousAt"] = reading.SeriousAt,
            ["nextChangeAt"] = reading.NextChangeAt,
        };
        return new ExplanationStep("light", context.DayOf(now), data, zh + "。", en + ".");
    }
}
