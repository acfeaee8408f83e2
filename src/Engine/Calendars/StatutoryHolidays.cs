using System.Globalization;

namespace Supervision.Engine.Calendars;

/// <summary>
/// The public holidays of all citizens as the law itself fixes them (全国年节及纪念日放假办法), for years whose
/// State Council notice is not yet loaded. Such a year is <em>provisional</em>: the notice adds bridging days off
/// and names weekend days worked in exchange (调休), so due days may move either way when it is loaded.
/// <para>
/// The law as in force each year: from 2025 (2024 revision) 元旦 1 January; 春节 4 days, the lunar New Year's Eve
/// (农历除夕) and 正月初一 to 初三; 清明节 the day of the Qingming solar term; 劳动节 1-2 May; 端午节 the 5th day of the
/// 5th lunar month; 中秋节 the 15th day of the 8th; 国庆节 1-3 October. 2014-2024 (2013 revision): 春节 初一 to 初三,
/// 劳动节 1 May only. 2008-2013 (2007 revision): 春节 除夕 to 初二. 2000-2007 (1999 revision): 春节 初一 to 初三,
/// 劳动节 and 国庆节 three days each, no 清明节, 端午节 or 中秋节.
/// </para>
/// <para>
/// A holiday of all citizens that falls on a Saturday or Sunday is given back on a working day (应当在工作日补假): on
/// the first weekday after the festival that is not already a holiday. A festival day that is also a day of another
/// festival (中秋节 on 1 October, as in 2020) is given back the same way, as the notices have done.
/// </para>
/// <para>
/// Lunar dates come from <see cref="ChineseLunisolarCalendar"/>. The Qingming day is the local (UTC+8) day on which
/// the sun's apparent ecliptic longitude reaches 15°, computed with the solar theory of Meeus (Astronomical
/// Algorithms, ch. 25; about 0.01°, a quarter of an hour). It agrees with the published dates and with the
/// traditional day formula for every year 2000-2099; only in 2005, 2009, 2038, 2042 and 2071 does the solar term
/// fall within half an hour of midnight.
/// </para>
/// </summary>
public static class StatutoryHolidays
{
    /// <summary>The source recorded for a provisional year.</summary>
    public const string ProvisionalSource = "依《全国年节及纪念日放假办法》推算（当年放假安排尚未载入）";

    private static readonly ChineseLunisolarCalendar Lunar = new();
    private static readonly CalendarYear?[] Cache = new CalendarYear?[WorkingCalendar.LastYear - WorkingCalendar.FirstYear + 1];

    private static readonly Dictionary<string, string> English = new(StringComparer.Ordinal)
    {
        ["元旦"] = "New Year's Day",
        ["春节"] = "Spring Festival",
        ["清明节"] = "Qingming Festival",
        ["劳动节"] = "Labour Day",
        ["端午节"] = "Dragon Boat Festival",
        ["中秋节"] = "Mid-Autumn Festival",
        ["国庆节"] = "National Day",
    };

    /// <summary>The English name of a festival (元旦 → New Year's Day); the name itself when unknown.</summary>
    public static string EnglishName(string festival) => English.GetValueOrDefault(festival, festival);

    /// <summary>The year's holidays as the law in force that year fixes them, with days given back for those that
    /// fall on a weekend; no make-up working days (only a notice names those).</summary>
    public static CalendarYear Provisional(int year)
    {
        if (year < WorkingCalendar.FirstYear || year > WorkingCalendar.LastYear)
        {
            throw new CalendarRangeException($"A provisional calendar is computed for {WorkingCalendar.FirstYear}-{WorkingCalendar.LastYear}; {year.ToString(CultureInfo.InvariantCulture)} is outside.");
        }

        var index = year - WorkingCalendar.FirstYear;
        return Volatile.Read(ref Cache[index]) ?? (Cache[index] = Compute(year));
    }

    /// <summary>The festival days themselves (without days given back), by festival, in the order of the law.</summary>
    public static IReadOnlyList<(string Festival, IReadOnlyList<DateOnly> Days)> FixedDays(int year)
    {
        var springEve = LunarNewYear(year).AddDays(-1);
        var newYear = LunarNewYear(year);
        var festivals = new List<(string, IReadOnlyList<DateOnly>)> { ("元旦", [new DateOnly(year, 1, 1)]) };
        festivals.Add(("春节", year switch
        {
            >= 2025 => [springEve, newYear, newYear.AddDays(1), newYear.AddDays(2)],
            >= 2014 => [newYear, newYear.AddDays(1), newYear.AddDays(2)],
            >= 2008 => [springEve, newYear, newYear.AddDays(1)],
            _ => [newYear, newYear.AddDays(1), newYear.AddDays(2)],
        }));
        if (year >= 2008)
        {
            festivals.Add(("清明节", [Qingming(year)]));
        }

        festivals.Add(("劳动节", year switch
        {
            >= 2025 => [new DateOnly(year, 5, 1), new DateOnly(year, 5, 2)],
            >= 2008 => [new DateOnly(year, 5, 1)],
            _ => [new DateOnly(year, 5, 1), new DateOnly(year, 5, 2), new DateOnly(year, 5, 3)],
        }));
        if (year >= 2008)
        {
            festivals.Add(("端午节", [LunarDate(year, 5, 5)]));
            festivals.Add(("中秋节", [LunarDate(year, 8, 15)]));
        }

        festivals.Add(("国庆节", [new DateOnly(year, 10, 1), new DateOnly(year, 10, 2), new DateOnly(year, 10, 3)]));
        return festivals;
    }

