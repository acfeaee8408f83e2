using System.Globalization;
using Supervision.Engine.Calendars;

namespace Supervision.Engine.Tests.Calendars;

public sealed class HolidayNoticeTests
{
    // The reference table (../shared/reference/disclosure-rules.md), written out here rather than taken from the shipped
    // JSON, so that a notice and the shipped calendar cannot both be wrong the same way. Days are of the row's year
    // unless written in full.
    private static readonly Dictionary<int, (string Holidays, string Workdays)> Reference = new()
    {
        [2019] = ("2018-12-30; 2018-12-31; 01-01; 02-04..02-10; 04-05; 05-01..05-04; 06-07; 09-13; 10-01..10-07",
                  "2018-12-29; 02-02; 02-03; 04-28; 05-05; 09-29; 10-12"),
        // The table also lists 02-03 (the epidemic notice's first working day), a Monday: a working day anyway, so no
        // notice line makes it a make-up day.
        [2020] = ("01-01; 01-24..02-02; 04-04..04-06; 05-01..05-05; 06-25..06-27; 10-01..10-08",
                  "01-19; 04-26; 05-09; 06-28; 09-27; 10-10"),
        [2021] = ("01-01..01-03; 02-11..02-17; 04-03..04-05; 05-01..05-05; 06-12..06-14; 09-19..09-21; 10-01..10-07",
                  "02-07; 02-20; 04-25; 05-08; 09-18; 09-26; 10-09"),
        [2022] = ("01-01..01-03; 01-31..02-06; 04-03..04-05; 04-30..05-04; 06-03..06-05; 09-10..09-12; 10-01..10-07",
                  "01-29; 01-30; 04-02; 04-24; 05-07; 10-08; 10-09"),
        [2023] = ("2022-12-31; 01-01; 01-02; 01-21..01-27; 04-05; 04-29..05-03; 06-22..06-24; 09-29..10-06",
                  "01-28; 01-29; 04-23; 05-06; 06-25; 10-07; 10-08"),
        [2024] = ("01-01; 02-10..02-17; 04-04..04-06; 05-01..05-05; 06-10; 09-15..09-17; 10-01..10-07",
                  "02-04; 02-18; 04-07; 04-28; 05-11; 09-14; 09-29; 10-12"),
        [2025] = ("01-01; 01-28..02-04; 04-04..04-06; 05-01..05-05; 05-31..06-02; 10-01..10-08",
                  "01-26; 02-08; 04-27; 09-28; 10-11"),
        [2026] = ("01-01..01-03; 02-15..02-23; 04-04..04-06; 05-01..05-05; 06-19..06-21; 09-25..09-27; 10-01..10-07",
                  "01-04; 02-14; 02-28; 05-09; 09-20; 10-10"),
    };

    // A 2025 notice with its lines numbered: title 1, addressee 2, preamble 3, sections from line 5.
    private const int FirstSectionLine = 5;

    private static readonly string[] Sections2025 =
    [
        "一、元旦：1月1日（周三）放假1天，不调休。",
        "二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。",
        "三、清明节：4月4日（周五）至6日（周日）放假，共3天。",
        "四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。",
        "五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。",
        "六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。",
    ];

