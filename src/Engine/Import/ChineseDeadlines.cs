using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Import;

/// <summary>What a deadline cell or phrase in a plan means.</summary>
public enum DeadlineKind
{
    /// <summary>A day (or month end) by which the task is done.</summary>
    Dated,

    /// <summary>Ongoing work (长期坚持, 持续推进): no end, progress reported on a cadence.</summary>
    Ongoing,

    /// <summary>Continuous (实时): done as things happen, no end, no report cycle of its own.</summary>
    Continuous,

    /// <summary>Counted from an event (新规出台后1个月内, 5个工作日内): dated when the event is recorded.</summary>
    Relative,
}

/// <summary>One deadline read from a plan: its kind, the limit (a date, or the span after the event), and the words it came from.</summary>
public sealed record PlanDeadline(DeadlineKind Kind, TimeLimit? Limit, string Text, string? Event = null)
{
    /// <summary>The day a dated deadline ends (not moved off holidays: plans fix their dates), or null.</summary>
    public DateOnly? Due => Kind == DeadlineKind.Dated && Limit is not null ? DeadlineReading.LastDay(Limit) : null;
}

/// <summary>A deadline cell as read: every deadline in it, in the order written, and what could not be understood.</summary>
public sealed record DeadlineReading(string Original, IReadOnlyList<PlanDeadline> Deadlines, IReadOnlyList<string> Warnings)
{
    /// <summary>True when the cell said nothing.</summary>
    public bool Blank => Deadlines.Count == 0 && Warnings.Count == 0;

    /// <summary>Whether a task with this cell waits for its event: no dated deadline, a span after an event, and
    /// neither ongoing nor continuous work (新规出台后1个月内). Such a task is assigned when the event is recorded.</summary>
    public bool AwaitsEvent => Earliest is null && Deadlines.Any(d => d.Kind == DeadlineKind.Relative && d.Limit is not null)
        && Deadlines.All(d => d.Kind is not (DeadlineKind.Ongoing or DeadlineKind.Continuous));

    /// <summary>The earliest dated deadline (for a task that cannot be split per sub-task), or null.</summary>
    public TimeLimit? Earliest => Deadlines.Where(d => d.Kind == DeadlineKind.Dated).Select(d => d.Limit!).MinBy(LastDay);

    internal static DateOnly LastDay(TimeLimit limit) => limit switch
    {
        TimeLimit.FixedDate f => f.Date,
        TimeLimit.MonthEnd m => m.LastDay,
        _ => DateOnly.MaxValue,
    };
}

/// <summary>
/// Reads the deadlines Chinese plans write (任务分解表 完成时限 cells and phrases inside task text), for a plan year:
/// <c>9月底</c>, <c>12月底前</c>, <c>9月15日</c>, <c>9月10日前</c>, <c>年底前</c>, <c>2022年5月</c> (= end of May 2022),
/// <c>2022 年 5 月底，长期坚持</c> (a first deadline, then ongoing), <c>2020.6</c>, <c>2020年6月30日前</c>,
/// <c>长期坚持</c> / <c>持续推进</c> (ongoing), <c>实时</c> (continuous), <c>新规出台后1个月内</c> and <c>5个工作日内</c>
/// (relative to an event), <c>首次回应时间不得超过5个小时</c> (hours), <c>12月底 9月底</c> (two deadlines), blank.
/// Full-width digits and punctuation, spaces inside numbers and Chinese month numerals are accepted. Anything not
/// understood is kept verbatim with a warning, never guessed.
/// </summary>
public static partial class ChineseDeadlines
{
    private static readonly string[] OngoingWords = ["长期坚持", "持续推进", "长期", "持续开展", "常态化"];
    private static readonly string[] ContinuousWords = ["实时", "即时", "随时"];

    /// <summary>Reads a deadline cell of a plan of <paramref name="planYear"/>.</summary>
    public static DeadlineReading Read(string? cell, int planYear)
    {
        var original = cell ?? string.Empty;
        var text = Normalise(original);
        var deadlines = new List<PlanDeadline>();
        var warnings = new List<string>();
        if (text.Length == 0)
        {
            return new DeadlineReading(original, deadlines, warnings);
        }

        // Pieces are separated by spaces, commas, semicolons, 、 and line breaks; each must be understood whole.
        foreach (var piece in Separators().Split(text).Where(p => p.Length > 0))
        {
            var found = ReadPiece(piece, planYear);
            if (found is null)
            {
                warnings.Add($"deadline '{piece}' is not understood; kept as written");
            }
            else
            {
                // The same date written twice in one cell is one deadline.
                deadlines.AddRange(found.Where(f => !deadlines.Any(d => d.Kind == f.Kind && Equals(d.Limit, f.Limit) && d.Event == f.Event)));
            }
        }

        return new DeadlineReading(original, deadlines, warnings);
    }

    /// <summary>
    /// Finds the deadlines written inside a task's text (<c>9月10日前，各单位要…</c>, <c>…于2020年11月底前完成</c>,
    /// <c>年底前</c>, <c>5个工作日内</c>), in the order they appear, for a table without a deadline column.
    /// </summary>
    public static DeadlineReading FindInText(string? text, int planYear)
    {
        var original = text ?? string.Empty;
        var normal = Normalise(original);
        var deadlines = new List<PlanDeadline>();
        foreach (Match match in InText().Matches(normal))
        {
            if (ReadPiece(match.Value, planYear) is { } found)
            {
                deadlines.AddRange(found.Where(d => !deadlines.Contains(d)));
            }
        }

        return new DeadlineReading(original, deadlines, []);
    }

