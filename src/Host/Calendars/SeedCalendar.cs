using Supervision.Engine.Calendars;

namespace Supervision.Host.Calendars;

/// <summary>The statutory calendar shipped in seeds/calendar/, beside the executable.</summary>
public static class SeedCalendar
{
    /// <summary>The file's path: seeds/calendar/cn-statutory.json under the program's folder.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "seeds", "calendar", "cn-statutory.json");

    /// <summary>Reads a calendar file; a missing or broken file is a <see cref="CalendarFileException"/> naming it.</summary>
    public static WorkingCalendar Load(string? path = null)
    {
        var file = path ?? DefaultPath;
        if (!File.Exists(file))
        {
            throw new CalendarFileException(file, ["file not found"]);
        }

        return CalendarFile.Parse(File.ReadAllText(file), file);
    }
}

/// <summary>The calendar file the program ships (or <c>Supervision:CalendarFile</c> names), read once.</summary>
public sealed class ShippedCalendar(string? path)
{
    private readonly Lazy<WorkingCalendar> _calendar = new(() => SeedCalendar.Load(path));

    public WorkingCalendar Calendar => _calendar.Value;
}
