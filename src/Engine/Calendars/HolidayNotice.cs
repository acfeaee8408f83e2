using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Supervision.Engine.Calendars;

/// <summary>
/// One thing wrong with a holiday notice's text. <see cref="Line"/> is 1-based in the text as given (a section that
/// wraps over several lines is named by its first); 0 when the problem is the whole text (no year, no section, a
/// festival missing).
/// </summary>
public sealed record NoticeProblem(int Line, string Message)
{
    public override string ToString() => Line > 0 ? string.Create(CultureInfo.InvariantCulture, $"line {Line}: {Message}") : Message;
}

/// <summary>
/// A holiday notice that cannot be read exactly. <see cref="Problems"/> holds every problem found, in line order; the
/// message lists the first <see cref="MaxListed"/>.
/// </summary>
public sealed class HolidayNoticeException(IReadOnlyList<NoticeProblem> problems) : Exception(Describe(problems))
{
    public const int MaxListed = 20;

    public IReadOnlyList<NoticeProblem> Problems { get; } = problems;

    private static string Describe(IReadOnlyList<NoticeProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var listed = problems.Take(MaxListed).Select(p => "  " + p);
        if (problems.Count > MaxListed)
        {
            listed = listed.Append($"  … and {problems.Count - MaxListed:N0} more problems");
        }

        return "The holiday notice cannot be read:" + Environment.NewLine + string.Join(Environment.NewLine, listed);
    }
}

/// <summary>
/// One numbered line of a holiday notice: the festival(s) it arranges (<see cref="Name"/> as written, e.g.
/// 国庆节、中秋节), the run of days off <see cref="From"/>..<see cref="To"/> (weekend days inside the run included,
/// adjoining weekend days not), and the weekend days worked in exchange (调休上班), ascending.
/// </summary>
public sealed record NoticeSection(int Line, string Name, string NameEn, DateOnly From, DateOnly To, IReadOnlyList<DateOnly> Workdays);

/// <summary>
/// The State Council's yearly holiday notice (国务院办公厅关于20XX年部分节假日安排的通知) read from its text: every
/// holiday and every make-up working day of the year, exactly, or a <see cref="HolidayNoticeException"/> naming each
/// line that cannot be trusted. A partial year is never returned: each of the seven festivals (元旦, 春节, 清明节,
/// 劳动节, 端午节, 中秋节, 国庆节) must have its section, and a line outside the sections that names days off or worked
/// is refused rather than ignored.
/// <para>
/// <b>What is read.</b> The year comes from the title (关于2025年部分节假日安排的通知, on one line or split after 年) or
/// else from the preamble (现将2025年元旦、……安排通知如下); the document number (国办发明电〔2024〕12号) is kept when
/// present. A section is a line starting with a Chinese enumerator (一、 to 十九、), the festival name(s) joined by 、
/// 和 or 及, a colon, then sentences ending in 。: one holiday sentence, <c>DATE[至DATE]放假[调休][N天][，共N天][，与周末连休][，不调休]</c>,
/// and any number of make-up sentences, <c>DATE、DATE……上班</c>. A DATE is <c>[YYYY年][M月]D日[（notes）]</c>: the
/// month may be left out after the first date of a range or list; notes are a weekday (周三, 星期三, 星期日, 星期天)
/// and lunar dates (农历除夕, 农历正月初七, 农历腊月二十八, 农历八月十五). Both wordings in use are read: the newer
/// (2025: <c>1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。</c>) and the older
/// (<c>10月1日至7日放假调休，共7天。</c>, <c>4月5日放假，与周末连休。</c>, <c>9月29日（星期日）上班。</c>). Sentences
/// without a date (and the advice 鼓励……, such as 2024's 除夕 note) change no day and are passed over, as are the
/// title, addressee, preamble, closing prose, signature and date line. Half-width punctuation, full-width digits,
/// spaces, CRLF and a wrapped section line (one not yet ended by 。) are tolerated. 共N天 may use 一 to 十九.
/// </para>
/// <para>
/// <b>Years.</b> A date without a year is of the notice's year, except: a range from December into January crosses
/// the year's end, from the previous December in the 元旦 section, into the next January elsewhere; and a lone
/// December date in the 元旦 section is of the previous year unless only the notice's year gives it its stated weekday.
/// Every date must fall between December of the previous year and January of the next (what
/// <see cref="CalendarYear.Validate"/> accepts).
/// </para>
/// <para>
/// <b>Checks</b>, each reported on its line: a date that does not exist; a stated weekday or lunar date that is not
/// the date's; a range that ends before it starts; 共N天 or 放假N天 that is not the range's length; 与周末连休 on days
/// that adjoin no weekend; 不调休 with make-up days; a make-up day that is not a Saturday or Sunday; a make-up day
/// inside a holiday; a day in two sections; an unknown or repeated festival; a section line that cannot be read.
/// </para>
/// </summary>
public sealed partial record HolidayNotice(int Year, string Title, IReadOnlyList<NoticeSection> Sections, string? Number = null)
{
    private static readonly (string Name, string NameEn)[] Festivals =
    [
        ("元旦", "New Year's Day"),
        ("春节", "Spring Festival"),
        ("清明节", "Qingming Festival"),
        ("劳动节", "Labour Day"),
        ("端午节", "Dragon Boat Festival"),
        ("中秋节", "Mid-Autumn Festival"),
        ("国庆节", "National Day"),
    ];

