using System.Globalization;
using System.Text.RegularExpressions;

namespace Supervision.Engine.Deadlines;

/// <summary>
/// How long something may take. Day-based limits (<see cref="WorkingDays"/>, <see cref="CalendarDays"/>,
/// <see cref="Months"/>, <see cref="FixedDate"/>, <see cref="MonthEnd"/>) produce a due <em>day</em>: the limit
/// ends at the end of that day in the office's time zone, and counting starts on the day after the start day
/// (the start day itself is never counted). Time-based limits (<see cref="Duration"/>: hours or minutes) count
/// calendar time from the start instant and end at that exact instant; <see cref="FixedInstant"/> is an exact
/// instant a document fixed (<c>11月25日17:00前报送</c>).
/// <para>
/// Rolling: when a limit counted in calendar days or months ends on a day that is not a working day, the due day
/// moves to the next working day (民法典 art. 203: a period whose last day is a statutory holiday ends on the day
/// after the holiday). This is on by default for <see cref="CalendarDays"/> and <see cref="Months"/>, off for
/// dates a document fixed (<see cref="FixedDate"/>, <see cref="MonthEnd"/>), and settable per limit.
/// </para>
/// </summary>
public abstract partial record TimeLimit
{
    private TimeLimit()
    {
    }

    /// <summary>True for limits that end at the end of a due day; false for hours and minutes.</summary>
    public bool IsDayBased => this is not (Duration or FixedInstant);

    /// <summary>N working days after the start day, on the working-day calendar.</summary>
    public sealed record WorkingDays(int Count) : TimeLimit;

    /// <summary>N calendar days after the start day; rolls to the next working day unless told not to.</summary>
    public sealed record CalendarDays(int Count, bool RollToWorkingDay = true) : TimeLimit;

    /// <summary>
    /// N months after the start day: the day with the start day's number in the target month, or that month's last
    /// day when it has no such day (民法典 art. 202: 2025-01-31 + 1 month = 2025-02-28); rolls unless told not to.
    /// </summary>
    public sealed record Months(int Count, bool RollToWorkingDay = true) : TimeLimit;

    /// <summary>Calendar time from the start instant (the 5-hour first-response rule; minutes for urgent items).</summary>
    public sealed record Duration(TimeSpan Length) : TimeLimit;

    /// <summary>A date fixed by a document (<c>9月15日</c>, <c>2020年6月30日前</c>).</summary>
    public sealed record FixedDate(DateOnly Date, bool RollToWorkingDay = false) : TimeLimit;

    /// <summary>An exact instant a document fixed (<c>2026-11-25T17:00+08:00</c>: 于11月25日17:00前报送).</summary>
    public sealed record FixedInstant(DateTimeOffset At) : TimeLimit;

    /// <summary>The last day of a month (<c>9月底</c>, <c>年底前</c> = December).</summary>
    public sealed record MonthEnd(int Year, int Month, bool RollToWorkingDay = false) : TimeLimit
    {
        /// <summary>The month's last day.</summary>
        public DateOnly LastDay => new DateOnly(Year, Month, 1).AddMonths(1).AddDays(-1);
    }

    /// <summary>
    /// Reads the notation definitions and the command line use: <c>20 working days</c> (<c>20个工作日</c>),
    /// <c>15 calendar days</c> (<c>15日</c>, <c>15天</c>; add <c>no roll</c> to keep a non-working due day),
    /// <c>1 month</c> (<c>1个月</c>), <c>5 hours</c> (<c>5小时</c>), <c>30 minutes</c> (<c>30分钟</c>),
    /// <c>2026-06-30</c>, <c>month-end 2026-09</c>, and an exact instant with its offset, <c>2026-11-25T17:00+08:00</c>.
    /// Returns false with a reason for anything else.
    /// </summary>
    public static bool TryParse(string? text, out TimeLimit? limit, out string? error)
    {
        limit = null;
        error = null;
        var value = (text ?? string.Empty).Trim();
        if (value.Length == 0)
        {
            error = "a time limit is empty";
            return false;
        }

        var noRoll = NoRoll().IsMatch(value);
        value = NoRoll().Replace(value, string.Empty).Trim();
        var match = Amount().Match(value);
        if (match.Success)
        {
            if (!int.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 100_000)
            {
                error = $"'{text}': the number must be a whole number from 1 to 100000";
                return false;
            }

            var unit = match.Groups["unit"].Value.ToLowerInvariant();
            limit = unit switch
            {
                "working day" or "working days" or "wd" or "个工作日" or "工作日" => new WorkingDays(n),
                "calendar day" or "calendar days" or "day" or "days" or "日" or "天" or "个自然日" or "自然日" => new CalendarDays(n, !noRoll),
                "month" or "months" or "个月" or "月" => new Months(n, !noRoll),
                "hour" or "hours" or "h" or "小时" or "个小时" => new Duration(TimeSpan.FromHours(n)),
                "minute" or "minutes" or "min" or "分钟" => new Duration(TimeSpan.FromMinutes(n)),
                _ => null,
            };
            if (limit is null)
            {
                error = $"'{text}': unknown unit '{match.Groups["unit"].Value}' (use working days, calendar days, months, hours or minutes)";
                return false;
            }

            if (noRoll && limit is not (CalendarDays or Months))
            {
                error = $"'{text}': 'no roll' applies only to calendar days and months";
                limit = null;
                return false;
            }

            return true;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            limit = new FixedDate(date);
            return true;
        }

        if (InstantPattern().IsMatch(value))
        {
            if (DateTimeOffset.TryParseExact(value, ["yyyy-MM-ddTHH:mmzzz", "yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-ddTHH:mmZ", "yyyy-MM-ddTHH:mm:ssZ"],
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) && instant.Year is >= 2000 and <= 2099)
            {
                limit = new FixedInstant(instant);
                return true;
            }

            error = $"'{text}' is not a valid instant: expected e.g. '2026-11-25T17:00+08:00'";
            return false;
        }

        var monthEnd = MonthEndPattern().Match(value);
        if (monthEnd.Success)
        {
            var year = int.Parse(monthEnd.Groups["y"].Value, CultureInfo.InvariantCulture);
            var month = int.Parse(monthEnd.Groups["m"].Value, CultureInfo.InvariantCulture);
            if (month is >= 1 and <= 12 && year is >= 2000 and <= 2099)
            {
                limit = new MonthEnd(year, month);
                return true;
            }
        }

        error = $"'{text}' is not a time limit: expected e.g. '20 working days', '15 calendar days', '1 month', '5 hours', '30 minutes', '2026-06-30' or 'month-end 2026-09'";
        return false;
    }