    private static List<PlanDeadline>? ReadPiece(string piece, int planYear)
    {
        var words = piece.TrimEnd('前', '止', '内', '。', '.');
        if (OngoingWords.Contains(words) || OngoingWords.Contains(piece))
        {
            return [new PlanDeadline(DeadlineKind.Ongoing, null, piece)];
        }

        if (ContinuousWords.Contains(words) || ContinuousWords.Contains(piece))
        {
            return [new PlanDeadline(DeadlineKind.Continuous, null, piece)];
        }

        if (words is "年底" or "年末" or "年内" or "全年")
        {
            return [new PlanDeadline(DeadlineKind.Dated, new TimeLimit.MonthEnd(planYear, 12), piece)];
        }

        var date = FullDate().Match(piece);
        if (date.Success)
        {
            // 9月底, 9月, 2022年5月: the month's last day; 9月15日: that day.
            return Dated(date.Groups["y"].Success ? Number(date.Groups["y"].Value) : planYear, Number(date.Groups["m"].Value), date.Groups["d"].Success ? Number(date.Groups["d"].Value) : null, piece);
        }

        var dotted = Dotted().Match(piece);
        if (dotted.Success)
        {
            return Dated(Number(dotted.Groups["y"].Value), Number(dotted.Groups["m"].Value), dotted.Groups["d"].Success ? Number(dotted.Groups["d"].Value) : null, piece);
        }

        var relative = Relative().Match(piece);
        if (relative.Success)
        {
            var n = int.Parse(relative.Groups["n"].Value, CultureInfo.InvariantCulture);
            var hours = relative.Groups["unit"].Value.EndsWith("小时", StringComparison.Ordinal);
            // "15日" alone could be a day of a month: a span needs 内 (within), except hours (不得超过5个小时).
            if (n is < 1 or > 1000 || (!relative.Groups["within"].Success && !hours))
            {
                return null;
            }

            TimeLimit span = relative.Groups["unit"].Value switch
            {
                "个工作日" or "工作日" => new TimeLimit.WorkingDays(n),
                "个月" => new TimeLimit.Months(n),
                "个小时" or "小时" => new TimeLimit.Duration(TimeSpan.FromHours(n)),
                _ => new TimeLimit.CalendarDays(n),
            };
            var trigger = relative.Groups["event"].Value.Trim();
            return [new PlanDeadline(DeadlineKind.Relative, span, piece, trigger.Length == 0 ? null : trigger)];
        }

        return null;
    }

    // A year, month and (or not) day that exist, as a dated deadline; null when they do not.
    private static List<PlanDeadline>? Dated(int year, int month, int? day, string piece)
    {
        if (year is < 2000 or > 2099 || month is < 1 or > 12)
        {
            return null;
        }

        if (day is not { } d)
        {
            return [new PlanDeadline(DeadlineKind.Dated, new TimeLimit.MonthEnd(year, month), piece)];
        }

        return d >= 1 && d <= DateTime.DaysInMonth(year, month) ? [new PlanDeadline(DeadlineKind.Dated, new TimeLimit.FixedDate(new DateOnly(year, month, d)), piece)] : null;
    }

    private static int Number(string digits) => int.Parse(digits, CultureInfo.InvariantCulture);

    /// <summary>Full-width digits and punctuation to ASCII, Chinese month numerals to digits, spaces inside dates removed.</summary>
    internal static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            builder.Append(c switch
            {
                >= '０' and <= '９' => (char)('0' + (c - '０')),
                '．' => '.',
                '\u3000' => ' ',
                _ => c,
            });
        }

        var normal = builder.ToString();
        normal = ChineseMonth().Replace(normal, m => MonthNumber(m.Groups["m"].Value).ToString(CultureInfo.InvariantCulture) + "月");
        // "2022 年 5 月底" → "2022年5月底": spaces next to 年/月/日 and between digits go.
        normal = SpaceInDate().Replace(normal, string.Empty);
        return normal.Trim();
    }

    private static int MonthNumber(string numeral) => numeral switch
    {
        "一" => 1, "二" => 2, "三" => 3, "四" => 4, "五" => 5, "六" => 6, "七" => 7, "八" => 8, "九" => 9, "十" => 10, "十一" => 11, "十二" => 12,
        _ => 0,
    };

    [GeneratedRegex(@"[\s,，;；、/]+")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^(?:(?<y>\d{4})年)?(?<m>\d{1,2})月(?:(?<d>\d{1,2})日|底|末|份)?(?:前|止|之前|以前)?(?:完成)?$")]
    private static partial Regex FullDate();

    [GeneratedRegex(@"^(?<y>\d{4})\.(?<m>\d{1,2})(?:\.(?<d>\d{1,2}))?(?:前)?$")]
    private static partial Regex Dotted();

    [GeneratedRegex(@"^(?<event>.*?)(?:后|起)?(?<n>\d+)(?<unit>个工作日|工作日|个月|个小时|小时|天|日)(?<within>内|之内|以内)?$")]
    private static partial Regex Relative();

    [GeneratedRegex(@"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日|底|末)?(?:前|之前|以前)|(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日|底)|年底前|\d+个工作日内")]
    private static partial Regex InText();

    [GeneratedRegex(@"(?<m>十[一二]?|[一二三四五六七八九])月")]
    private static partial Regex ChineseMonth();

    [GeneratedRegex(@"(?<=\d)\s+(?=[年月日])|(?<=[年月])\s+(?=\d)")]
    private static partial Regex SpaceInDate();
}
