using System.Collections.Frozen;
using System.Globalization;

namespace Supervision.Engine.Calendars;

/// <summary>A date outside the range any calendar can answer for (2000-2099).</summary>
public sealed class CalendarRangeException(string message) : Exception(message);

/// <summary>
/// An immutable working-day calendar: Monday to Friday are working days, except the holidays of the loaded years'
/// notices, plus their make-up working days (调休). Working days and calendar days are different units: "add 20
/// working days" skips weekends and holidays and counts make-up days; "add 15 calendar days" counts every day.
/// <para>
/// Each date in 2000-2099 carries its working-day ordinal (how many working days fall from 2000-01-01 up to and
/// including it), so adding N working days or counting the working days between two dates is two array reads,
/// whatever the distance. Changing a year makes a new calendar with the next <see cref="Version"/>.
/// </para>
/// <para>
/// A year whose notice is not loaded is reckoned from the law (<see cref="StatutoryHolidays.Provisional"/>: the
/// fixed public holidays and the days given back for those on a weekend); <see cref="ProvisionalYears"/> tells which
/// years a computation touched without a notice, so the caller can say so instead of guessing silently.
/// </para>
/// </summary>
public sealed class WorkingCalendar
{
    /// <summary>The first year any calendar covers.</summary>
    public const int FirstYear = 2000;

    /// <summary>The last year any calendar covers.</summary>
    public const int LastYear = 2099;

    private static readonly DateOnly Epoch = new(FirstYear, 1, 1);
    private static readonly DateOnly End = new(LastYear, 12, 31);
    private static readonly int EpochNumber = Epoch.DayNumber;

    // _ordinal[i]: working days in [Epoch, Epoch + i]. _working[k]: day index of the working day with ordinal k + 1.
    private readonly int[] _ordinal;
    private readonly int[] _working;
    private readonly FrozenDictionary<DateOnly, (DayKind Kind, string Name, string NameEn)> _special;
    private readonly SortedDictionary<int, CalendarYear> _years;
    private readonly bool _provisional;

    private WorkingCalendar(string name, int version, SortedDictionary<int, CalendarYear> years, bool provisional)
    {
        Name = name;
        Version = version;
        _years = years;
        _provisional = provisional;
        var special = new Dictionary<DateOnly, (DayKind, string, string)>();
        // Years without a notice first, reckoned from the law; a loaded notice's days then win, also where a notice
        // reaches into a neighbouring year.
        var reckoned = provisional
            ? Enumerable.Range(FirstYear, LastYear - FirstYear + 1).Where(y => !years.ContainsKey(y)).Select(StatutoryHolidays.Provisional)
            : [];
        foreach (var year in reckoned.Concat(years.Values))
        {
            foreach (var period in year.Holidays)
            {
                foreach (var day in period.Days())
                {
                    special[day] = (DayKind.Holiday, period.Name, period.NameEn);
                }
            }

            foreach (var makeUp in year.MakeUpDays)
            {
                var en = year.Holidays.FirstOrDefault(h => h.Name == makeUp.For)?.NameEn ?? makeUp.For;
                special[makeUp.Date] = (DayKind.MakeUpWorkday, makeUp.For, en);
            }
        }

        _special = special.ToFrozenDictionary();
        var days = End.DayNumber - EpochNumber + 1;
        _ordinal = new int[days];
        var working = new List<int>(days * 5 / 7 + 16);
        var count = 0;
        for (var i = 0; i < days; i++)
        {
            if (IsWorking(KindOf(Epoch.AddDays(i))))
            {
                count++;
                working.Add(i);
            }

            _ordinal[i] = count;
        }

        _working = [.. working];
    }

    /// <summary>The calendar's name, e.g. <c>cn-statutory</c>.</summary>
    public string Name { get; }

    /// <summary>Increases with every change of a year; recorded with computed deadlines.</summary>
    public int Version { get; }

    /// <summary>The years whose notices are loaded, ascending.</summary>
    public IReadOnlyCollection<int> LoadedYears => _years.Keys;

    /// <summary>The loaded notice of a year, or null.</summary>
    public CalendarYear? Year(int year) => _years.GetValueOrDefault(year);

    /// <summary>The year as this calendar counts it: its loaded notice, or the year reckoned from the law
    /// (<see cref="CalendarYear.Provisional"/>); null for a weekends-only calendar's unloaded year.</summary>
    public CalendarYear? YearInForce(int year) =>
        _years.GetValueOrDefault(year) ?? (_provisional && year is >= FirstYear and <= LastYear ? StatutoryHolidays.Provisional(year) : null);

    /// <summary>True when the year's notice is not loaded, so its days are reckoned from the law.</summary>
    public bool IsProvisional(int year) => !_years.ContainsKey(year);

    /// <summary>A calendar of the given years (validated: an inconsistent year is refused with its problems); every
    /// other year is reckoned from the law and provisional.</summary>
    public static WorkingCalendar Create(string name, IEnumerable<CalendarYear> years, int version = 1) => Create(name, years, version, provisional: true);

    private static WorkingCalendar Create(string name, IEnumerable<CalendarYear> years, int version, bool provisional)
    {
        ArgumentNullException.ThrowIfNull(years);
        var sorted = new SortedDictionary<int, CalendarYear>();
        foreach (var year in years)
        {
            ThrowIfInvalid(year);
            if (!sorted.TryAdd(year.Year, year))
            {
                throw new ArgumentException($"Calendar {name}: year {year.Year} is given twice.", nameof(years));
            }
        }

        return new WorkingCalendar(name, version, sorted, provisional);
    }

