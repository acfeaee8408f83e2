using Supervision.Engine.Calendars;
using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Clocks;

/// <summary>An event that the clock's rules refuse; the message says why in words a person can act on.</summary>
public sealed class ClockRuleException(string message) : Exception(message);

/// <summary>What the clock needs besides its events: the working-day calendar, the office's zone, and the
/// definition's extension cap (null: no extensions allowed beyond what the events say; e.g. 20 working days).</summary>
public sealed record ClockContext(WorkingCalendar Calendar, TimeZoneInfo Zone, TimeLimit? ExtensionCap = null)
{
    // After the zone's last daylight-saving rule (Asia/Shanghai: 1991) its offset is fixed, and converting a day or
    // an instant is plain arithmetic; this is the hot path of every light computed.
    private readonly DateTime _fixedFrom = FixedFrom(Zone);

    /// <summary>The local day of an instant in the office's zone.</summary>
    public DateOnly DayOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return DateOnly.FromDateTime(utc >= _fixedFrom ? utc + Zone.BaseUtcOffset : TimeZoneInfo.ConvertTimeFromUtc(utc, Zone));
    }

    /// <summary>The instant a local day begins in the office's zone.</summary>
    public DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        var offset = local >= _fixedFrom ? Zone.BaseUtcOffset : Zone.GetUtcOffset(local);
        return new DateTimeOffset(DateTime.SpecifyKind(local - offset, DateTimeKind.Utc), TimeSpan.Zero);
    }

    /// <summary>The instant a local day ends (the next day's start): the moment a day-based limit is missed.</summary>
    public DateTimeOffset EndOf(DateOnly day) => StartOf(day.AddDays(1));

    // Per zone, once: reading a zone's rules allocates them afresh, and a context is made per clock folded.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<TimeZoneInfo, DateTime> FixedFromByZone = new();

    private static DateTime FixedFrom(TimeZoneInfo zone) => FixedFromByZone.GetOrAdd(zone, ComputeFixedFrom);

    private static DateTime ComputeFixedFrom(TimeZoneInfo zone)
    {
        var rules = zone.GetAdjustmentRules();
        if (rules.Length == 0)
        {
            return DateTime.MinValue;
        }

        var last = rules[^1];
        // A rule reaching into the far future means the zone still changes its clocks: no fixed stretch.
        return last.DateEnd.Year >= 9999 ? DateTime.MaxValue : last.DateEnd.Date.AddDays(2);
    }
}

/// <summary>
/// The clock of an item as a pure function of its event log and the calendar. <see cref="Fold"/> gives the state;
/// <see cref="Explain"/> the same fold told step by step. Rules:
/// <list type="bullet">
/// <item>Day-based limits count from the day after the start day; the due day ends at local midnight.</item>
/// <item>A pause keeps what remains (working days up to the due day after the pause day, which counts as used);
/// on resume the remaining days count from the day after the resume day, like a start.</item>
/// <item>A restart (article 30) counts the full limit afresh from the day after the correction was received, and
/// drops earlier extensions and overrides.</item>
/// <item>Extensions are refused while paused, beyond the definition's cap, or in a unit the cap does not use.</item>
/// </list>
/// </summary>
public static class Clock
{
    /// <summary>Folds a whole log; throws <see cref="ClockRuleException"/> if the log breaks a rule.</summary>
    public static ClockState Fold(IEnumerable<ClockEvent> events, ClockContext context)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(context);
        var state = ClockState.NotStarted with { CalendarVersion = context.Calendar.Version };
        foreach (var e in events)
        {
            state = Apply(state, e, context, null);
        }

