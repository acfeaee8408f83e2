using Supervision.Engine.Calendars;

namespace Supervision.Engine.Tests.Calendars;

public sealed class WorkingCalendarTests
{
    private static readonly WorkingCalendar Cn = StatutoryCalendar.Calendar;

    [Theory]
    [InlineData(7, "2025-10-13")]
    [InlineData(20, "2025-10-30")]
    [InlineData(40, "2025-11-27")]
    public void Reference_example_received_2025_09_26(int workingDays, string due) =>
        Assert.Equal(DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture), Cn.AddWorkingDays(new DateOnly(2025, 9, 26), workingDays));

    [Theory]
    [InlineData(2020, 249)]
    [InlineData(2021, 250)]
    [InlineData(2022, 249)]
    [InlineData(2023, 249)]
    [InlineData(2024, 251)]
    [InlineData(2025, 248)]
    [InlineData(2026, 248)]
    public void Working_days_per_year_match_the_reference(int year, int workingDays) =>
        Assert.Equal(workingDays, Cn.WorkingDaysIn(year));

    [Fact]
    public void The_shipped_calendar_loads_2019_to_2026()
    {
        Assert.Equal("cn-statutory", Cn.Name);
        Assert.Equal(Enumerable.Range(2019, 8), Cn.LoadedYears);
    }

    [Fact]
    public void Make_up_days_are_working_days_and_holidays_are_named()
    {
        Assert.Equal(DayKind.MakeUpWorkday, Cn.KindOf(new DateOnly(2025, 9, 28)));
        Assert.True(Cn.IsWorkingDay(new DateOnly(2025, 10, 11)));
        Assert.Equal(DayKind.Holiday, Cn.KindOf(new DateOnly(2025, 10, 6)));
        Assert.Equal("国庆节、中秋节", Cn.HolidayNameOf(new DateOnly(2025, 10, 6))!.Value.Name);
        Assert.Equal(DayKind.Weekend, Cn.KindOf(new DateOnly(2025, 10, 12)));
        Assert.Equal(DayKind.Workday, Cn.KindOf(new DateOnly(2025, 10, 9)));
    }

    [Fact]
    public void Days_a_notice_names_in_the_previous_year_are_applied()
    {
        Assert.Equal(DayKind.Holiday, Cn.KindOf(new DateOnly(2018, 12, 31)));
        Assert.Equal(DayKind.MakeUpWorkday, Cn.KindOf(new DateOnly(2018, 12, 29)));
        Assert.Equal(DayKind.Holiday, Cn.KindOf(new DateOnly(2022, 12, 31)));
    }

    [Fact]
    public void Years_without_a_notice_are_reported_not_guessed_silently()
    {
        Assert.Equal([2027], Cn.ProvisionalYears(new DateOnly(2026, 12, 20), new DateOnly(2027, 1, 20)));
        Assert.Empty(Cn.ProvisionalYears(new DateOnly(2019, 1, 1), new DateOnly(2026, 12, 31)));
        Assert.Equal([2017, 2018], Cn.ProvisionalYears(new DateOnly(2018, 12, 1), new DateOnly(2017, 3, 1)));
        // 2027 is reckoned from the law: New Year's Day 2027, a Friday, is not a working day.
        Assert.False(Cn.IsWorkingDay(new DateOnly(2027, 1, 1)));
        Assert.True(Cn.IsProvisional(2027));
        Assert.False(Cn.IsProvisional(2026));
    }

    [Fact]
    public void Replacing_a_year_makes_a_new_version_and_leaves_the_old_calendar_alone()
    {
        var y2027 = new CalendarYear(2027,
            [new HolidayPeriod("元旦", "New Year's Day", new DateOnly(2027, 1, 1), new DateOnly(2027, 1, 3))],
            [new MakeUpDay(new DateOnly(2027, 1, 9), "元旦")],
            "test notice");

        var next = Cn.WithYear(y2027);

        Assert.Equal(Cn.Version + 1, next.Version);
        Assert.False(Cn.IsWorkingDay(new DateOnly(2027, 1, 9)));
        Assert.False(next.IsWorkingDay(new DateOnly(2027, 1, 1)));
        Assert.True(next.IsWorkingDay(new DateOnly(2027, 1, 9)));
        // The notice replaces the whole reckoned year: the law's Spring Festival days are no longer assumed.
        var differences = next.DifferencesFrom(Cn);
        Assert.Contains(new DateOnly(2027, 1, 9), differences);
        Assert.Contains(new DateOnly(2027, 2, 9), differences);
        Assert.DoesNotContain(new DateOnly(2027, 1, 1), differences);
        Assert.Equal(new DateOnly(2027, 1, 9), next.AddWorkingDays(new DateOnly(2027, 1, 8), 1));
        Assert.Equal(new DateOnly(2027, 1, 11), Cn.AddWorkingDays(new DateOnly(2027, 1, 8), 1));
    }

    [Fact]
    public void An_inconsistent_year_is_refused_with_its_problems()
    {
        var bad = new CalendarYear(2027,
            [new HolidayPeriod("春节", "Spring Festival", new DateOnly(2027, 2, 6), new DateOnly(2027, 2, 12))],
            [new MakeUpDay(new DateOnly(2027, 2, 7), "春节")],
            "bad");

        var error = Assert.Throws<ArgumentException>(() => Cn.WithYear(bad));

        Assert.Contains("2027-02-07 is listed both as a holiday and as a make-up working day", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dates_outside_2000_to_2099_are_an_explicit_error()
    {
        var error = Assert.Throws<CalendarRangeException>(() => Cn.AddWorkingDays(new DateOnly(1999, 12, 31), 1));
        Assert.Contains("1999-12-31", error.Message, StringComparison.Ordinal);
        Assert.Throws<CalendarRangeException>(() => Cn.AddWorkingDays(new DateOnly(2099, 12, 20), 30));
    }

    [Fact]
    public void Adding_working_days_agrees_with_counting_day_by_day()
    {
        var naive = new NaiveCalendar(Cn);
        var random = new Random(20251026);
        for (var i = 0; i < 5000; i++)
        {
            var start = new DateOnly(2018, 12, 1).AddDays(random.Next(0, 3000));
            var n = random.Next(-60, 121);
            Assert.True(naive.Add(start, n) == Cn.AddWorkingDays(start, n), $"{start:yyyy-MM-dd} + {n}");
        }
    }

    [Fact]
    public void Counting_working_days_agrees_with_counting_day_by_day()
    {
        var naive = new NaiveCalendar(Cn);
        var random = new Random(7);
        for (var i = 0; i < 5000; i++)
        {
            var a = new DateOnly(2018, 12, 1).AddDays(random.Next(0, 3000));
            var b = a.AddDays(random.Next(-200, 200));
            Assert.True(naive.Between(a, b) == Cn.WorkingDaysBetween(a, b), $"{a:yyyy-MM-dd} .. {b:yyyy-MM-dd}");
        }
    }

    [Fact]
    public void Next_working_day_and_first_day_with_at_most_agree_with_the_oracle()
    {
        var naive = new NaiveCalendar(Cn);
        var random = new Random(11);
        for (var i = 0; i < 3000; i++)
        {
            var d = new DateOnly(2019, 1, 1).AddDays(random.Next(0, 2900));
            var next = d;
            while (!naive.IsWorking(next))
            {
                next = next.AddDays(1);
            }

            Assert.Equal(next, Cn.NextWorkingDayOnOrAfter(d));
            var k = random.Next(0, 30);
            var first = Cn.FirstDayWithAtMost(d, k);
            Assert.True(naive.Between(first, d) <= k, $"{first} has more than {k} to {d}");
            Assert.True(naive.Between(first.AddDays(-1), d) > k, $"{first} is not the first day with at most {k} to {d}");
        }
    }

    [Fact]
    public void Working_day_status_agrees_with_the_oracle_on_every_day_2019_to_2026()
    {
        var naive = new NaiveCalendar(Cn);
        for (var d = new DateOnly(2018, 12, 1); d <= new DateOnly(2027, 1, 31); d = d.AddDays(1))
        {
            Assert.True(naive.IsWorking(d) == Cn.IsWorkingDay(d), d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
