using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Supervision.Engine.Calendars;
using Supervision.Host.Calendars;
using Supervision.Host.People;
using Supervision.Host.Storage;

namespace Supervision.Host.Cli;

/// <summary>
/// <c>calendar notice FILE [--json] [--apply --as LOGIN]</c>: the State Council's holiday notice read from its text,
/// every day off and make-up working day listed, and on request stored as that year (recomputing open items).
/// <c>calendar show YEAR [--json]</c>: a year as deadlines count it, and where it comes from.
/// </summary>
internal static class CalendarCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly string[] ZhWeekdays = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("calendar", "The statutory working-day calendar: read the State Council's holiday notice, show a year.");
        command.Subcommands.Add(Notice(output, error));
        command.Subcommands.Add(Show(output, error));
        return command;
    }

    private static Command Notice(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The notice: a .txt (UTF-8 or GB18030) or .docx file." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: year, title, holidays and workdays day by day, sections." };
        var apply = new Option<bool>("--apply") { Description = "Store it as that year's arrangement and recompute open items." };
        var actor = new Option<string?>("--as") { Description = "The administrator storing it (recorded with the year)." };
        var command = new Command("notice", "Read a State Council holiday notice (国务院办公厅关于20XX年部分节假日安排的通知) and list its every day off and make-up working day; changes nothing unless --apply.")
        {
            file, json, apply, actor,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (parse.GetValue(apply) && string.IsNullOrWhiteSpace(parse.GetValue(actor)))
            {
                error.WriteLine("error: --as: required with --apply (the administrator storing the year)");
                return 2;
            }

            if (!parse.GetValue(apply) && parse.GetValue(actor) is not null)
            {
                error.WriteLine("error: --as: only with --apply");
                return 2;
            }

            HolidayNotice notice;
            try
            {
                notice = NoticeFiles.Read(await File.ReadAllBytesAsync(path, ct), path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: {path}: {e.Message}");
                return 2;
            }
            catch (InvalidDataException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 2;
            }
            catch (HolidayNoticeException e)
            {
                // Every problem, each with the file and line, so a person can find it in the notice.
                error.WriteLine($"error: {path}: the notice cannot be read exactly; nothing was stored");
                foreach (var problem in e.Problems.Take(HolidayNoticeException.MaxListed))
                {
                    error.WriteLine(problem.Line > 0 ? $"  {path}:{problem.Line}: {problem.Message}" : $"  {path}: {problem.Message}");
                }

                if (e.Problems.Count > HolidayNoticeException.MaxListed)
                {
                    error.WriteLine($"  … and {e.Problems.Count - HolidayNoticeException.MaxListed} more problems");
                }

                return 2;
            }

            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(NoticeFiles.Describe(notice), Json));
            }
            else
            {
                WriteNotice(output, notice);
            }

            if (!parse.GetValue(apply))
            {
                return 0;
            }

            return await Cli.WithMigratedServicesAsync(error, async services =>
            {
                var login = parse.GetValue(actor)!;
                var user = await services.GetRequiredService<UserStore>().FindByLoginAsync(login, ct);
                if (user is null || !user.Active || user.Role != "admin")
                {
                    error.WriteLine(user is null ? $"error: --as: no user '{login}'" : $"error: --as: '{login}' is not an active administrator; only an administrator stores a calendar year");
                    return 2;
                }

                var admin = await services.GetRequiredService<Supervision.Host.People.Actors>().ForAsync(login, ct);
                var change = await services.GetRequiredService<Mediator.ISender>().Send(new StoreCalendarYear(admin, notice.ToCalendarYear()), ct);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Stored {notice.Year} as calendar version {change.Version} (by {login}): {change.ChangedDates.Count} dates changed; {change.ItemsRecomputed} open items recomputed, {change.DueDaysMoved} due days moved, {change.LightsChanged} lights changed."));
                return 0;
            });
        });
        return command;
    }

    private static Command Show(TextWriter output, TextWriter error)
    {
        var year = new Argument<int>("year") { Description = "The year (2000-2099)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: year, source, holidays and workdays day by day, periods." };
        var command = new Command("show", "Show a year as deadlines count it: its days off and make-up working days, and where they come from (shipped, stored by whom and when, or provisional from the law).")
        {
            year, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var number = parse.GetValue(year);
            if (number is < WorkingCalendar.FirstYear or > WorkingCalendar.LastYear)
            {
                error.WriteLine($"error: year: {number} is outside {WorkingCalendar.FirstYear}-{WorkingCalendar.LastYear}");
                return 2;
            }

            var inForce = await CalendarInForce.ReadAsync(error, ct);
            if (inForce is null)
            {
                return 2;
            }

            var (calendar, stored) = inForce.Value;
            var found = calendar.YearInForce(number)!;
            var source = CalendarYearSource.Of(calendar, number, stored);
            var days = Enumerable.Range(0, DateTime.IsLeapYear(number) ? 366 : 365).Select(i => new DateOnly(number, 1, 1).AddDays(i)).ToList();
            var offOnWeekdays = days.Where(d => !IsWeekend(d) && !calendar.IsWorkingDay(d)).ToList();
            var holidays = found.Holidays.SelectMany(h => h.Days()).Order().ToList();
            var workdays = found.MakeUpDays.Select(m => m.Date).Order().ToList();
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    year = number,
                    source = new { kind = source.Kind, storedBy = source.StoredBy, storedAt = source.StoredAt, title = found.Source },
                    provisional = source.Kind == "provisional",
                    holidays = holidays.Select(Day),
                    workdays = workdays.Select(Day),
                    periods = found.Holidays.Select(h => new { name = h.Name, nameEn = h.NameEn, from = Day(h.From), to = Day(h.To) }),
                    workingDays = calendar.WorkingDaysIn(number),
                }, Json));
                return 0;
            }

            output.WriteLine(source.Kind switch
            {
                "stored" => string.Create(CultureInfo.InvariantCulture, $"{number}: stored by {source.StoredBy} at {source.StoredAt:yyyy-MM-dd HH:mm}Z — {found.Source}"),
                "provisional" => $"{number}: PROVISIONAL — the State Council's notice is not loaded; reckoned from the law on public holidays (全国年节及纪念日放假办法). Load it with: calendar notice FILE --apply --as LOGIN",
                _ => $"{number}: shipped with the product (seeds/calendar) — {found.Source}",
            });
            foreach (var period in found.Holidays)
            {
                output.WriteLine($"  {period.Name} ({period.NameEn}): {Described(period.From)}{(period.To == period.From ? string.Empty : " .. " + Described(period.To))}");
            }

            foreach (var makeUp in found.MakeUpDays.OrderBy(m => m.Date))
            {
                output.WriteLine($"  上班 (make-up working day) for {makeUp.For}: {Described(makeUp.Date)}");
            }

            output.WriteLine($"Days off on weekdays ({offOnWeekdays.Count}): {string.Join(", ", offOnWeekdays.Select(Day))}");
            output.WriteLine($"Weekend days worked ({workdays.Count}): {(workdays.Count == 0 ? "none" : string.Join(", ", workdays.Select(Day)))}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Working days in {number}: {calendar.WorkingDaysIn(number)}"));
            return 0;
        });
        return command;
    }

    private static void WriteNotice(TextWriter output, HolidayNotice notice)
    {
        output.WriteLine(notice.Source);
        foreach (var section in notice.Sections)
        {
            var length = section.To.DayNumber - section.From.DayNumber + 1;
            var range = length == 1 ? Described(section.From) : $"{Described(section.From)} .. {Described(section.To)}";
            var worked = section.Workdays.Count == 0 ? string.Empty : $"; worked: {string.Join(", ", section.Workdays.Select(Described))}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {section.Name} ({section.NameEn}): {range}, {length} day{(length == 1 ? string.Empty : "s")} off{worked}"));
        }

        output.WriteLine($"Holidays ({notice.Holidays.Count}): {string.Join(", ", notice.Holidays.Select(Day))}");
        output.WriteLine($"Make-up working days ({notice.Workdays.Count}): {(notice.Workdays.Count == 0 ? "none" : string.Join(", ", notice.Workdays.Select(Day)))}");
    }

    private static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Described(DateOnly day) => $"{Day(day)}（{ZhWeekdays[(int)day.DayOfWeek]}）";
}

