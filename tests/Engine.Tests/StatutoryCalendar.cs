using Supervision.Engine.Calendars;

namespace Supervision.Engine.Tests;

/// <summary>The shipped statutory calendar (seeds/calendar/cn-statutory.json) and a naive oracle over the same data.</summary>
internal static class StatutoryCalendar
{
    private static readonly Lazy<WorkingCalendar> Loaded = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "seeds", "calendar", "cn-statutory.json");
        return CalendarFile.Parse(File.ReadAllText(path), path);
    });

    public static WorkingCalendar Calendar => Loaded.Value;

    public static TimeZoneInfo Shanghai { get; } = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
}

/// <summary>
/// A deliberately naive working-day calendar: one day at a time, from the same notices. The fast calendar must agree
/// with it everywhere.
/// </summary>
internal sealed class NaiveCalendar
{
    private readonly HashSet<DateOnly> _holidays = [];
    private readonly HashSet<DateOnly> _makeUps = [];

    public NaiveCalendar(WorkingCalendar source)
    {
        // Loaded notices over the years reckoned from the law, as the fast calendar applies them.
        var years = Enumerable.Range(WorkingCalendar.FirstYear, WorkingCalendar.LastYear - WorkingCalendar.FirstYear + 1)
            .Select(source.YearInForce).OfType<CalendarYear>().OrderBy(y => source.IsProvisional(y.Year) ? 0 : 1);
        foreach (var year in years)
        {
            foreach (var period in year.Holidays)
            {
                for (var d = period.From; d <= period.To; d = d.AddDays(1))
                {
                    _holidays.Add(d);
                    _makeUps.Remove(d);
                }
            }

            foreach (var m in year.MakeUpDays)
            {
                _makeUps.Add(m.Date);
                _holidays.Remove(m.Date);
            }
        }
    }

    public bool IsWorking(DateOnly d) =>
        _makeUps.Contains(d) || (!_holidays.Contains(d) && d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));

    public DateOnly Add(DateOnly start, int n)
    {
        var d = start;
        if (n > 0)
        {
            while (n > 0)
            {
                d = d.AddDays(1);
                if (IsWorking(d))
                {
                    n--;
                }
            }
        }
        else
        {
            while (n < 0)
            {
                d = d.AddDays(-1);
                if (IsWorking(d))
                {
                    n++;
                }
            }
        }

        return d;
    }

    public int Between(DateOnly from, DateOnly to)
    {
        var sign = 1;
        if (to < from)
        {
            (from, to) = (to, from);
            sign = -1;
        }

        var count = 0;
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1))
        {
            if (IsWorking(d))
            {
                count++;
            }
        }

        return sign * count;
    }
}
