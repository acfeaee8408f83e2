using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Supervision.Engine.Calendars;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Host.Calendars;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Cli;

/// <summary>
/// <c>deadline --start 2025-09-26 --working-days 20 [--json] [--explain]</c>: the due day (or instant) a limit gives
/// on the statutory calendar, with its explanation on request.
/// </summary>
internal static class DeadlineCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var start = new Option<string>("--start") { Description = "Start day (yyyy-MM-dd, not counted) or, for hours and minutes, local time yyyy-MM-ddTHH:mm.", Required = true };
        var workingDays = new Option<int?>("--working-days") { Description = "N working days after the start day." };
        var calendarDays = new Option<int?>("--calendar-days") { Description = "N calendar days after the start day (moves off a non-working due day)." };
        var months = new Option<int?>("--months") { Description = "N months after the start day." };
        var hours = new Option<int?>("--hours") { Description = "N hours after the start instant." };
        var minutes = new Option<int?>("--minutes") { Description = "N minutes after the start instant." };
        var limit = new Option<string?>("--limit") { Description = "Any limit in the definitions' notation, e.g. '15 calendar days no roll', 'month-end 2026-09'." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: due, dueEnd, provisionalYears, warnings, explanation." };
        var explain = new Option<bool>("--explain") { Description = "Print how the due day was reached." };
        var english = new Option<bool>("--english") { Description = "Explain in English instead of Chinese." };
        var calendarFile = new Option<string?>("--calendar") { Description = "A calendar file other than the shipped seeds/calendar/cn-statutory.json." };
        var command = new Command("deadline", "Compute a due day on the statutory working-day calendar.")
        {
            start, workingDays, calendarDays, months, hours, minutes, limit, json, explain, english, calendarFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var given = new (string Name, TimeLimit? Limit)[]
            {
                ("--working-days", Amount(parse.GetValue(workingDays), n => new TimeLimit.WorkingDays(n))),
                ("--calendar-days", Amount(parse.GetValue(calendarDays), n => new TimeLimit.CalendarDays(n))),
                ("--months", Amount(parse.GetValue(months), n => new TimeLimit.Months(n))),
                ("--hours", Amount(parse.GetValue(hours), n => new TimeLimit.Duration(TimeSpan.FromHours(n)))),
                ("--minutes", Amount(parse.GetValue(minutes), n => new TimeLimit.Duration(TimeSpan.FromMinutes(n)))),
            }.Where(g => g.Limit is not null).ToList();
            var limitText = parse.GetValue(limit);
            if (limitText is not null)
            {
                if (!TimeLimit.TryParse(limitText, out var parsedLimit, out var reason))
                {
                    return Fail(error, $"--limit: {reason}");
                }

                given.Add(("--limit", parsedLimit));
            }

            foreach (var (name, value) in new[] { ("--working-days", parse.GetValue(workingDays)), ("--calendar-days", parse.GetValue(calendarDays)), ("--months", parse.GetValue(months)), ("--hours", parse.GetValue(hours)), ("--minutes", parse.GetValue(minutes)) })
            {
                if (value is <= 0)
                {
                    return Fail(error, $"{name} must be a positive whole number; got {value}.");
                }
            }

            if (given.Count != 1)
            {
                return Fail(error, "give exactly one limit: --working-days, --calendar-days, --months, --hours, --minutes or --limit.");
            }

            var theLimit = given[0].Limit!;
            OfficeTimeZone zone;
            WorkingCalendar calendar;
            try
            {
                zone = OfficeTimeZone.Resolve(Environment.GetEnvironmentVariable("SUPERVISION_TIMEZONE"));
                if (parse.GetValue(calendarFile) is { } file)
                {
                    calendar = SeedCalendar.Load(file);
                }
                else if (await CalendarInForce.ReadAsync(error, cancellationToken) is { } inForce)
                {
                    calendar = inForce.Calendar;
                }
                else
                {
                    return 2;
                }
            }
            catch (Exception e) when (e is CalendarFileException or InvalidOperationException or DatabaseSettingsException)
            {
                return Fail(error, e.Message.ReplaceLineEndings(" "));
            }

            var startText = parse.GetValue(start)!;
            if (!TryStart(startText, theLimit, zone.Zone, out var startDay, out var startAt))
            {
                return Fail(error, $"--start: '{startText}' is not a day (yyyy-MM-dd){(theLimit.IsDayBased ? string.Empty : " or a local time (yyyy-MM-ddTHH:mm)")}.");
            }

            var context = new ClockContext(calendar, zone.Zone);
            ClockState state;
            Explanation explanation;
            try
            {
                (state, explanation) = Clock.Explain([new ClockEvent.Started(startAt, startDay, theLimit)], context);
            }
            catch (CalendarRangeException e)
            {
                return Fail(error, e.Message);
            }

            var due = state.DueDay is { } day ? day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : state.DueAt!.Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var warnings = state.ProvisionalYears.Select(y => $"the {y} holiday arrangement is not loaded: {y} is reckoned from the law on public holidays (provisional; load the State Council's notice with: calendar notice FILE --apply)").ToList();
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    start = startDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    limit = theLimit.ToString(),
                    due,
                    dueEnd = state.DueEnd,
                    timeZone = zone.Id,
                    calendar = new { name = calendar.Name, version = calendar.Version, loadedYears = calendar.LoadedYears },
                    provisionalYears = state.ProvisionalYears,
                    warnings,
                    explanation = new { zh = explanation.ToChinese(), en = explanation.ToEnglish(), steps = explanation.Steps },
                }, Json));
                return 0;
            }

            output.WriteLine(due);
            if (parse.GetValue(explain))
            {
                output.WriteLine(parse.GetValue(english) ? explanation.ToEnglish() : explanation.ToChinese());
            }

            foreach (var warning in warnings)
            {
                error.WriteLine($"warning: {warning}");
            }

            return 0;
        });
        return command;
    }

    private static TimeLimit? Amount(int? value, Func<int, TimeLimit> make) => value is > 0 ? make(value.Value) : null;

    private static int Fail(TextWriter error, string reason)
    {
        error.WriteLine($"error: {reason}");
        return 2;
    }

    private static bool TryStart(string text, TimeLimit limit, TimeZoneInfo zone, out DateOnly day, out DateTimeOffset at)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            var local = day.ToDateTime(TimeOnly.MinValue);
            at = new DateTimeOffset(local, zone.GetUtcOffset(local));
            return true;
        }

        if (!limit.IsDayBased && DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var localTime))
        {
            at = new DateTimeOffset(localTime, zone.GetUtcOffset(localTime));
            day = DateOnly.FromDateTime(localTime);
            return true;
        }

        if (!limit.IsDayBased && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out at) && text.Contains('T', StringComparison.Ordinal))
        {
            day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
            return true;
        }

        day = default;
        at = default;
        return false;
    }
}