    /// <summary>Reads a notice's text; throws <see cref="HolidayNoticeException"/> with every problem found.</summary>
    public static HolidayNotice Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Reader(text).Read();
    }

    /// <summary>The title, followed by the document number in brackets when the text gives one.</summary>
    public string Source => Number is null ? Title : $"{Title}（{Number}）";

    /// <summary>Every day of every section's run of days off, ascending.</summary>
    public IReadOnlyList<DateOnly> Holidays => [.. Sections.SelectMany(s => Days(s.From, s.To)).Order()];

    /// <summary>Every make-up working day, ascending.</summary>
    public IReadOnlyList<DateOnly> Workdays => [.. Sections.SelectMany(s => s.Workdays).Order()];

    /// <summary>The year as a calendar holds it: one holiday period per section, each make-up day for its section.</summary>
    public CalendarYear ToCalendarYear() => new(
        Year,
        [.. Sections.Select(s => new HolidayPeriod(s.Name, s.NameEn, s.From, s.To))],
        [.. Sections.SelectMany(s => s.Workdays.Select(d => new MakeUpDay(d, s.Name))).OrderBy(m => m.Date)],
        Source);

    private static IEnumerable<DateOnly> Days(DateOnly from, DateOnly to)
    {
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            yield return day;
        }
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Weekday(DayOfWeek day) => "周" + "日一二三四五六"[(int)day];

    private static string Clip(string text) => text.Length <= 60 ? text : text[..60] + "…";

    /// <summary>A date as written: the parts given, and its notes (weekday, lunar date) unread.</summary>
    private sealed record WrittenDate(int? Year, int? Month, int Day, IReadOnlyList<string> Notes, string Text);

    /// <summary>A section being read: its line, festivals, and what its sentences gave.</summary>
    private sealed class Draft(int line, IReadOnlyList<string> names)
    {
        public int Line { get; } = line;

        public IReadOnlyList<string> Names { get; } = names;

        public string Name => string.Join("、", Names);

        public (DateOnly From, DateOnly To)? Range { get; set; }

        public List<DateOnly> Workdays { get; } = [];

        public bool NoSwap { get; set; }
    }

    private sealed class Reader(string text)
    {
        private readonly List<NoticeProblem> _problems = [];
        private readonly ChineseLunisolarCalendar _lunar = new();
        private bool _headUnread;
        private int _year;
        private DateOnly _reachFrom;
        private DateOnly _reachTo;

        public HolidayNotice Read()
        {
            var lines = text.Split('\n').Select(Normalise).ToArray();
            var firstSection = Array.FindIndex(lines, l => SectionStart().IsMatch(l));
            var top = firstSection < 0 ? lines.Length : firstSection;
            var (year, title) = FindYear(lines, top);
            var number = lines.Take(top).Select(l => DocumentNumber().Match(l)).FirstOrDefault(m => m.Success) is { } n
                ? $"{n.Groups["kind"].Value}〔{n.Groups["y"].Value}〕{n.Groups["n"].Value}号"
                : null;
            var blocks = Blocks(lines);
            if (blocks.Count == 0)
            {
                Add(0, "no festival section found (a numbered line such as 一、元旦：1月1日放假，共1天。)");
            }

            if (year is null || blocks.Count == 0)
            {
                throw Refusal();
            }

            _year = year.Value;
            _reachFrom = new DateOnly(_year - 1, 12, 1);
            // The calendar ends with 2099, so a 2099 notice cannot reach into January 2100.
            _reachTo = _year < WorkingCalendar.LastYear ? new DateOnly(_year + 1, 1, 31) : new DateOnly(_year, 12, 31);
            var drafts = blocks.Select(b => ReadSection(b.Line, b.Text)).OfType<Draft>().ToList();
            CrossCheck(drafts);
            if (_problems.Count > 0)
            {
                throw Refusal();
            }

            var sections = drafts.Select(d => new NoticeSection(
                d.Line, d.Name, EnglishName(d.Names), d.Range!.Value.From, d.Range.Value.To, [.. d.Workdays.Order()]));
            return new HolidayNotice(_year, title!, [.. sections], number);
        }

        private HolidayNoticeException Refusal() => new([.. _problems.OrderBy(p => p.Line)]);

        private void Add(int line, string message) => _problems.Add(new NoticeProblem(line, message));

        /// <summary>
        /// Spaces go (Chinese text has none that matter, and pasted text has many that do not); full-width digits and
        /// half-width punctuation become the forms the notices print, so one grammar reads both.
        /// </summary>
        private static string Normalise(string line)
        {
            var builder = new StringBuilder(line.Length);
            foreach (var c in line)
            {
                if (char.IsWhiteSpace(c) || c is '\uFEFF' or '\u200B')
                {
                    continue;
                }

                builder.Append(c switch
                {
                    >= '０' and <= '９' => (char)('0' + (c - '０')),
                    '(' => '（',
                    ')' => '）',
                    ':' => '：',
                    ',' => '，',
                    ';' => '；',
                    '.' or '．' => '。',
                    _ => c,
                });
            }

            return builder.ToString();
        }

        /// <summary>The year and title from the lines above the first section: the title first, then the preamble.</summary>
        private (int? Year, string? Title) FindYear(string[] lines, int top)
        {
            (int Year, int Line, string Title)? titled = null;
            for (var i = 0; i < top && titled is null; i++)
            {
                var match = TitleText().Match(lines[i]);
                if (!match.Success && i + 1 < top && lines[i].EndsWith('年'))
                {
                    // A title broken after 年 (国务院办公厅关于2025年 / 部分节假日安排的通知).
                    match = TitleText().Match(lines[i] + lines[i + 1]);
                }

                if (match.Success)
                {
                    titled = (int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture), i + 1, match.Value);
                }
            }

            (int Year, int Line)? preamble = null;
            for (var i = 0; i < top && preamble is null; i++)
            {
                var match = PreambleYear().Match(lines[i]);
                if (match.Success)
                {
                    preamble = (int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture), i + 1);
                }
            }

            if (titled is { } t && preamble is { } p && t.Year != p.Year)
            {
                Add(p.Line, $"the preamble names {p.Year}, the title (line {t.Line}) {t.Year}");
            }

            var year = titled?.Year ?? preamble?.Year;
            if (year is null)
            {
                Add(0, "no year found: neither a title such as 关于2025年部分节假日安排的通知 nor a preamble such as 现将2025年……安排通知如下");
                return (null, null);
            }

            if (year < WorkingCalendar.FirstYear || year > WorkingCalendar.LastYear)
            {
                Add(titled?.Line ?? preamble!.Value.Line, $"year {year} is outside {WorkingCalendar.FirstYear}-{WorkingCalendar.LastYear}");
                return (null, null);
            }

            // Without a title line the standard title stands in, so the calendar still says which notice it follows.
            return (year, titled?.Title ?? $"国务院办公厅关于{year}年部分节假日安排的通知");
        }

        /// <summary>
        /// Each section's text with its first line. A section line not yet ended by 。 goes on over the next lines (a
        /// wrapped paste); any other line that names days off or worked is refused, since dropping it would lose days.
        /// </summary>
        private List<(int Line, string Text)> Blocks(string[] lines)
        {
            var blocks = new List<(int, string)>();
            for (var i = 0; i < lines.Length; i++)
            {
                if (SectionStart().IsMatch(lines[i]))
                {
                    var start = i;
                    var section = new StringBuilder(lines[i]);
                    while (!section.ToString().EndsWith('。') && i + 1 < lines.Length && lines[i + 1].Length > 0
                        && !SectionStart().IsMatch(lines[i + 1]) && !DateLine().IsMatch(lines[i + 1]) && lines[i + 1] != "国务院办公厅")
                    {
                        section.Append(lines[++i]);
                    }

                    blocks.Add((start + 1, section.ToString()));
                }
                else if ((lines[i].Contains("放假", StringComparison.Ordinal) || lines[i].Contains("上班", StringComparison.Ordinal))
                    && DayNumber().IsMatch(lines[i]))
                {
                    Add(i + 1, $"\"{Clip(lines[i])}\" names days off or worked outside a numbered festival section (一、元旦：……)");
                }
            }

            return blocks;
        }

        private Draft? ReadSection(int line, string section)
        {
            var rest = section[SectionStart().Match(section).Length..];
            var colon = rest.IndexOf('：', StringComparison.Ordinal);
            if (colon < 0)
            {
                Add(line, $"\"{Clip(section)}\" cannot be read: a section is the festival's name, a colon (：) and its days");
                _headUnread = true;
                return null;
            }

            var names = rest[..colon].Split(['、', '和', '及']);
            var unknown = names.Where(n => !Festivals.Any(f => f.Name == n)).ToList();
            foreach (var name in unknown)
            {
                Add(line, name.Length == 0
                    ? "a festival name is missing before the colon"
                    : $"unknown festival \"{Clip(name)}\" (known: {string.Join("、", Festivals.Select(f => f.Name))})");
            }

            foreach (var twice in names.Where(n => n.Length > 0).GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                Add(line, $"{twice.Key} is named twice");
            }

            var distinct = names.Distinct(StringComparer.Ordinal).ToList();
            _headUnread |= unknown.Count > 0 || distinct.Count < names.Length;
            var draft = new Draft(line, distinct);
            var before = _problems.Count;
            foreach (var sentence in rest[(colon + 1)..].Split(['。', '；'], StringSplitOptions.RemoveEmptyEntries))
            {
                ReadSentence(draft, sentence.TrimEnd('，'));
            }

            if (draft.Range is null && _problems.Count == before)
            {
                Add(line, $"{draft.Name}: no days off found (such as 1月1日放假，共1天。)");
            }

            if (draft.NoSwap && draft.Workdays.Count > 0)
            {
                Add(line, $"{draft.Name}: says 不调休 (no make-up working day) but names {draft.Workdays.Count} make-up working day(s)");
            }

            return unknown.Count == 0 ? draft : null;
        }

        private void ReadSentence(Draft draft, string sentence)
        {
            // Advice such as 2024's 鼓励各单位……安排职工在除夕（2月9日）休息 moves no day: the office decides.
            if (sentence.StartsWith("鼓励", StringComparison.Ordinal))
            {
                return;
            }

            var dated = DayNumber().IsMatch(sentence);
            var makeUp = sentence.EndsWith("上班", StringComparison.Ordinal);
            var off = sentence.Contains("放假", StringComparison.Ordinal);
            if (!dated)
            {
                if (makeUp || off)
                {
                    Add(draft.Line, $"\"{Clip(sentence)}\" cannot be read: no date written like 4月5日");
                }

                // Otherwise prose: it names no day, so it can change none.
                return;
            }

            if (makeUp)
            {
                ReadMakeUps(draft, sentence[..^2]);
            }
            else if (off)
            {
                ReadHoliday(draft, sentence);
            }
            else
            {
                Add(draft.Line, $"\"{Clip(sentence)}\" cannot be read: it names a date but neither 放假 nor 上班");
            }
        }

        private void ReadHoliday(Draft draft, string sentence)
        {
            var line = draft.Line;
            var pos = 0;
            var start = ReadDate(sentence, ref pos);
            WrittenDate? end = null;
            var ranged = start?.Month is not null && At(sentence, pos, "至");
            if (ranged)
            {
                pos++;
                end = ReadDate(sentence, ref pos);
            }

            if (start?.Month is not { } startMonth || (ranged && end is null) || !At(sentence, pos, "放假"))
            {
                Add(line, $"\"{Clip(sentence)}\" cannot be read: days off are written 1月28日至2月4日放假…… or 4月5日放假……");
                return;
            }

            pos += 2;
            if (At(sentence, pos, "调休"))
            {
                pos += 2;
            }

            var counts = new List<(int Days, string Text)>();
            var count = Count().Match(sentence, pos);
            if (count.Success)
            {
                counts.Add((CountOf(count.Groups["n"].Value), "放假" + count.Value));
                pos += count.Length;
            }

            var adjoins = false;
            foreach (var item in sentence[pos..].Split('，', StringSplitOptions.RemoveEmptyEntries))
            {
                var total = Total().Match(item);
                if (total.Success)
                {
                    counts.Add((CountOf(total.Groups["n"].Value), item));
                }
                else if (item == "与周末连休")
                {
                    adjoins = true;
                }
                else if (item == "不调休")
                {
                    draft.NoSwap = true;
                }
                else if (item != "调休")
                {
                    Add(line, $"\"{Clip(item)}\" cannot be read (after 放假: 共N天, 与周末连休 or 不调休)");
                }
            }

            if (draft.Range is not null)
            {
                Add(line, $"{draft.Name}: a second run of days off (\"{Clip(sentence)}\"); a section has one");
                return;
            }

            var endMonth = end?.Month ?? startMonth;
            var crossing = end is not null && startMonth == 12 && endMonth == 1;
            var newYear = draft.Names.Contains("元旦");
            int startYear;
            if (start.Year is { } given)
            {
                startYear = given;
            }
            else if (end?.Year is { } endYear)
            {
                startYear = crossing ? endYear - 1 : endYear;
            }
            else if (newYear && startMonth == 12)
            {
                startYear = crossing ? _year - 1 : ByWeekday(start, startMonth);
            }
            else
            {
                startYear = _year;
            }

            var from = DateOf(line, start, startYear, startMonth);
            var to = end is null ? from : DateOf(line, end, end.Year ?? (crossing ? startYear + 1 : startYear), endMonth);
            if (from is not { } f || to is not { } t)
            {
                return;
            }

            if (t < f)
            {
                Add(line, $"{draft.Name}: the days off end ({Iso(t)}) before they start ({Iso(f)})");
                return;
            }

            if (!Within(line, f) || !Within(line, t))
            {
                return;
            }

            CheckNotes(line, start, f);
            if (end is not null)
            {
                CheckNotes(line, end, t);
            }

            var days = t.DayNumber - f.DayNumber + 1;
            foreach (var (_, said) in counts.Where(c => c.Days != days))
            {
                Add(line, $"{draft.Name}: \"{said}\" but {Iso(f)} to {Iso(t)} is {days} day(s)");
            }

            if (adjoins && !IsWeekend(f.AddDays(-1)) && !IsWeekend(t.AddDays(1)))
            {
                Add(line, $"{draft.Name}: says 与周末连休 but {Iso(f)} to {Iso(t)} adjoins no weekend");
            }

            draft.Range = (f, t);
        }

        private void ReadMakeUps(Draft draft, string list)
        {
            var line = draft.Line;
            var newYear = draft.Names.Contains("元旦");
            var pos = 0;
            (int Year, int Month)? previous = null;
            while (true)
            {
                var written = ReadDate(list, ref pos);
                if (written is null || (written.Month is null && previous is null))
                {
                    Add(line, $"\"{Clip(list)}上班\" cannot be read: make-up working days are written 1月26日（周日）、2月8日（周六）上班");
                    return;
                }

                var month = written.Month ?? previous!.Value.Month;
                // A date that leaves out its month (2月2日、3日) also keeps the year of the one before.
                var year = written.Year
                    ?? (written.Month is null ? previous!.Value.Year : newYear && month == 12 ? ByWeekday(written, month) : _year);
                if (DateOf(line, written, year, month) is { } date && Within(line, date))
                {
                    CheckNotes(line, written, date);
                    if (!IsWeekend(date))
                    {
                        Add(line, $"make-up working day {Iso(date)} is a {date.DayOfWeek} ({Weekday(date.DayOfWeek)}), a working day anyway: a make-up day (上班) is a Saturday or Sunday");
                    }

                    draft.Workdays.Add(date);
                }

                previous = (year, month);
                if (pos == list.Length)
                {
                    return;
                }

                if (list[pos] is not ('、' or '，' or '和' or '及'))
                {
                    Add(line, $"\"{Clip(list)}上班\" cannot be read after \"{Clip(list[..pos])}\"");
                    return;
                }

                pos++;
            }
        }

        /// <summary>Reads <c>[YYYY年][M月]D日[（notes）]</c> at <paramref name="pos"/>; null (and pos unmoved) if it is not there.</summary>
        private static WrittenDate? ReadDate(string text, ref int pos)
        {
            var match = Date().Match(text, pos);
            if (!match.Success)
            {
                return null;
            }

            pos += match.Length;
            int? Part(string name) => match.Groups[name].Success ? int.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : null;
            var notes = match.Groups["notes"].Success
                ? match.Groups["notes"].Value.Split(['、', '，'], StringSplitOptions.RemoveEmptyEntries)
                : [];
            return new WrittenDate(Part("y"), Part("m"), Part("d")!.Value, notes, match.Value);
        }

        private static bool At(string text, int pos, string word) =>
            pos <= text.Length - word.Length && string.CompareOrdinal(text, pos, word, 0, word.Length) == 0;

        private static bool IsWeekend(DateOnly date) => date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

        /// <summary>The previous year if it gives the date its stated weekday (or none is stated), else the notice's year.</summary>
        private int ByWeekday(WrittenDate written, int month)
        {
            var stated = written.Notes.Select(StatedWeekday).FirstOrDefault(d => d is not null);
            if (stated is not null && Exists(_year, month, written.Day) && !(Exists(_year - 1, month, written.Day)
                && new DateOnly(_year - 1, month, written.Day).DayOfWeek == stated)
                && new DateOnly(_year, month, written.Day).DayOfWeek == stated)
            {
                return _year;
            }

            return _year - 1;
        }

        private static bool Exists(int year, int month, int day) =>
            year is >= 1 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);

        private DateOnly? DateOf(int line, WrittenDate written, int year, int month)
        {
            if (!Exists(year, month, written.Day))
            {
                Add(line, $"\"{written.Text}\": {year}年{month}月{written.Day}日 does not exist");
                return null;
            }

            return new DateOnly(year, month, written.Day);
        }

        private bool Within(int line, DateOnly date)
        {
            if (date >= _reachFrom && date <= _reachTo)
            {
                return true;
            }

            Add(line, $"{Iso(date)} is outside the {_year} notice's reach ({Iso(_reachFrom)} to {Iso(_reachTo)})");
            return false;
        }

        private void CheckNotes(int line, WrittenDate written, DateOnly date)
        {
            foreach (var note in written.Notes)
            {
                if (StatedWeekday(note) is { } weekday)
                {
                    if (date.DayOfWeek != weekday)
                    {
                        Add(line, $"\"{written.Text}\": {Iso(date)} is a {date.DayOfWeek} ({Weekday(date.DayOfWeek)}), not {note}");
                    }
                }
                else if (LunarNote().Match(note) is { Success: true } lunar)
                {
                    var actual = LunarOf(date);
                    if (lunar.Groups["eve"].Success)
                    {
                        if (LunarOf(date.AddDays(1)) != (1, false, 1))
                        {
                            Add(line, $"\"{written.Text}\": {Iso(date)} is 农历{LunarName(actual)}, not 除夕 (the eve of the lunar new year)");
                        }
                    }
                    else
                    {
                        var stated = (LunarMonth(lunar.Groups["m"].Value), lunar.Groups["leap"].Success, LunarDay(lunar.Groups["d"].Value));
                        if (actual != stated)
                        {
                            Add(line, $"\"{written.Text}\": {Iso(date)} is 农历{LunarName(actual)}, not {note}");
                        }
                    }
                }
                else
                {
                    Add(line, $"\"{written.Text}\": the note \"{note}\" cannot be read (a weekday such as 周三 or 星期三, or a lunar date such as 农历除夕)");
                }
            }
        }

        private static DayOfWeek? StatedWeekday(string note) =>
            WeekdayNote().Match(note) is { Success: true } m ? (DayOfWeek)("日一二三四五六天".IndexOf(m.Groups["d"].Value, StringComparison.Ordinal) % 7) : null;

        /// <summary>The lunar month (1-12), whether it is a leap month, and the day, of a date.</summary>
        private (int Month, bool Leap, int Day) LunarOf(DateOnly date)
        {
            var time = date.ToDateTime(TimeOnly.MinValue);
            var year = _lunar.GetYear(time);
            var month = _lunar.GetMonth(time);
            // GetMonth counts a leap month as a month of its own (1-13); GetLeapMonth says which number it has.
            var leapMonth = _lunar.GetLeapMonth(year);
            var leap = leapMonth > 0 && month == leapMonth;
            return (leapMonth > 0 && month >= leapMonth ? month - 1 : month, leap, _lunar.GetDayOfMonth(time));
        }

        private static string LunarName((int Month, bool Leap, int Day) lunar)
        {
            const string digits = "一二三四五六七八九十";
            var month = lunar.Month switch { 1 => "正", 11 => "冬", 12 => "腊", _ => digits[(lunar.Month - 1)..lunar.Month] };
            var day = lunar.Day switch
            {
                <= 10 => "初" + digits[lunar.Day - 1],
                < 20 => "十" + digits[lunar.Day - 11],
                20 => "二十",
                < 30 => "廿" + digits[lunar.Day - 21],
                _ => "三十",
            };
            return (lunar.Leap ? "闰" : string.Empty) + month + "月" + day;
        }

        private static int LunarMonth(string name) => name switch
        {
            "正" => 1,
            "冬" => 11,
            "腊" => 12,
            _ => CountOf(name),
        };

        private static int LunarDay(string name) => name[0] switch
        {
            '初' => CountOf(name[1..]),
            '廿' => 20 + CountOf(name[1..]),
            _ => CountOf(name),
        };

        /// <summary>A number of days in Arabic digits or in Chinese numerals up to 九十九 (notices write 3 or 三).</summary>
        private static int CountOf(string number)
        {
            if (number.All(char.IsAsciiDigit))
            {
                return int.Parse(number, CultureInfo.InvariantCulture);
            }

            static int Digit(char c) => c == '两' ? 2 : "一二三四五六七八九".IndexOf(c, StringComparison.Ordinal) + 1;
            var ten = number.IndexOf('十', StringComparison.Ordinal);
            return ten < 0
                ? Digit(number[0])
                : (ten == 0 ? 1 : Digit(number[0])) * 10 + (ten == number.Length - 1 ? 0 : Digit(number[^1]));
        }

        private void CrossCheck(List<Draft> drafts)
        {
            var festivals = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var draft in drafts)
            {
                foreach (var name in draft.Names)
                {
                    if (!festivals.TryAdd(name, draft.Line))
                    {
                        Add(draft.Line, $"{name} is given twice (its section is line {festivals[name]})");
                    }
                }
            }

            // A notice with a festival missing is a partial year: its days would silently count as working days. (When a
            // section's head could not be read, that problem already says which line to mend.)
            if (!_headUnread)
            {
                foreach (var missing in Festivals.Where(f => !festivals.ContainsKey(f.Name)))
                {
                    Add(0, $"{missing.Name} has no section: a notice arranges all seven festivals");
                }
            }

            var holidays = new Dictionary<DateOnly, Draft>();
            foreach (var draft in drafts.Where(d => d.Range is not null))
            {
                var (from, to) = draft.Range!.Value;
                var clashes = Days(from, to).Where(holidays.ContainsKey).ToList();
                foreach (var other in clashes.Select(d => holidays[d]).Distinct())
                {
                    var shared = clashes.Where(d => holidays[d] == other).ToList();
                    Add(draft.Line, $"{draft.Name}: {Iso(shared[0])}{(shared.Count > 1 ? $" and {shared.Count - 1} more day(s)" : string.Empty)} already off for {other.Name} (line {other.Line})");
                }

                foreach (var day in Days(from, to).Where(d => !holidays.ContainsKey(d)))
                {
                    holidays[day] = draft;
                }
            }

            var workdays = new Dictionary<DateOnly, Draft>();
            foreach (var draft in drafts)
            {
                foreach (var day in draft.Workdays)
                {
                    if (holidays.TryGetValue(day, out var off))
                    {
                        Add(draft.Line, $"make-up working day {Iso(day)} is a day off of {off.Name} (line {off.Line})");
                    }

                    if (!workdays.TryAdd(day, draft))
                    {
                        Add(draft.Line, $"make-up working day {Iso(day)} is given twice (also line {workdays[day].Line})");
                    }
                }
            }
        }

        private static string EnglishName(IReadOnlyList<string> names)
        {
            var english = names.Select(n => Festivals.First(f => f.Name == n).NameEn).ToList();
            // As the shipped calendar writes combined holidays: "National Day and Mid-Autumn Festival".
            return english.Count == 1 ? english[0] : string.Join(", ", english.SkipLast(1)) + " and " + english[^1];
        }
    }

    [GeneratedRegex(@"^(?:十[一二三四五六七八九]?|[一二三四五六七八九])、")]
    private static partial Regex SectionStart();

    [GeneratedRegex(@"(?:国务院办公厅)?关于(?<y>\d{4})年部分节假日安排的通知")]
    private static partial Regex TitleText();

    [GeneratedRegex(@"现将(?<y>\d{4})年.*安排")]
    private static partial Regex PreambleYear();

    [GeneratedRegex(@"(?<kind>国办发(?:明电)?)[〔\[【（](?<y>\d{4})[〕\]】）](?<n>\d{1,4})号")]
    private static partial Regex DocumentNumber();

    [GeneratedRegex(@"^\d{4}年\d{1,2}月\d{1,2}日$")]
    private static partial Regex DateLine();

    [GeneratedRegex(@"\d日")]
    private static partial Regex DayNumber();

    [GeneratedRegex(@"\G(?:(?<y>\d{4})年)?(?:(?<m>\d{1,2})月)?(?<d>\d{1,2})日(?:（(?<notes>[^（）]*)）)?")]
    private static partial Regex Date();

    [GeneratedRegex(@"\G(?<n>\d{1,3}|[一二两三四五六七八九]|[二三四五六七八九]?十[一二三四五六七八九]?)天")]
    private static partial Regex Count();

    [GeneratedRegex(@"^共(?<n>\d{1,3}|[一二两三四五六七八九]|[二三四五六七八九]?十[一二三四五六七八九]?)天$")]
    private static partial Regex Total();

    [GeneratedRegex(@"^(?:周|星期|礼拜)(?<d>[一二三四五六日天])$")]
    private static partial Regex WeekdayNote();

    [GeneratedRegex(@"^(?:农历)?(?:(?<eve>除夕)|(?<leap>闰)?(?<m>正|十一|十二|冬|腊|[一二三四五六七八九十])月(?<d>初[一二三四五六七八九十]|十[一二三四五六七八九]|二十[一二三四五六七八九]?|廿[一二三四五六七八九]|三十))$")]
    private static partial Regex LunarNote();
}