/// <summary>
/// The calendar the server uses, read for a command: the shipped file plus the years stored in the database
/// <c>SUPERVISION_DB</c> names, with who stored each. A database that does not exist yet is not created; one that
/// cannot be read (or is not migrated) is warned about and the shipped calendar used.
/// </summary>
internal static class CalendarInForce
{
    /// <summary>The calendar in force and who stored which year when; null (after an error line) when the settings are wrong.</summary>
    public static async Task<(WorkingCalendar Calendar, IReadOnlyDictionary<int, (string By, DateTimeOffset At)> Stored)?> ReadAsync(TextWriter error, CancellationToken cancellationToken)
    {
        ShippedCalendar shipped;
        DatabaseSettings settings;
        try
        {
            shipped = new ShippedCalendar(null);
            settings = DatabaseSettings.Parse(Environment.GetEnvironmentVariable(DatabaseSettings.EnvironmentVariable));
        }
        catch (Exception e) when (e is CalendarFileException or InvalidOperationException or DatabaseSettingsException)
        {
            error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
            return null;
        }

        var none = new Dictionary<int, (string, DateTimeOffset)>();
        if (settings.Provider == DatabaseProvider.Sqlite && !File.Exists(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.ConnectionString).DataSource))
        {
            return (shipped.Calendar, none);
        }

        await using var database = new Database(settings);
        try
        {
            if (!(await new Migrator(database, TimeProvider.System).GetStatusAsync(cancellationToken)).IsCurrent)
            {
                error.WriteLine($"warning: {settings.Describe()} is not migrated; calendar years stored there were not read");
                return (shipped.Calendar, none);
            }

            var calendar = await CalendarService.ReadStoredAsync(database, shipped, cancellationToken);
            var rows = await new CalendarStore(database).StoredYearsByWhomAsync(shipped.Calendar.Name, cancellationToken);
            return (calendar, rows.ToDictionary(r => (int)r.Year, r => (r.ChangedBy, r.ChangedAt)));
        }
        catch (System.Data.Common.DbException e)
        {
            error.WriteLine($"warning: {settings.Describe()} could not be read ({e.Message.ReplaceLineEndings(" ")}); calendar years stored there were not read");
            return (shipped.Calendar, none);
        }
    }
}
