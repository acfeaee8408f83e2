using System.Globalization;
using System.Text.Json;

namespace Supervision.Engine.Calendars;

/// <summary>
/// A calendar file that cannot be used; <see cref="Problems"/> lists every problem with its JSON path, the message the
/// first <see cref="MaxListed"/> (a file of ten thousand bad days should not answer with ten thousand lines).
/// </summary>
public sealed class CalendarFileException(string file, IReadOnlyList<string> problems)
    : Exception($"{file}: {string.Join(Environment.NewLine + "  ", Listed(problems).Prepend(string.Empty)).TrimStart()}")
{
    public const int MaxListed = 20;

    public string File { get; } = file;

    public IReadOnlyList<string> Problems { get; } = problems;

    private static IEnumerable<string> Listed(IReadOnlyList<string> problems) =>
        problems.Count <= MaxListed ? problems : problems.Take(MaxListed).Append($"… and {problems.Count - MaxListed:N0} more problems");
}

/// <summary>
/// Reads and writes the calendar file format of <c>seeds/calendar/</c> (described by <c>calendar.schema.json</c>
/// there). Reading reports every problem at once, each with the JSON path where it was found.
/// </summary>
public static class CalendarFile
{
    /// <summary>Reads a whole calendar file.</summary>
    public static WorkingCalendar Parse(string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        var problems = new List<string>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new CalendarFileException(file, [$"not valid JSON (line {e.LineNumber + 1}): {e.Message}"]);
        }

        using (document)
        {
            var root = document.RootElement;
            var name = root.TryGetProperty("calendar", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : null;
            if (name is null)
            {
                problems.Add("$.calendar: missing (the calendar's name, e.g. \"cn-statutory\")");
            }

            var years = new List<CalendarYear>();
            if (!root.TryGetProperty("years", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                problems.Add("$.years: missing or not an array");
            }
            else
            {
                var index = 0;
                foreach (var element in list.EnumerateArray())
                {
                    var year = ReadYear(element, $"$.years[{index}]", problems);
                    if (year is not null)
                    {
                        if (years.Any(y => y.Year == year.Year))
                        {
                            problems.Add($"$.years[{index}].year: {year.Year} is given twice");
                        }
                        else
                        {
                            years.Add(year);
                        }
                    }

                    index++;
                }
            }

            if (problems.Count > 0)
            {
                throw new CalendarFileException(file, problems);
            }

            return WorkingCalendar.Create(name!, years);
        }
    }

    /// <summary>Reads one year as the API and the command line receive it (the object of one <c>years</c> entry).</summary>
    public static CalendarYear ParseYear(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        var problems = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(json);
            var year = ReadYear(document.RootElement, "$", problems);
            if (problems.Count > 0 || year is null)
            {
                throw new CalendarFileException(source, problems);
            }

            return year;
        }
        catch (JsonException e)
        {
            throw new CalendarFileException(source, [$"not valid JSON (line {e.LineNumber + 1}): {e.Message}"]);
        }
    }

    /// <summary>Writes one year in the file format.</summary>
    public static string FormatYear(CalendarYear year)
    {
        ArgumentNullException.ThrowIfNull(year);
        var shape = new
        {
            year = year.Year,
            source = year.Source,
            holidays = year.Holidays.Select(h => new { name = h.Name, nameEn = h.NameEn, from = Day(h.From), to = Day(h.To) }),
            makeUpDays = year.MakeUpDays.Select(m => new { date = Day(m.Date), @for = m.For }),
        };
        return JsonSerializer.Serialize(shape, WriteOptions);
    }

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static CalendarYear? ReadYear(JsonElement element, string path, List<string> problems)
    {
        var before = problems.Count;
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}: expected an object with year, holidays and makeUpDays");
            return null;
        }

        int number = 0;
        if (!element.TryGetProperty("year", out var y) || y.ValueKind != JsonValueKind.Number || !y.TryGetInt32(out number))
        {
            problems.Add($"{path}.year: missing or not a whole number");
        }

        var source = element.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : string.Empty;
        var holidays = new List<HolidayPeriod>();
        var makeUps = new List<MakeUpDay>();
        if (!element.TryGetProperty("holidays", out var hs) || hs.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{path}.holidays: missing or not an array");
        }
        else
        {
            var i = 0;
            foreach (var h in hs.EnumerateArray())
            {
                var at = $"{path}.holidays[{i++}]";
                var name = Text(h, "name", at, problems);
                var from = Date(h, "from", at, problems);
                var to = Date(h, "to", at, problems);
                var en = h.ValueKind == JsonValueKind.Object && h.TryGetProperty("nameEn", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : name ?? string.Empty;
                if (name is not null && from is not null && to is not null)
                {
                    holidays.Add(new HolidayPeriod(name, en, from.Value, to.Value));
                }
            }
        }

        if (!element.TryGetProperty("makeUpDays", out var ms) || ms.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{path}.makeUpDays: missing or not an array");
        }
        else
        {
            var i = 0;
            foreach (var m in ms.EnumerateArray())
            {
                var at = $"{path}.makeUpDays[{i++}]";
                var date = Date(m, "date", at, problems);
                var @for = Text(m, "for", at, problems);
                if (date is not null && @for is not null)
                {
                    makeUps.Add(new MakeUpDay(date.Value, @for));
                }
            }
        }

        if (problems.Count > before)
        {
            return null;
        }

        var year = new CalendarYear(number, holidays, makeUps, source);
        foreach (var problem in year.Validate())
        {
            problems.Add($"{path}: {problem}");
        }

        return problems.Count > before ? null : year;
    }

    private static string? Text(JsonElement element, string property, string path, List<string> problems)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(value.GetString()))
        {
            return value.GetString()!.Trim();
        }

        problems.Add($"{path}.{property}: missing or empty");
        return null;
    }

    private static DateOnly? Date(JsonElement element, string property, string path, List<string> problems)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        problems.Add($"{path}.{property}: missing or not a date (yyyy-MM-dd)");
        return null;
    }
}