    /// <summary>正月初一 of the lunar year that begins in <paramref name="year"/>.</summary>
    public static DateOnly LunarNewYear(int year) => LunarDate(year, 1, 1);

    /// <summary>The Gregorian day of a lunar month and day (not a leap month) of the lunar year beginning in
    /// <paramref name="year"/>: <c>LunarDate(2025, 8, 15)</c> is 中秋节 2025, 2025-10-06.</summary>
    public static DateOnly LunarDate(int year, int month, int day)
    {
        // A leap month sits after the month it repeats: GetLeapMonth gives its position (7 = the 7th month of the
        // year is 闰六月), so ordinary months from that position on are one further along.
        var leap = Lunar.GetLeapMonth(year);
        var position = leap != 0 && month >= leap ? month + 1 : month;
        return DateOnly.FromDateTime(Lunar.ToDateTime(year, position, day, 0, 0, 0, 0));
    }

    /// <summary>The lunar month (1-12, leap months given as the month they repeat) and day of a date, and whether
    /// the month is a leap month.</summary>
    public static (int Month, int Day, bool Leap) LunarMonthDayOf(DateOnly date)
    {
        var at = date.ToDateTime(TimeOnly.MinValue);
        var year = Lunar.GetYear(at);
        var position = Lunar.GetMonth(at);
        var leap = Lunar.GetLeapMonth(year);
        var isLeap = leap != 0 && position == leap;
        var month = leap != 0 && position >= leap ? position - 1 : position;
        return (month, Lunar.GetDayOfMonth(at), isLeap);
    }

    /// <summary>The day (Beijing time, UTC+8) of the Qingming solar term: the sun's apparent longitude 15°.</summary>
    public static DateOnly Qingming(int year)
    {
        var jde = JulianDay(year, 4, 4.5);
        for (var i = 0; i < 8; i++)
        {
            var delta = ((15 - ApparentSolarLongitude(jde) + 540) % 360) - 180;
            jde += delta / 360 * 365.2422;
        }

        // Terrestrial time to universal time (ΔT about 69 s in 2020, growing slowly), then to UTC+8.
        var ut = jde - ((69 + ((year - 2020) * 0.5)) / 86_400);
        return DateOnly.FromDayNumber((int)Math.Floor(ut + 0.5 + (8.0 / 24)) - 1_721_426);
    }

    // Meeus, Astronomical Algorithms, ch. 25 (low accuracy): the sun's apparent longitude in degrees.
    private static double ApparentSolarLongitude(double jde)
    {
        var t = (jde - 2_451_545.0) / 36_525;
        var l0 = 280.46646 + (36_000.76983 * t) + (0.0003032 * t * t);
        var m = Radians(357.52911 + (35_999.05029 * t) - (0.0001537 * t * t));
        var c = ((1.914602 - (0.004817 * t) - (0.000014 * t * t)) * Math.Sin(m)) + ((0.019993 - (0.000101 * t)) * Math.Sin(2 * m)) + (0.000289 * Math.Sin(3 * m));
        var omega = Radians(125.04 - (1_934.136 * t));
        var longitude = (l0 + c - 0.00569 - (0.00478 * Math.Sin(omega))) % 360;
        return longitude < 0 ? longitude + 360 : longitude;
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;

    // The Julian day of a Gregorian date (day with fraction): DateOnly's day number counts from 0001-01-01, JD 1721425.5.
    private static double JulianDay(int year, int month, double day) =>
        new DateOnly(year, month, 1).DayNumber + 1_721_425.5 + (day - 1);

    private static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    private static CalendarYear Compute(int year)
    {
        var festivals = FixedDays(year).OrderBy(f => f.Days[0]).ThenByDescending(f => f.Days.Count).ToList();
        var taken = festivals.SelectMany(f => f.Days).ToHashSet();
        var claimed = new HashSet<DateOnly>();
        var spans = new List<(List<string> Names, DateOnly From, DateOnly To)>();
        foreach (var (festival, days) in festivals)
        {
            // Each day on a weekend, or already another festival's, is owed a working day off after the festival.
            var owed = days.Count(d => !claimed.Add(d) || IsWeekend(d));
            var last = days[^1];
            var day = last;
            while (owed > 0)
            {
                day = day.AddDays(1);
                if (!IsWeekend(day) && taken.Add(day))
                {
                    last = day;
                    owed--;
                }
            }

            spans.Add(([festival], days[0], last));
        }

        // Festivals whose days (with those given back) meet or overlap are one holiday, as the notices write them
        // (国庆节、中秋节).
        var merged = new List<(List<string> Names, DateOnly From, DateOnly To)>();
        foreach (var span in spans.OrderBy(s => s.From))
        {
            if (merged.Count > 0 && span.From <= merged[^1].To.AddDays(1))
            {
                var previous = merged[^1];
                merged[^1] = ([.. previous.Names, .. span.Names], previous.From, span.To > previous.To ? span.To : previous.To);
            }
            else
            {
                merged.Add(span);
            }
        }

        var periods = merged.Select(m => new HolidayPeriod(string.Join("、", m.Names), string.Join(", ", m.Names.Select(EnglishName)), m.From, m.To)).ToList();
        return new CalendarYear(year, periods, [], ProvisionalSource) { Provisional = true };
    }
}