    /// <summary>A calendar of Mondays to Fridays only: no holiday at all, not even the law's (for comparisons).</summary>
    public static WorkingCalendar WeekendsOnly(string name = "weekends-only") => Create(name, [], 1, provisional: false);

    /// <summary>A new calendar with <paramref name="year"/> added or replaced, and the next version number.</summary>
    public WorkingCalendar WithYear(CalendarYear year)
    {
        ArgumentNullException.ThrowIfNull(year);
        ThrowIfInvalid(year);
        var years = new SortedDictionary<int, CalendarYear>(_years) { [year.Year] = year };
        return new WorkingCalendar(Name, Version + 1, years, _provisional);
    }

    /// <summary>The dates on which this calendar and <paramref name="other"/> disagree about working or not.</summary>
    public IReadOnlyList<DateOnly> DifferencesFrom(WorkingCalendar other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var dates = _special.Keys.Concat(other._special.Keys).Distinct().Where(d => IsWorkingDay(d) != other.IsWorkingDay(d)).Order().ToList();
        return dates;
    }

    /// <summary>True for a working day.</summary>
    public bool IsWorkingDay(DateOnly date) => IsWorking(KindOf(date));

    /// <summary>Why a date is or is not a working day.</summary>
    public DayKind KindOf(DateOnly date)
    {
        if (_special.TryGetValue(date, out var special))
        {
            return special.Kind;
        }

        return date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? DayKind.Weekend : DayKind.Workday;
    }

    /// <summary>The holiday a date belongs to (for a holiday or a make-up day), in Chinese and English; null otherwise.</summary>
    public (string Name, string NameEn)? HolidayNameOf(DateOnly date) =>
        _special.TryGetValue(date, out var special) ? (special.Name, special.NameEn) : null;

    /// <summary>
    /// The working day <paramref name="workingDays"/> working days after <paramref name="start"/>; the start day
    /// itself is never counted (day 1 is the first working day after it). Zero gives <paramref name="start"/>;
    /// a negative count goes back: -1 is the last working day before <paramref name="start"/>.
    /// </summary>
    public DateOnly AddWorkingDays(DateOnly start, int workingDays)
    {
        if (workingDays == 0)
        {
            return start;
        }

        var index = Index(start);
        var target = workingDays > 0
            ? _ordinal[index] + workingDays
            : (index == 0 ? 0 : _ordinal[index - 1]) + workingDays + 1;
        return DayWithOrdinal(target);
    }

    /// <summary>Working days in (<paramref name="from"/>, <paramref name="to"/>]: after <paramref name="from"/>,
    /// up to and including <paramref name="to"/>; negative when <paramref name="to"/> is earlier.</summary>
    public int WorkingDaysBetween(DateOnly from, DateOnly to) => _ordinal[Index(to)] - _ordinal[Index(from)];

    /// <summary>The date itself if it is a working day, otherwise the next working day.</summary>
    public DateOnly NextWorkingDayOnOrAfter(DateOnly date) =>
        IsWorkingDay(date) ? date : DayWithOrdinal(_ordinal[Index(date)] + 1);

    /// <summary>
    /// The first date from which at most <paramref name="remaining"/> working days remain until
    /// <paramref name="due"/>: the earliest d with <c>WorkingDaysBetween(d, due) &lt;= remaining</c>.
    /// </summary>
    public DateOnly FirstDayWithAtMost(DateOnly due, int remaining)
    {
        var target = _ordinal[Index(due)] - remaining;
        return target <= 0 ? Epoch : DayWithOrdinal(target);
    }

    /// <summary>The years in [from, to] whose notices are not loaded (reckoned from the law, provisionally).</summary>
    public IReadOnlyList<int> ProvisionalYears(DateOnly from, DateOnly to)
    {
        var (a, b) = from <= to ? (from.Year, to.Year) : (to.Year, from.Year);
        var missing = new List<int>();
        for (var year = a; year <= b; year++)
        {
            if (!_years.ContainsKey(year))
            {
                missing.Add(year);
            }
        }

        return missing;
    }

    /// <summary>Working days in a calendar year.</summary>
    public int WorkingDaysIn(int year) =>
        _ordinal[Index(new DateOnly(year, 12, 31))] - (year == FirstYear ? 0 : _ordinal[Index(new DateOnly(year - 1, 12, 31))]);

    private static bool IsWorking(DayKind kind) => kind is DayKind.Workday or DayKind.MakeUpWorkday;

    private static int Index(DateOnly date)
    {
        var index = date.DayNumber - EpochNumber;
        if ((uint)index >= (uint)(End.DayNumber - EpochNumber + 1))
        {
            throw new CalendarRangeException(string.Create(CultureInfo.InvariantCulture,
                $"{date:yyyy-MM-dd} is outside the range a working-day calendar covers ({Epoch:yyyy-MM-dd} to {End:yyyy-MM-dd})."));
        }

        return index;
    }

    private DateOnly DayWithOrdinal(int ordinal)
    {
        if (ordinal < 1 || ordinal > _working.Length)
        {
            throw new CalendarRangeException(string.Create(CultureInfo.InvariantCulture,
                $"The result falls outside the range a working-day calendar covers ({Epoch:yyyy-MM-dd} to {End:yyyy-MM-dd})."));
        }

        return Epoch.AddDays(_working[ordinal - 1]);
    }

    private static void ThrowIfInvalid(CalendarYear year)
    {
        var problems = year.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Calendar year {year.Year} is inconsistent: {string.Join("; ", problems)}.", nameof(year));
        }
    }
}