        return WithProvisionalYears(state, context);
    }

    /// <summary>Checks one more event against the state so far; returns the new state, or the reason it is refused.</summary>
    public static bool TryApply(ClockState state, ClockEvent next, ClockContext context, out ClockState result, out string? error)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            result = WithProvisionalYears(Apply(state, next, context, null), context);
            error = null;
            return true;
        }
        catch (ClockRuleException e)
        {
            result = state;
            error = e.Message;
            return false;
        }
    }

    /// <summary>The fold told step by step, in Chinese and English, with structured data.</summary>
    public static (ClockState State, Explanation Explanation) Explain(IEnumerable<ClockEvent> events, ClockContext context)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(context);
        var steps = new List<ExplanationStep>();
        var state = ClockState.NotStarted with { CalendarVersion = context.Calendar.Version };
        foreach (var e in events)
        {
            state = Apply(state, e, context, steps);
        }

        state = WithProvisionalYears(state, context);
        if (state.Status is ClockStatus.Running or ClockStatus.Paused)
        {
            steps.Add(DueStep(state, context));
        }

        foreach (var year in state.ProvisionalYears)
        {
            var reckoned = context.Calendar.YearInForce(year);
            var days = reckoned is null ? string.Empty : string.Join("、", reckoned.Holidays.Select(h => $"{h.Name} {Words.Range(h.From, h.To)}"));
            var daysEn = reckoned is null ? string.Empty : string.Join(", ", reckoned.Holidays.Select(h => $"{h.NameEn} {Words.Range(h.From, h.To)}"));
            steps.Add(new ExplanationStep("calendar-provisional", null, new Dictionary<string, object?> { ["year"] = year, ["holidays"] = reckoned?.Holidays.Select(h => new { h.Name, h.NameEn, h.From, h.To }).ToList() },
                reckoned is null
                    ? $"{year}年放假安排尚未公布：按仅周末休息推算，载入后截止日将重新计算。"
                    : $"{year}年放假安排尚未公布：截止日依《全国年节及纪念日放假办法》推算（{days}），国务院办公厅通知载入后将重新计算。",
                reckoned is null
                    ? $"The {year} holiday arrangement is not yet published: weekends only were assumed; the due day will be recomputed when it is loaded."
                    : $"The {year} holiday arrangement is not yet published: the due day is reckoned from the law on public holidays ({daysEn}) and will be recomputed when the State Council's notice is loaded."));
        }

        return (state, new Explanation(steps));
    }

    /// <summary>The due day (or instant) a limit gives from a start, without any events after it.</summary>
    public static (DateOnly? DueDay, DateTimeOffset? DueAt) DueFrom(TimeLimit limit, DateOnly startDay, DateTimeOffset startedAt, WorkingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(limit);
        ArgumentNullException.ThrowIfNull(calendar);
        return limit switch
        {
            TimeLimit.WorkingDays w => (calendar.AddWorkingDays(startDay, w.Count), null),
            TimeLimit.CalendarDays c => (Roll(startDay.AddDays(c.Count), c.RollToWorkingDay, calendar), null),
            TimeLimit.Months m => (Roll(startDay.AddMonths(m.Count), m.RollToWorkingDay, calendar), null),
            TimeLimit.FixedDate f => (Roll(f.Date, f.RollToWorkingDay, calendar), null),
            TimeLimit.MonthEnd e => (Roll(e.LastDay, e.RollToWorkingDay, calendar), null),
            TimeLimit.Duration d => (null, (startedAt + d.Length).ToUniversalTime()),
            TimeLimit.FixedInstant i => (null, i.At.ToUniversalTime()),
            _ => throw new ArgumentOutOfRangeException(nameof(limit), limit, "Unknown kind of time limit."),
        };
    }

    private static DateOnly Roll(DateOnly day, bool roll, WorkingCalendar calendar) => roll ? calendar.NextWorkingDayOnOrAfter(day) : day;

    private static bool RollsOf(TimeLimit? limit) => limit switch
    {
        TimeLimit.CalendarDays c => c.RollToWorkingDay,
        TimeLimit.Months m => m.RollToWorkingDay,
        TimeLimit.FixedDate f => f.RollToWorkingDay,
        TimeLimit.MonthEnd e => e.RollToWorkingDay,
        _ => false,
    };

    private static ClockState Apply(ClockState s, ClockEvent e, ClockContext c, List<ExplanationStep>? steps)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (s.LastEventAt is { } last && e.At < last)
        {
            throw new ClockRuleException($"Clock events must be in time order: {Words.Instant(e.At, c.Zone)} is before the previous event.");
        }

        var next = e switch
        {
            ClockEvent.Started started => Start(s, started, c, steps),
            ClockEvent.Paused paused => Pause(s, paused, c, steps),
            ClockEvent.Resumed resumed => Resume(s, resumed, c, steps),
            ClockEvent.Restarted restarted => Restart(s, restarted, c, steps),
            ClockEvent.Extended extended => Extend(s, extended, c, steps),
            ClockEvent.Overridden overridden => Override(s, overridden, c, steps),
            ClockEvent.Stopped stopped => Stop(s, stopped, c, steps),
            _ => throw new ClockRuleException($"Unknown clock event {e.GetType().Name}."),
        };
        return next with { EventCount = s.EventCount + 1, LastEventAt = e.At };
    }

    // The years between the start and the due day whose notices are not loaded (reckoned from the law there).
    private static ClockState WithProvisionalYears(ClockState s, ClockContext c)
    {
        if (s.StartDay is not { } start)
        {
            return s;
        }

        var end = s.DueDay ?? (s.DueAt is { } at ? c.DayOf(at) : start);
        var missing = c.Calendar.ProvisionalYears(start < end ? start : end, start < end ? end : start);
        return missing.Count == 0 ? s : s with { ProvisionalYears = missing };
    }

    private static ClockState Start(ClockState s, ClockEvent.Started e, ClockContext c, List<ExplanationStep>? steps)
    {
        if (s.Status != ClockStatus.NotStarted)
        {
            throw new ClockRuleException("The clock is already started; use a restart to count the limit afresh.");
        }

        var (dueDay, dueAt) = DueFrom(e.Limit, e.StartDay, e.At, c.Calendar);
        var result = s with
        {
            Status = ClockStatus.Running,
            Limit = e.Limit,
            StartDay = e.StartDay,
            StartedAt = e.At,
            DueDay = dueDay,
            DueAt = dueAt,
            DueEnd = dueDay is { } d ? c.EndOf(d) : dueAt,
        };
        if (steps is not null)
        {
            var data = new Dictionary<string, object?> { ["startDay"] = Words.Day(e.StartDay), ["limit"] = e.Limit.ToString() };
            if (e.Limit.IsDayBased)
            {
                steps.Add(new ExplanationStep("start", e.StartDay, data,
                    $"{Words.ZhDay(e.StartDay)}起算，当日不计入；期限为{e.Limit.ToChinese()}，自次日起计算。",
                    $"Starts {Words.EnDay(e.StartDay)}; that day is not counted; the limit, {e.Limit}, counts from the next day."));
                AddSpan(steps, c, e.StartDay, dueDay!.Value, e.Limit);
            }
            else if (e.Limit is TimeLimit.FixedInstant fixedAt)
            {
                steps.Add(new ExplanationStep("start", e.StartDay, data,
                    $"{Words.Instant(e.At, c.Zone)}起算，文件规定于{Words.Instant(fixedAt.At, c.Zone)}前完成。",
                    $"Starts {Words.Instant(e.At, c.Zone)}; the document fixes the deadline at {Words.Instant(fixedAt.At, c.Zone)}."));
            }
            else
            {
                steps.Add(new ExplanationStep("start", e.StartDay, data,
                    $"{Words.Instant(e.At, c.Zone)}起算，期限为{e.Limit.ToChinese()}（连续计算，不扣除节假日）。",
                    $"Starts {Words.Instant(e.At, c.Zone)}; the limit, {e.Limit}, runs in calendar time."));
            }
        }

        return result;
    }

    private static void AddSpan(List<ExplanationStep> steps, ClockContext c, DateOnly from, DateOnly due, TimeLimit? limit)
    {
        if (due > from)
        {
            steps.Add(Words.SpanDetail(c.Calendar, from, due));
        }

        if (RollsOf(limit) && limit is not TimeLimit.WorkingDays)
        {
            var raw = limit switch
            {
                TimeLimit.CalendarDays cd => from.AddDays(cd.Count),
                TimeLimit.Months m => from.AddMonths(m.Count),
                TimeLimit.FixedDate f => f.Date,
                TimeLimit.MonthEnd me => me.LastDay,
                _ => due,
            };
            if (raw != due)
            {
                steps.Add(new ExplanationStep("rolled", due, new Dictionary<string, object?> { ["from"] = Words.Day(raw), ["to"] = Words.Day(due) },
                    $"期限末日{Words.ZhDay(raw)}不是工作日，顺延至{Words.ZhDay(due)}（民法典第二百零三条）。",
                    $"The last day, {Words.EnDay(raw)}, is not a working day; it moves to {Words.EnDay(due)} (Civil Code art. 203)."));
            }
        }
    }

    private static ClockState Pause(ClockState s, ClockEvent.Paused e, ClockContext c, List<ExplanationStep>? steps)
    {
        if (s.Status != ClockStatus.Running)
        {
            throw new ClockRuleException(s.Status == ClockStatus.Paused ? "The clock is already paused." : "Only a running clock can be paused.");
        }

        // The day the pause took effect (On: the consultation letter's day, entered later), else the day of entry.
        var at = ClockEvent.EffectiveAt(e, c);
        var day = c.DayOf(at);
        var result = s with { Status = ClockStatus.Paused, PausedAt = at, PauseReason = e.Reason };
        string zhLeft, enLeft;
        if (s.DueAt is { } dueAt)
        {
            result = result with { RemainingTime = dueAt - at };
            zhLeft = $"剩余{Words.ZhSpan(dueAt - at)}";
            enLeft = $"{Words.Span(dueAt - at)} remain";
        }
        else if (s.Limit is TimeLimit.WorkingDays)
        {
            var left = c.Calendar.WorkingDaysBetween(day, s.DueDay!.Value);
            result = result with { RemainingDays = left };
            zhLeft = left >= 0 ? $"剩余{left}个工作日" : $"已超期{-left}个工作日";
            enLeft = left >= 0 ? $"{left} working days remain" : $"{-left} working days overdue";
        }
        else
        {
            var left = s.DueDay!.Value.DayNumber - day.DayNumber;
            result = result with { RemainingDays = left };
            zhLeft = left >= 0 ? $"剩余{left}日" : $"已超期{-left}日";
            enLeft = left >= 0 ? $"{left} calendar days remain" : $"{-left} calendar days overdue";
        }

        steps?.Add(new ExplanationStep("pause", day,
            new Dictionary<string, object?> { ["at"] = e.At, ["reason"] = ReasonCode(e.Reason), ["note"] = e.Note, ["remainingDays"] = result.RemainingDays },
            $"{Words.ZhDay(day)}因{ReasonZh(e.Reason)}暂停计时（当日计入已用期限），{zhLeft}{Note(e.Note)}。",
            $"Paused {Words.EnDay(day)} for {ReasonEn(e.Reason)} (that day counts as used); {enLeft}{Note(e.Note)}."));
        return result;
    }

    private static ClockState Resume(ClockState s, ClockEvent.Resumed e, ClockContext c, List<ExplanationStep>? steps)
    {
        if (s.Status != ClockStatus.Paused)
        {
            throw new ClockRuleException("Only a paused clock can be resumed.");
        }

        var at = ClockEvent.EffectiveAt(e, c);
        var day = c.DayOf(at);
        ClockState result;
        if (s.DueAt is not null)
        {
            var dueAt = (at + s.RemainingTime).ToUniversalTime();
            result = s with { Status = ClockStatus.Running, DueAt = dueAt, DueEnd = dueAt };
        }
        else
        {
            var due = s.Limit is TimeLimit.WorkingDays
                ? ShiftWorking(c.Calendar, day, s.RemainingDays)
                : Roll(day.AddDays(s.RemainingDays), RollsOf(s.Limit), c.Calendar);
            result = s with { Status = ClockStatus.Running, DueDay = due, DueEnd = c.EndOf(due) };
        }

        result = result with { PausedAt = null, PauseReason = null, RemainingDays = 0, RemainingTime = TimeSpan.Zero };
        if (steps is not null)
        {
            var pausedDays = day.DayNumber - c.DayOf(s.PausedAt!.Value).DayNumber;
            var (due, dueEn) = DueWords(result, c);
            steps.Add(new ExplanationStep("resume", day,
                new Dictionary<string, object?> { ["at"] = e.At, ["pausedCalendarDays"] = pausedDays, ["due"] = result.DueDay is { } d3 ? Words.Day(d3) : result.DueAt },
                $"{Words.ZhDay(day)}恢复计时（当日不计入），暂停{pausedDays}天不计入期限，截止顺延至{due}{Note(e.Note)}。",
                $"Resumed {Words.EnDay(day)} (that day is not counted); the {pausedDays} paused days do not count; now due {dueEn}{Note(e.Note)}."));
        }

        return result;
    }

    // Remaining working days counted from the day after `from`; zero or fewer keep the overdue count.
    private static DateOnly ShiftWorking(WorkingCalendar calendar, DateOnly from, int remaining) =>
        remaining > 0 ? calendar.AddWorkingDays(from, remaining) : calendar.AddWorkingDays(calendar.NextWorkingDayOnOrAfter(from), remaining);

    private static ClockState Restart(ClockState s, ClockEvent.Restarted e, ClockContext c, List<ExplanationStep>? steps)
    {
        if (s.Status is ClockStatus.NotStarted or ClockStatus.Stopped)
        {
            throw new ClockRuleException("Only a started, unfinished clock can be restarted.");
        }

        if (e.StartDay < s.StartDay)
        {
            throw new ClockRuleException($"A restart counts from the day the correction was received; {Words.Day(e.StartDay)} is before the original start {Words.Day(s.StartDay!.Value)}.");
        }

        var (dueDay, dueAt) = DueFrom(s.Limit!, e.StartDay, e.At, c.Calendar);
        var result = s with
        {
            Status = ClockStatus.Running,
            StartDay = e.StartDay,
            StartedAt = e.At,
            DueDay = dueDay,
            DueAt = dueAt,
            DueEnd = dueDay is { } d ? c.EndOf(d) : dueAt,
            PausedAt = null,
            PauseReason = null,
            RemainingDays = 0,
            RemainingTime = TimeSpan.Zero,
            ExtendedWorkingDays = 0,
            ExtendedCalendarDays = 0,
            ExtendedTime = TimeSpan.Zero,
            Overridden = false,
        };
        if (steps is not null)
        {
            steps.Add(new ExplanationStep("restart", e.StartDay, new Dictionary<string, object?> { ["startDay"] = Words.Day(e.StartDay), ["note"] = e.Note },
                $"{Words.ZhDay(e.StartDay)}收到补正，期限重新计算（第三十条）：自次日起{s.Limit!.ToChinese()}，此前的暂停、延长不再适用{Note(e.Note)}。",
                $"Correction received {Words.EnDay(e.StartDay)}: the limit counts afresh (art. 30), {s.Limit} from the next day; earlier pauses and extensions no longer apply{Note(e.Note)}."));
            if (dueDay is { } due)
            {
                AddSpan(steps, c, e.StartDay, due, s.Limit);
            }
        }

        return result;
    }

    private static ClockState Extend(ClockState s, ClockEvent.Extended e, ClockContext c, List<ExplanationStep>? steps)
    {
        RequireRunning(s, "Resume the clock before extending it.", "Only a running clock can be extended.");

        if (string.IsNullOrWhiteSpace(e.Approver) || string.IsNullOrWhiteSpace(e.Reason))
        {
            throw new ClockRuleException("An extension needs an approver and a reason (article 33).");
        }

        ClockState result;
        string amountZh = e.By.ToChinese();
        switch (e.By)
        {
            case TimeLimit.WorkingDays w when s.DueDay is { } due:
                CheckCap(c.ExtensionCap, e.By, s.ExtendedWorkingDays + w.Count, s.ExtendedWorkingDays, w.Count);
                var newDue = c.Calendar.AddWorkingDays(due, w.Count);
                result = s with { DueDay = newDue, DueEnd = c.EndOf(newDue), ExtendedWorkingDays = s.ExtendedWorkingDays + w.Count };
                break;
            case TimeLimit.CalendarDays cd when s.DueDay is { } due:
                CheckCap(c.ExtensionCap, e.By, s.ExtendedCalendarDays + cd.Count, s.ExtendedCalendarDays, cd.Count);
                var rolled = Roll(due.AddDays(cd.Count), cd.RollToWorkingDay, c.Calendar);
                result = s with { DueDay = rolled, DueEnd = c.EndOf(rolled), ExtendedCalendarDays = s.ExtendedCalendarDays + cd.Count };
                break;
            case TimeLimit.Duration d when s.DueAt is { } at:
                CheckCap(c.ExtensionCap, e.By, (int)(s.ExtendedTime + d.Length).TotalMinutes, (int)s.ExtendedTime.TotalMinutes, (int)d.Length.TotalMinutes);
                result = s with { DueAt = (at + d.Length).ToUniversalTime(), DueEnd = (at + d.Length).ToUniversalTime(), ExtendedTime = s.ExtendedTime + d.Length };
                break;
            default:
                throw new ClockRuleException(s.DueAt is null
                    ? $"A day-based limit is extended by working or calendar days, not by {e.By}."
                    : $"An hour or minute limit is extended by hours or minutes, not by {e.By}.");
        }

        if (steps is not null)
        {
            var day = c.DayOf(e.At);
            var (dueZh, dueEn) = DueWords(result, c);
            steps.Add(new ExplanationStep("extend", day,
                new Dictionary<string, object?> { ["at"] = e.At, ["by"] = e.By.ToString(), ["approver"] = e.Approver, ["reason"] = e.Reason },
                $"{Words.ZhDay(day)}经{e.Approver}批准延长{amountZh}（第三十三条；理由：{e.Reason}），截止日变为{dueZh}。",
                $"Extended {Words.EnDay(day)} by {e.By}, approved by {e.Approver} (art. 33; reason: {e.Reason}); now due {dueEn}."));
            if (s.DueDay is { } from && result.DueDay is { } to)
            {
                AddSpan(steps, c, from, to, null);
            }
        }

        return result;
    }

    private static void CheckCap(TimeLimit? cap, TimeLimit requested, int total, int used, int asked)
    {
        switch (cap)
        {
            case null:
                return;
            case TimeLimit.WorkingDays w when requested is TimeLimit.WorkingDays:
                if (total > w.Count)
                {
                    throw new ClockRuleException($"Extension would exceed {w.Count} working days: {used} already used, {asked} requested.");
                }

                return;
            case TimeLimit.CalendarDays cd when requested is TimeLimit.CalendarDays:
                if (total > cd.Count)
                {
                    throw new ClockRuleException($"Extension would exceed {cd.Count} calendar days: {used} already used, {asked} requested.");
                }

                return;
            case TimeLimit.Duration d when requested is TimeLimit.Duration:
                if (total > d.Length.TotalMinutes)
                {
                    throw new ClockRuleException($"Extension would exceed {d}: {used} minutes already used, {asked} requested.");
                }

                return;
            default:
                throw new ClockRuleException($"Extensions of this item are counted as {cap}; {requested} cannot be granted.");
        }
    }

    private static ClockState Override(ClockState s, ClockEvent.Overridden e, ClockContext c, List<ExplanationStep>? steps)
    {
        RequireRunning(s, "Resume the clock before setting its deadline.", "Only a running clock's deadline can be set.");

        if (string.IsNullOrWhiteSpace(e.Reason) || string.IsNullOrWhiteSpace(e.By))
        {
            throw new ClockRuleException("Setting a deadline directly needs the person deciding and a reason (article 35).");
        }

        ClockState result;
        if (s.DueDay is not null && e.DueOn is { } day && e.DueAt is null)
        {
            result = s with { DueDay = day, DueEnd = c.EndOf(day), Overridden = true };
        }
        else if (s.DueAt is not null && e.DueAt is { } at && e.DueOn is null)
        {
            result = s with { DueAt = at.ToUniversalTime(), DueEnd = at.ToUniversalTime(), Overridden = true };
        }
        else
        {
            throw new ClockRuleException(s.DueDay is not null ? "This limit is day-based: set a due day, not an instant." : "This limit runs in hours or minutes: set a due instant, not a day.");
        }

        if (steps is not null)
        {
            var when = c.DayOf(e.At);
            var (dueZh, dueEn) = DueWords(result, c);
            steps.Add(new ExplanationStep("override", when,
                new Dictionary<string, object?> { ["at"] = e.At, ["dueOn"] = e.DueOn is { } o ? Words.Day(o) : null, ["dueAt"] = e.DueAt, ["by"] = e.By, ["reason"] = e.Reason },
                $"{Words.ZhDay(when)}由{e.By}另行确定答复期限为{dueZh}（第三十五条；理由：{e.Reason}）。",
                $"On {Words.EnDay(when)} {e.By} set the deadline to {dueEn} (art. 35; reason: {e.Reason})."));
        }

        return result;
    }

    private static ClockState Stop(ClockState s, ClockEvent.Stopped e, ClockContext c, List<ExplanationStep>? steps)
    {
        if (s.Status is not (ClockStatus.Running or ClockStatus.Paused))
        {
            throw new ClockRuleException(s.Status == ClockStatus.Stopped ? "The clock is already stopped." : "The clock has not started.");
        }

        // Timeliness is judged by the day the work was done (On: a reply's date, entered later), not the day of entry.
        var at = ClockEvent.EffectiveAt(e, c);
        var result = s with { Status = ClockStatus.Stopped, StoppedAt = at };
        if (steps is not null)
        {
            var late = Deadlines.LightRules.IsLate(s, at);
            var day = c.DayOf(at);
            var overdue = late && s.DueDay is { } due ? c.Calendar.WorkingDaysBetween(due, day) : 0;
            var (zhWhen, enWhen) = at == e.At ? (Words.Instant(at, c.Zone), Words.Instant(at, c.Zone)) : (Words.ZhDay(day), Words.EnDay(day));
            steps.Add(new ExplanationStep("stop", day, new Dictionary<string, object?> { ["at"] = e.At, ["on"] = Words.Day(day), ["late"] = late, ["workingDaysLate"] = overdue },
                late ? $"{zhWhen}办结，已超期{(overdue > 0 ? $"{overdue}个工作日" : string.Empty)}。" : $"{zhWhen}办结，未超期。",
                late ? $"Completed {enWhen}, late{(overdue > 0 ? $" by {overdue} working days" : string.Empty)}." : $"Completed {enWhen}, on time."));
        }

        return result;
    }

    private static ExplanationStep DueStep(ClockState s, ClockContext c)
    {
        if (s.DueDay is { } due)
        {
            return new ExplanationStep("due", due, new Dictionary<string, object?> { ["dueOn"] = Words.Day(due), ["dueEnd"] = s.DueEnd, ["zone"] = c.Zone.Id },
                $"截止日：{Words.ZhDay(due)}，当日24:00（{c.Zone.Id}）前有效。",
                $"Due {Words.EnDay(due)}, until the end of that day ({c.Zone.Id}).");
        }

        return new ExplanationStep("due", c.DayOf(s.DueAt!.Value), new Dictionary<string, object?> { ["dueAt"] = s.DueAt, ["zone"] = c.Zone.Id },
            $"截止时间：{Words.Instant(s.DueAt.Value, c.Zone)}（{c.Zone.Id}）。",
            $"Due at {Words.Instant(s.DueAt.Value, c.Zone)} ({c.Zone.Id}).");
    }

    private static void RequireRunning(ClockState s, string whenPaused, string otherwise)
    {
        if (s.Status != ClockStatus.Running)
        {
            throw new ClockRuleException(s.Status == ClockStatus.Paused ? whenPaused : otherwise);
        }
    }

    private static (string Zh, string En) DueWords(ClockState s, ClockContext c) =>
        s.DueDay is { } day
            ? (Words.ZhDay(day), Words.EnDay(day))
            : (Words.Instant(s.DueAt!.Value, c.Zone), Words.Instant(s.DueAt!.Value, c.Zone));

    private static string Note(string? note) => string.IsNullOrWhiteSpace(note) ? string.Empty : $"（{note}）";

    /// <summary>The stored code of a pause reason.</summary>
    public static string ReasonCode(PauseReason reason) => reason switch
    {
        PauseReason.ThirdPartyConsultation => "third-party-consultation",
        PauseReason.AgencyConsultation => "agency-consultation",
        PauseReason.AwaitingCorrection => "awaiting-correction",
        _ => "custom",
    };

    private static string ReasonZh(PauseReason reason) => reason switch
    {
        PauseReason.ThirdPartyConsultation => "征求第三方意见（第三十二条）",
        PauseReason.AgencyConsultation => "征求其他机关意见（第三十四条）",
        PauseReason.AwaitingCorrection => "等待申请人补正（第三十条）",
        _ => "其他原因",
    };

    private static string ReasonEn(PauseReason reason) => reason switch
    {
        PauseReason.ThirdPartyConsultation => "third-party consultation (art. 32)",
        PauseReason.AgencyConsultation => "consultation of another agency (art. 34)",
        PauseReason.AwaitingCorrection => "the applicant's correction (art. 30)",
        _ => "another reason",
    };
}
