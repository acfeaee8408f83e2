using System.Globalization;
using Supervision.Engine.Calendars;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Tests.Calendars;

public sealed class StatutoryHolidaysTests
{
    private static readonly WorkingCalendar Cn = StatutoryCalendar.Calendar;

    private static DateOnly D(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    // Published dates of the Qingming solar term (Beijing time), from the almanac.
    [Theory]
    [InlineData(2019, "2019-04-05")]
    [InlineData(2020, "2020-04-04")]
    [InlineData(2021, "2021-04-04")]
    [InlineData(2022, "2022-04-05")]
    [InlineData(2023, "2023-04-05")]
    [InlineData(2024, "2024-04-04")]
    [InlineData(2025, "2025-04-04")]
    [InlineData(2026, "2026-04-05")]
    [InlineData(2027, "2027-04-05")]
    [InlineData(2028, "2028-04-04")]
    [InlineData(2029, "2029-04-04")]
    [InlineData(2030, "2030-04-05")]
    public void Qingming_falls_on_the_published_day(int year, string day) =>
        Assert.Equal(D(day), StatutoryHolidays.Qingming(year));

    [Fact]
    public void Qingming_agrees_with_the_traditional_day_formula_for_the_whole_century()
    {
        // 寿星公式 for 清明 in the 21st century: day = [Y × 0.2422 + 4.81] − [Y / 4], Y the year's last two digits.
        for (var year = 2000; year <= 2099; year++)
        {
            var y = year % 100;
            var day = (int)Math.Floor((y * 0.2422) + 4.81) - (y / 4);
            Assert.Equal(new DateOnly(year, 4, day), StatutoryHolidays.Qingming(year));
        }
    }

    // Lunar New Year, Dragon Boat and Mid-Autumn as published; 2020 (闰四月), 2023 (闰二月) and 2025 (闰六月) have
    // leap months before the festival.
    [Theory]
    [InlineData(2020, "2020-01-25", "2020-06-25", "2020-10-01")]
    [InlineData(2023, "2023-01-22", "2023-06-22", "2023-09-29")]
    [InlineData(2024, "2024-02-10", "2024-06-10", "2024-09-17")]
    [InlineData(2025, "2025-01-29", "2025-05-31", "2025-10-06")]
    [InlineData(2026, "2026-02-17", "2026-06-19", "2026-09-25")]
    [InlineData(2027, "2027-02-06", "2027-06-09", "2027-09-15")]
    [InlineData(2028, "2028-01-26", "2028-05-28", "2028-10-03")]
    public void Lunar_festivals_fall_on_the_published_days(int year, string newYear, string dragonBoat, string midAutumn)
    {
        Assert.Equal(D(newYear), StatutoryHolidays.LunarNewYear(year));
        Assert.Equal(D(dragonBoat), StatutoryHolidays.LunarDate(year, 5, 5));
        Assert.Equal(D(midAutumn), StatutoryHolidays.LunarDate(year, 8, 15));
        Assert.Equal((8, 15, false), StatutoryHolidays.LunarMonthDayOf(D(midAutumn)));
    }

    [Fact]
    public void The_law_of_each_year_gives_only_days_the_real_arrangements_give_2020_to_2026()
    {
        // The notices only add days (bridges, with make-up days in exchange): every day the law fixes, and every day
        // it gives back for a festival on a weekend, is a holiday in the real arrangement of 2020-2026.
        for (var year = 2020; year <= 2026; year++)
        {
            var provisional = StatutoryHolidays.Provisional(year);
            Assert.True(provisional.Provisional);
            Assert.Empty(provisional.MakeUpDays);
            Assert.Empty(provisional.Validate());
            foreach (var (festival, days) in StatutoryHolidays.FixedDays(year))
            {
                foreach (var day in days)
                {
                    Assert.True(Cn.KindOf(day) == DayKind.Holiday, $"{year} {festival}: {day:yyyy-MM-dd} is fixed by law but not a holiday in the {year} notice");
                }
            }

            foreach (var day in provisional.Holidays.SelectMany(h => h.Days()).Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)))
            {
                Assert.True(Cn.KindOf(day) == DayKind.Holiday, $"{year}: {day:yyyy-MM-dd} is off by law (or given back) but a working day in the {year} notice");
            }
        }
    }

    [Fact]
    public void The_2024_law_has_three_spring_festival_days_and_the_2025_law_four()
    {
        Assert.Equal([D("2024-02-10"), D("2024-02-11"), D("2024-02-12")], StatutoryHolidays.FixedDays(2024).Single(f => f.Festival == "春节").Days);
        Assert.Equal([D("2025-01-28"), D("2025-01-29"), D("2025-01-30"), D("2025-01-31")], StatutoryHolidays.FixedDays(2025).Single(f => f.Festival == "春节").Days);
        Assert.Single(StatutoryHolidays.FixedDays(2024).Single(f => f.Festival == "劳动节").Days);
        Assert.Equal(2, StatutoryHolidays.FixedDays(2025).Single(f => f.Festival == "劳动节").Days.Count);
    }

    [Fact]
    public void Year_2027_is_reckoned_from_the_law_with_weekend_festival_days_given_back()
    {
        // 2027: 元旦 Fri; 春节 除夕 Fri 02-05, 初一 Sat, 初二 Sun, 初三 Mon → given back Tue 02-09 and Wed 02-10; 清明 Mon
        // 04-05; 劳动节 Sat/Sun → Mon 05-03 and Tue 05-04; 端午 Wed 06-09; 中秋 Wed 09-15; 国庆 Fri, Sat, Sun → Mon, Tue.
        string[] off = ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-04-05", "2027-05-03", "2027-05-04",
            "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-04", "2027-10-05"];
        var weekdaysOff = Enumerable.Range(0, 365).Select(i => new DateOnly(2027, 1, 1).AddDays(i))
            .Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !Cn.IsWorkingDay(d)).ToList();

        Assert.Equal(off.Select(D), weekdaysOff);
        Assert.Equal(261 - 13, Cn.WorkingDaysIn(2027));
        Assert.Equal("春节", Cn.HolidayNameOf(D("2027-02-09"))!.Value.Name);
        Assert.Equal("Spring Festival", Cn.HolidayNameOf(D("2027-02-09"))!.Value.NameEn);
        Assert.Equal(DayKind.Holiday, Cn.KindOf(D("2027-02-06")));
    }

    [Fact]
    public void A_festival_on_another_festival_day_is_given_back_like_a_weekend()
    {
        // 2020: 中秋节 fell on 1 October; by law 国庆节 Thu-Sat gives back Mon 10-05 and 中秋节 Tue 10-06, one holiday.
        var national = StatutoryHolidays.Provisional(2020).Holidays.Single(h => h.Name.Contains("国庆节", StringComparison.Ordinal));

        Assert.Equal("国庆节、中秋节", national.Name);
        Assert.Equal((D("2020-10-01"), D("2020-10-06")), (national.From, national.To));
    }

    [Fact]
    public void Deadline_into_2027_counts_new_years_day_as_a_holiday_and_says_the_year_is_provisional()
    {
        var context = new ClockContext(Cn, StatutoryCalendar.Shanghai);
        var start = new DateTimeOffset(2026, 12, 28, 9, 0, 0, TimeSpan.FromHours(8));
        var (state, explanation) = Clock.Explain([new ClockEvent.Started(start, D("2026-12-28"), new TimeLimit.WorkingDays(5))], context);

        Assert.Equal(D("2027-01-05"), state.DueDay);
        Assert.Equal([2027], state.ProvisionalYears);
        var step = Assert.Single(explanation.Steps, s => s.Kind == "calendar-provisional");
        Assert.Contains("元旦 2027-01-01", step.Zh, StringComparison.Ordinal);
        Assert.Contains("New Year's Day 2027-01-01", step.En, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_the_notice_replaces_the_reckoned_year()
    {
        // A notice that bridges 2027-01-01 to 01-03 and has 01-09 (Sat) worked: the law's 02-09 is then no longer
        // assumed beyond what the notice says (this test notice says nothing about the Spring Festival).
        var notice = new CalendarYear(2027,
            [new HolidayPeriod("元旦", "New Year's Day", D("2027-01-01"), D("2027-01-03"))],
            [new MakeUpDay(D("2027-01-09"), "元旦")],
            "test notice");
        var loaded = Cn.WithYear(notice);

        Assert.False(loaded.IsProvisional(2027));
        Assert.Empty(loaded.ProvisionalYears(D("2027-01-01"), D("2027-12-31")));
        Assert.True(loaded.IsWorkingDay(D("2027-01-09")));
        Assert.True(loaded.IsWorkingDay(D("2027-02-09")));
        Assert.False(Cn.IsWorkingDay(D("2027-02-09")));
        Assert.Same(notice, loaded.YearInForce(2027));
    }

    [Fact]
    public void Every_year_the_calendar_covers_is_reckoned_soundly_including_the_last()
    {
        // 2099 was refused past January (the notice's reach ran to "January 2099" for the last year).
        for (var year = WorkingCalendar.FirstYear; year <= WorkingCalendar.LastYear; year++)
        {
            Assert.Empty(StatutoryHolidays.Provisional(year).Validate());
        }

        var last = WorkingCalendar.WeekendsOnly().WithYear(StatutoryHolidays.Provisional(2099) with { Provisional = false });
        Assert.False(last.IsWorkingDay(D("2099-10-01")));
    }

    [Fact]
    public void A_weekends_only_calendar_reckons_nothing()
    {
        var weekends = WorkingCalendar.WeekendsOnly();

        Assert.True(weekends.IsWorkingDay(D("2027-01-01")));
        Assert.Null(weekends.YearInForce(2027));
    }
}
