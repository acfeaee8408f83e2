using System.Globalization;
using Supervision.Engine.Calendars;
using Supervision.Engine.Clocks;

namespace Supervision.Engine.Deadlines;

/// <summary>
/// One step of how a deadline or a light was reached, as structured data (<see cref="Kind"/>, <see cref="Data"/>)
/// and as a sentence in Chinese and in English.
/// </summary>
public sealed record ExplanationStep(string Kind, DateOnly? Day, IReadOnlyDictionary<string, object?> Data, string Zh, string En);

/// <summary>
/// The account of a deadline: start day and rule, days skipped (weekends, named holidays), make-up days counted,
/// pauses, restarts, extensions, overrides, the due day, and (when asked at an instant) the light.
/// </summary>
public sealed record Explanation(IReadOnlyList<ExplanationStep> Steps)
{
    /// <summary>How a clock's deadline was reached (<see cref="Clock.Explain"/>) and its light at <paramref name="now"/>
    /// under <paramref name="policy"/> (<see cref="LightRules.Explain"/>), with the folded state.</summary>
    public static (ClockState State, Explanation Explanation) Of(IEnumerable<ClockEvent> events, ClockPolicy policy, ClockContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var (state, explanation) = Clock.Explain(events, context);
        return (state, new Explanation([.. explanation.Steps, LightRules.Explain(state, policy.Light, context, now)]));
    }

    /// <summary>The whole account in Chinese, one step a line.</summary>
    public string ToChinese() => string.Join(Environment.NewLine, Steps.Select(s => s.Zh));

    /// <summary>The whole account in English, one step a line.</summary>
    public string ToEnglish() => string.Join(Environment.NewLine, Steps.Select(s => s.En));
}

/// <summary>Sentence parts shared by explanations.</summary>
internal static class Words
{
    private static readonly string[] ZhWeekdays = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"];

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>"2027-02-05..2027-02-10", or the one day.</summary>
    public static string Range(DateOnly from, DateOnly to) => from == to ? Day(from) : $"{Day(from)}..{Day(to)}";

    public static string ZhDay(DateOnly d) => $"{Day(d)}（{ZhWeekdays[(int)d.DayOfWeek]}）";

    public static string EnDay(DateOnly d) => $"{d.DayOfWeek} {Day(d)}";

    public static string Instant(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Span(TimeSpan t) =>
        t.TotalMinutes % 60 == 0 ? $"{(long)t.TotalHours} h" : $"{(long)t.TotalMinutes} min";

    public static string ZhSpan(TimeSpan t) =>
        t.TotalMinutes % 60 == 0 ? $"{(long)t.TotalHours}小时" : $"{(long)t.TotalMinutes}分钟";

    /// <summary>What lies in (from, to]: weekends skipped, holidays skipped by name, make-up days counted.</summary>
    public static ExplanationStep SpanDetail(WorkingCalendar calendar, DateOnly from, DateOnly to)
    {
        var weekends = 0;
        var holidays = new List<(string Name, string NameEn, DateOnly From, DateOnly To)>();
        var makeUps = new List<(DateOnly Day, string Name)>();
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1))
        {
            switch (calendar.KindOf(d))
            {
                case DayKind.Weekend:
                    weekends++;
                    break;
                case DayKind.Holiday:
                    var (name, nameEn) = calendar.HolidayNameOf(d)!.Value;
                    if (holidays.Count > 0 && holidays[^1].Name == name && holidays[^1].To == d.AddDays(-1))
                    {
                        holidays[^1] = holidays[^1] with { To = d };
                    }
                    else
                    {
                        holidays.Add((name, nameEn, d, d));
                    }

                    break;
                case DayKind.MakeUpWorkday:
                    makeUps.Add((d, calendar.HolidayNameOf(d)!.Value.Name));
                    break;
                default:
                    break;
            }
        }

        var counted = calendar.WorkingDaysBetween(from, to);
        var zh = $"{Day(from.AddDays(1))}至{Day(to)}共{to.DayNumber - from.DayNumber}天，计{counted}个工作日；跳过周末{weekends}天";
        var en = $"{Day(from.AddDays(1))} to {Day(to)}: {to.DayNumber - from.DayNumber} days, {counted} working days; {weekends} weekend days skipped";
        if (holidays.Count > 0)
        {
            zh += "；跳过法定节假日：" + string.Join("、", holidays.Select(h => h.From == h.To ? $"{h.Name}（{Day(h.From)}）" : $"{h.Name}（{Day(h.From)}至{Day(h.To)}）"));
            en += "; holidays skipped: " + string.Join(", ", holidays.Select(h => h.From == h.To ? $"{h.NameEn} ({Day(h.From)})" : $"{h.NameEn} ({Day(h.From)} to {Day(h.To)})"));
        }

        if (makeUps.Count > 0)
        {
            zh += "；调休上班日计入：" + string.Join("、", makeUps.Select(m => $"{ZhDay(m.Day)}"));
            en += "; make-up working days counted: " + string.Join(", ", makeUps.Select(m => EnDay(m.Day)));
        }

        var data = new Dictionary<string, object?>
        {
            ["from"] = Day(from.AddDays(1)),
            ["to"] = Day(to),
            ["calendarDays"] = to.DayNumber - from.DayNumber,
            ["workingDays"] = counted,
            ["weekendDaysSkipped"] = weekends,
            ["holidaysSkipped"] = holidays.Select(h => new Dictionary<string, object?> { ["name"] = h.Name, ["nameEn"] = h.NameEn, ["from"] = Day(h.From), ["to"] = Day(h.To) }).ToList(),
            ["makeUpDaysCounted"] = makeUps.Select(m => Day(m.Day)).ToList(),
        };
        return new ExplanationStep("span", null, data, zh + "。", en + ".");
    }
}