    /// <summary>Reads a limit that must be valid.</summary>
    public static TimeLimit Parse(string text) =>
        TryParse(text, out var limit, out var error) ? limit! : throw new FormatException(error);

    /// <summary>The notation <see cref="Parse"/> reads.</summary>
    public sealed override string ToString() => this switch
    {
        WorkingDays w => Invariant($"{w.Count} working days"),
        CalendarDays c => Invariant($"{c.Count} calendar days{(c.RollToWorkingDay ? string.Empty : " no roll")}"),
        Months m => Invariant($"{m.Count} {(m.Count == 1 ? "month" : "months")}{(m.RollToWorkingDay ? string.Empty : " no roll")}"),
        Duration d when d.Length.TotalMinutes % 60 == 0 => Invariant($"{(int)d.Length.TotalHours} hours"),
        Duration d => Invariant($"{(int)d.Length.TotalMinutes} minutes"),
        FixedDate f => f.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        FixedInstant i => i.At.ToString(i.At.Second == 0 ? "yyyy-MM-ddTHH:mmzzz" : "yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
        MonthEnd e => Invariant($"month-end {e.Year:D4}-{e.Month:D2}"),
        _ => GetType().Name,
    };

    /// <summary>A span as data, for a page to say in its own words: how many of which unit (<c>working-days</c>,
    /// <c>calendar-days</c>, <c>months</c>, <c>hours</c>, <c>minutes</c>) and whether a last day off is not rolled on to a
    /// working day; null for a date or an instant.</summary>
    public LimitSpan? Span() => this switch
    {
        WorkingDays w => new LimitSpan(w.Count, "working-days", false),
        CalendarDays c => new LimitSpan(c.Count, "calendar-days", !c.RollToWorkingDay),
        Months m => new LimitSpan(m.Count, "months", !m.RollToWorkingDay),
        Duration d when d.Length.TotalMinutes % 60 == 0 => new LimitSpan((int)d.Length.TotalHours, "hours", false),
        Duration d => new LimitSpan((int)d.Length.TotalMinutes, "minutes", false),
        _ => null,
    };

    /// <summary>The limit in Chinese, as an explanation says it: <c>20个工作日</c>, <c>5小时</c>, <c>2026年9月底</c>.</summary>
    public string ToChinese() => this switch
    {
        WorkingDays w => Invariant($"{w.Count}个工作日"),
        CalendarDays c => Invariant($"{c.Count}日（自然日）"),
        Months m => Invariant($"{m.Count}个月"),
        Duration d when d.Length.TotalMinutes % 60 == 0 => Invariant($"{(int)d.Length.TotalHours}小时"),
        Duration d => Invariant($"{(int)d.Length.TotalMinutes}分钟"),
        FixedDate f => Invariant($"{f.Date.Year}年{f.Date.Month}月{f.Date.Day}日"),
        FixedInstant i => Invariant($"{i.At.Year}年{i.At.Month}月{i.At.Day}日{i.At:HH:mm}{(i.At.Second == 0 ? string.Empty : Invariant($":{i.At.Second:D2}"))}（UTC{(i.At.Offset < TimeSpan.Zero ? "-" : "+")}{i.At.Offset:hh\\:mm}）"),
        MonthEnd e => Invariant($"{e.Year}年{e.Month}月底"),
        _ => ToString(),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<n>\d+)\s*(?<unit>working days?|wd|calendar days?|days?|months?|hours?|h|minutes?|min|个工作日|工作日|个自然日|自然日|日|天|个月|月|个小时|小时|分钟)(内)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Amount();

    [GeneratedRegex(@"\s*(,\s*)?(no roll|不顺延)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex NoRoll();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")]
    private static partial Regex InstantPattern();

    [GeneratedRegex(@"^month-end\s+(?<y>\d{4})-(?<m>\d{1,2})$", RegexOptions.IgnoreCase)]
    private static partial Regex MonthEndPattern();
}

/// <summary>A time limit's span as data: <see cref="Count"/> of <see cref="Unit"/> (<c>working-days</c>,
/// <c>calendar-days</c>, <c>months</c>, <c>hours</c>, <c>minutes</c>); <see cref="NoRoll"/>: a last day that is a day off
/// stays the due day.</summary>
public sealed record LimitSpan(int Count, string Unit, bool NoRoll);