    public static TheoryData<int, string> Notices()
    {
        var data = new TheoryData<int, string>();
        foreach (var year in Reference.Keys)
        {
            data.Add(year, "newer");
            data.Add(year, "older");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Notices))]
    public void Every_day_of_the_year_works_as_in_the_shipped_calendar(int year, string wording)
    {
        var notice = HolidayNotice.Parse(Fixture(year, wording));
        var calendarYear = notice.ToCalendarYear();
        var calendar = WorkingCalendar.Create("test", [calendarYear]);

        Assert.Equal(year, notice.Year);
        Assert.Empty(calendarYear.Validate());
        var days = Enumerable.Range(0, DateTime.IsLeapYear(year) ? 366 : 365).Select(i => new DateOnly(year, 1, 1).AddDays(i))
            // The days a notice names in the neighbouring year (2018-12-29..31, 2022-12-31) are compared too.
            .Concat(notice.Holidays).Concat(notice.Workdays);
        var differences = days.Where(d => calendar.IsWorkingDay(d) != StatutoryCalendar.Calendar.IsWorkingDay(d)).ToList();
        Assert.Empty(differences);
    }

    [Theory]
    [MemberData(nameof(Notices))]
    public void Holidays_and_make_up_days_are_those_of_the_reference_table(int year, string wording)
    {
        var notice = HolidayNotice.Parse(Fixture(year, wording));

        Assert.Equal(Days(year, Reference[year].Holidays), notice.Holidays);
        Assert.Equal(Days(year, Reference[year].Workdays), notice.Workdays);
    }

    [Theory]
    [MemberData(nameof(Notices))]
    public void The_calendar_year_names_its_periods_as_the_shipped_calendar_does(int year, string wording)
    {
        var shipped = StatutoryCalendar.Calendar.Year(year)!;

        var parsed = HolidayNotice.Parse(Fixture(year, wording)).ToCalendarYear();

        Assert.Equal(shipped.Holidays, parsed.Holidays);
        // The shipped 2020 also lists Monday 2020-02-03, which changes nothing (see the reference table above).
        Assert.Equal(shipped.MakeUpDays.Where(m => m.Date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday), parsed.MakeUpDays);
        Assert.StartsWith(shipped.Source, parsed.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void The_2025_spring_festival_line_of_the_reference_is_read()
    {
        var notice = HolidayNotice.Parse(Notice(Sections2025));

        var spring = notice.Sections[1];
        Assert.Equal(new NoticeSection(6, "春节", "Spring Festival", new DateOnly(2025, 1, 28), new DateOnly(2025, 2, 4), spring.Workdays), spring);
        Assert.Equal([new DateOnly(2025, 1, 26), new DateOnly(2025, 2, 8)], spring.Workdays);
        Assert.Equal("国庆节、中秋节", notice.Sections[5].Name);
        Assert.Equal("National Day and Mid-Autumn Festival", notice.Sections[5].NameEn);
        Assert.Equal("国务院办公厅关于2025年部分节假日安排的通知", notice.Title);
    }

    [Fact]
    public void The_document_number_joins_the_title_in_the_source()
    {
        var notice = HolidayNotice.Parse(Fixture(2025, "newer"));

        Assert.Equal("国办发明电〔2024〕12号", notice.Number);
        Assert.Equal("国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）", notice.ToCalendarYear().Source);
    }

    [Fact]
    public void A_december_make_up_day_of_the_new_year_section_takes_the_year_its_weekday_fits()
    {
        // 12月29日（周六）: 2018-12-29 is a Saturday, 2019-12-29 a Sunday.
        var notice = HolidayNotice.Parse(Fixture(2019, "newer"));

        Assert.Equal(new DateOnly(2018, 12, 30), notice.Sections[0].From);
        Assert.Equal(new DateOnly(2019, 1, 1), notice.Sections[0].To);
        Assert.Equal([new DateOnly(2018, 12, 29)], notice.Sections[0].Workdays);
    }

    [Fact]
    public void Crlf_half_width_punctuation_full_width_digits_and_spaces_are_tolerated()
    {
        var plain = HolidayNotice.Parse(Fixture(2025, "newer"));
        var messy = Fixture(2025, "newer")
            .Replace("\n", "\r\n", StringComparison.Ordinal)
            .Replace("：", ": ", StringComparison.Ordinal)
            .Replace("（", " (", StringComparison.Ordinal)
            .Replace("）", ") ", StringComparison.Ordinal)
            .Replace("，", ", ", StringComparison.Ordinal)
            .Replace("至", " 至 ", StringComparison.Ordinal)
            .Replace("2", "２", StringComparison.Ordinal)
            .Replace("8", "８", StringComparison.Ordinal);

        var notice = HolidayNotice.Parse(messy);

        Assert.Equal(plain.Holidays, notice.Holidays);
        Assert.Equal(plain.Workdays, notice.Workdays);
        Assert.Equal(plain.Sections.Select(s => s.Line), notice.Sections.Select(s => s.Line));
    }

    [Fact]
    public void A_section_wrapped_over_lines_and_a_title_split_after_the_year_are_read()
    {
        var text = Notice(Sections2025)
            .Replace("国务院办公厅关于2025年", "国务院办公厅关于2025年\n", StringComparison.Ordinal)
            .Replace("放假调休，共8天。1月26日", "放假调休，共8天。1月26日\n", StringComparison.Ordinal);

        var notice = HolidayNotice.Parse(text);

        Assert.Equal("国务院办公厅关于2025年部分节假日安排的通知", notice.Title);
        Assert.Equal(Days(2025, Reference[2025].Workdays), notice.Workdays);
    }

    [Fact]
    public void The_year_is_taken_from_the_preamble_when_there_is_no_title()
    {
        var text = Notice(Sections2025).Replace("国务院办公厅关于2025年部分节假日安排的通知", string.Empty, StringComparison.Ordinal);

        var notice = HolidayNotice.Parse(text);

        Assert.Equal(2025, notice.Year);
        Assert.Equal("国务院办公厅关于2025年部分节假日安排的通知", notice.Title);
    }

    [Theory]
    [InlineData(0, "一、元旦：1月1日（周四）放假1天，不调休。", "2025-01-01 is a Wednesday (周三), not 周四")]
    [InlineData(0, "一、元旦：1月1日（星期四）放假，共1天。", "not 星期四")]
    [InlineData(2, "三、清明节：4月4日（周五）至6日（周日）放假，共4天。", "\"共4天\" but 2025-04-04 to 2025-04-06 is 3 day(s)")]
    [InlineData(2, "三、清明节：4月4日至6日放假，共四天。", "\"共四天\"")]
    [InlineData(0, "一、元旦：1月1日（周三）放假2天，不调休。", "\"放假2天\"")]
    [InlineData(2, "三、清明节：四月初五放假", "no date written like 4月5日")]
    [InlineData(2, "三、清明节4月4日至6日放假，共3天。", "a colon (：)")]
    [InlineData(2, "三、清明节：4月4日到6日放假，共3天。", "cannot be read")]
    [InlineData(3, "四、劳动节：5月5日（周一）至5月1日（周四）放假调休，共5天。4月27日（周日）上班。", "end (2025-05-01) before they start (2025-05-05)")]
    [InlineData(1, "二、春节：1月28日至2月4日放假调休，共8天。1月26日（周日）、2月30日上班。", "2025年2月30日 does not exist")]
    [InlineData(3, "四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月28日（周一）上班。", "make-up working day 2025-04-28 is a Monday")]
    [InlineData(1, "二、春节：1月27日（农历除夕、周一）至2月4日（农历正月初七、周二）放假调休，共9天。1月26日（周日）、2月8日（周六）上班。", "2025-01-27 is 农历腊月廿八, not 除夕")]
    [InlineData(1, "二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初六、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。", "2025-02-04 is 农历正月初七, not 农历正月初六")]
    [InlineData(1, "二、春节：1月28日（农历年三十）至2月4日放假调休，共8天。", "the note \"农历年三十\" cannot be read")]
    [InlineData(3, "四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。5月4日（周日）上班。", "make-up working day 2025-05-04 is a day off of 劳动节")]
    [InlineData(0, "一、元旦：1月1日（周三）放假1天，不调休。1月4日（周六）上班。", "不调休")]
    [InlineData(2, "三、清明节：4月2日（周三）放假，与周末连休。", "adjoins no weekend")]
    [InlineData(5, "六、国庆节、中秋节：10月1日至8日放假调休，共8天。9月28日（周日）、10月11日（周六）上班。2月8日（周六）上班。", "make-up working day 2025-02-08 is given twice (also line 6)")]
    [InlineData(5, "六、国庆节、中秋节：5月5日至8日放假调休，共4天。", "2025-05-05 already off for 劳动节 (line 8)")]
    [InlineData(0, "一、元旦：2023年12月30日（周六）至1月1日（周三）放假，共3天。", "2023-12-30 is outside the 2025 notice's reach")]
    [InlineData(5, "六、国庆节、国庆节：10月1日至8日放假调休，共8天。", "国庆节 is named twice")]
    [InlineData(2, "三、植树节：3月12日（周三）放假，共1天。", "unknown festival \"植树节\"")]
    public void A_broken_line_is_refused_naming_its_line(int section, string line, string problem)
    {
        var sections = (string[])Sections2025.Clone();
        sections[section] = line;

        var error = Assert.Throws<HolidayNoticeException>(() => HolidayNotice.Parse(Notice(sections)));

        var only = Assert.Single(error.Problems);
        Assert.Equal(FirstSectionLine + section, only.Line);
        Assert.Contains(problem, only.Message, StringComparison.Ordinal);
        Assert.Contains($"line {FirstSectionLine + section}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_festival_given_twice_is_refused_on_its_second_line()
    {
        var error = Assert.Throws<HolidayNoticeException>(() =>
            HolidayNotice.Parse(Notice([.. Sections2025, "七、春节：2月10日（周一）放假，共1天。"])));

        var only = Assert.Single(error.Problems);
        Assert.Equal(FirstSectionLine + 6, only.Line);
        Assert.Equal("春节 is given twice (its section is line 6)", only.Message);
    }

    [Fact]
    public void A_missing_festival_is_refused_as_a_partial_year()
    {
        var error = Assert.Throws<HolidayNoticeException>(() => HolidayNotice.Parse(Notice(Sections2025.Where(s => !s.Contains("端午节", StringComparison.Ordinal)))));

        var only = Assert.Single(error.Problems);
        Assert.Equal(0, only.Line);
        Assert.Contains("端午节 has no section", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Days_named_outside_a_numbered_section_are_refused_not_dropped()
    {
        var text = Notice(Sections2025).Replace("国务院办公厅\n", "另：2月9日（周日）上班。\n国务院办公厅\n", StringComparison.Ordinal);

        var error = Assert.Throws<HolidayNoticeException>(() => HolidayNotice.Parse(text));

        var only = Assert.Single(error.Problems);
        Assert.Equal(FirstSectionLine + Sections2025.Length + 1, only.Line);
        Assert.Contains("outside a numbered festival section", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_without_a_year_is_refused_as_a_whole()
    {
        var text = string.Join("\n", Sections2025);

        var error = Assert.Throws<HolidayNoticeException>(() => HolidayNotice.Parse(text));

        var only = Assert.Single(error.Problems);
        Assert.Equal(0, only.Line);
        Assert.StartsWith("no year found", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_without_sections_is_refused_as_a_whole()
    {
        var error = Assert.Throws<HolidayNoticeException>(() => HolidayNotice.Parse(Notice([])));

        var only = Assert.Single(error.Problems);
        Assert.Equal(0, only.Line);
        Assert.StartsWith("no festival section found", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_collected_before_refusing()
    {
        var sections = (string[])Sections2025.Clone();
        sections[0] = "一、元旦：1月1日（周四）放假1天，不调休。";
        sections[2] = "三、清明节：4月4日（周五）至6日（周日）放假，共4天。";

        var error = Assert.Throws<HolidayNoticeException>(() => HolidayNotice.Parse(Notice(sections)));

        Assert.Equal([FirstSectionLine, FirstSectionLine + 2], error.Problems.Select(p => p.Line));
    }

    private static string Fixture(int year, string wording) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Calendars", "Notices", $"{year}-{wording}.txt"));

    private static string Notice(IEnumerable<string> sections) => string.Join("\n",
        new[]
        {
            "国务院办公厅关于2025年部分节假日安排的通知",
            "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
            "经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。",
            string.Empty,
        }
        .Concat(sections)
        .Concat([string.Empty, "国务院办公厅", "2024年11月12日"]));

    /// <summary>Days as the reference table writes them: "01-28..02-04; 04-05; 2018-12-29", of <paramref name="year"/> unless given in full.</summary>
    private static List<DateOnly> Days(int year, string spec)
    {
        DateOnly Day(string text) => DateOnly.ParseExact(text.Length == 5 ? $"{year}-{text}" : text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var days = new List<DateOnly>();
        foreach (var item in spec.Split(';', StringSplitOptions.TrimEntries))
        {
            var ends = item.Split("..");
            for (var day = Day(ends[0]); day <= Day(ends[^1]); day = day.AddDays(1))
            {
                days.Add(day);
            }
        }

        return days;
    }
}
