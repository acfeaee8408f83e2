namespace Supervision.Engine.Calendars;

/// <summary>
/// A run of consecutive non-working days announced together, such as 国庆节、中秋节 2025-10-01 to 2025-10-08.
/// Weekend days inside the run are part of it; weekend days that merely adjoin it are not listed.
/// </summary>
public sealed record HolidayPeriod(string Name, string NameEn, DateOnly From, DateOnly To)
{
    /// <summary>Every day of the period, in order.</summary>
    public IEnumerable<DateOnly> Days()
    {
        for (var day = From; day <= To; day = day.AddDays(1))
        {
            yield return day;
        }
    }
}

/// <summary>
/// A weekend day worked to make up for a holiday (调休上班): a working day although it is a Saturday or Sunday.
/// <see cref="For"/> names the holiday it belongs to, for explanations.
/// </summary>
public sealed record MakeUpDay(DateOnly Date, string For);

/// <summary>
/// One year's holiday arrangement as the State Council's notice announces it: its holidays and its make-up working
/// days. A notice may name days of the neighbouring year (the 2019 notice moves 2018-12-29..31); those days are
/// applied by their date. A year is <em>loaded</em> when its notice is; a year that is not loaded is reckoned from
/// the law (<see cref="StatutoryHolidays.Provisional"/>) and is <see cref="Provisional"/>.
/// </summary>
public sealed record CalendarYear(int Year, IReadOnlyList<HolidayPeriod> Holidays, IReadOnlyList<MakeUpDay> MakeUpDays, string Source)
{
    /// <summary>True for a year reckoned from the law because its notice is not loaded: the notice may still add
    /// days off and make-up working days.</summary>
    public bool Provisional { get; init; }

    /// <summary>The longest name of a holiday (or of the holiday a make-up day is for): 国庆节、中秋节 is seven.</summary>
    public const int MaxName = 100;

    /// <summary>The longest source (the notice's title and number).</summary>
    public const int MaxSource = 1_000;

    /// <summary>Checks the year's own consistency; returns every problem found (empty when sound).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Year < WorkingCalendar.FirstYear || Year > WorkingCalendar.LastYear)
        {
            // Nothing else can be checked: the notice's reach around year 0 or 9999 is not even a date.
            problems.Add($"year {Year} is outside {WorkingCalendar.FirstYear}-{WorkingCalendar.LastYear}");
            return problems;
        }

        if (Source.Length > MaxSource)
        {
            problems.Add($"source: {Source.Length:N0} characters (at most {MaxSource:N0})");
        }

        // December of the year before to January of the year after; the last year a calendar covers ends with itself.
        var window = (From: new DateOnly(Year - 1, 12, 1), To: Year == WorkingCalendar.LastYear ? new DateOnly(Year, 12, 31) : new DateOnly(Year + 1, 1, 31));
        var holidays = new HashSet<DateOnly>();
        foreach (var period in Holidays)
        {
            if (string.IsNullOrWhiteSpace(period.Name))
            {
                problems.Add($"holiday {period.From:yyyy-MM-dd}: name is empty");
            }
            else if (period.Name.Length > MaxName || period.NameEn.Length > MaxName)
            {
                problems.Add($"holiday {period.From:yyyy-MM-dd}: a name of {Math.Max(period.Name.Length, period.NameEn.Length):N0} characters (at most {MaxName})");
            }

            if (period.To < period.From)
            {
                problems.Add($"holiday {period.Name}: ends ({period.To:yyyy-MM-dd}) before it starts ({period.From:yyyy-MM-dd})");
                continue;
            }

            if (period.From < window.From || period.To > window.To)
            {
                // Its days are not listed: a period of thousands of years would take millions (and 9999-12-31 has no next day).
                problems.Add($"holiday {period.Name} {period.From:yyyy-MM-dd}..{period.To:yyyy-MM-dd}: not within the {Year} notice's reach (December {Year - 1} to January {Year + 1})");
                continue;
            }

            foreach (var day in period.Days())
            {
                if (!holidays.Add(day))
                {
                    problems.Add($"holiday {period.Name}: {day:yyyy-MM-dd} is listed twice");
                }
            }
        }

        var makeUps = new HashSet<DateOnly>();
        foreach (var makeUp in MakeUpDays)
        {
            if (makeUp.For.Length > MaxName)
            {
                problems.Add($"make-up working day {makeUp.Date:yyyy-MM-dd}: a holiday name of {makeUp.For.Length:N0} characters (at most {MaxName})");
            }

            if (holidays.Contains(makeUp.Date))
            {
                problems.Add($"{makeUp.Date:yyyy-MM-dd} is listed both as a holiday and as a make-up working day");
            }

            if (!makeUps.Add(makeUp.Date))
            {
                problems.Add($"make-up working day {makeUp.Date:yyyy-MM-dd} is listed twice");
            }

            if (makeUp.Date < window.From || makeUp.Date > window.To)
            {
                problems.Add($"make-up working day {makeUp.Date:yyyy-MM-dd}: not within the {Year} notice's reach");
            }
        }

        return problems;
    }
}
