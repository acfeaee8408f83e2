using System.Globalization;
using System.Text.Json;
using Supervision.Engine.Calendars;
using Supervision.Engine.Items;

namespace Supervision.Engine.Reports;

/// <summary>What a scoring rule counts.</summary>
public enum ScoreEvent
{
    /// <summary>Completed late within the period, or open and red at its end (each assignment once).</summary>
    Overdue,

    /// <summary>Open and seriously overdue at the period's end.</summary>
    SeriouslyOverdue,

    /// <summary>Completed on time within the period.</summary>
    OnTime,

    /// <summary>Completed within the period at least N working days before its due day.</summary>
    Early,

    /// <summary>Returned from review within the period (each return).</summary>
    Returned,
}

/// <summary>
/// A scoring rule: for each assignment of <see cref="Kind"/> (null: any) that the <see cref="Event"/> counts — overdue
/// by more than <see cref="MoreThanWorkingDays"/>, early by at least <see cref="AtLeastWorkingDays"/> — add
/// <see cref="Points"/> (negative to deduct), the rule's total kept within <see cref="Limit"/> when given.
/// </summary>
public sealed record ScoreRule(string Id, string DescriptionZh, string DescriptionEn, ScoreEvent Event, ItemKind? Kind, double Points,
    int MoreThanWorkingDays = 0, int AtLeastWorkingDays = 1, double? Limit = null);

/// <summary>Assessment rules (考核细则) as data: a starting score, rules, and the range a score is kept in.</summary>
public sealed record ScoringRules(string Name, double Start, double Floor, double Ceiling, IReadOnlyList<ScoreRule> Rules);

/// <summary>A scoring file that cannot be used; every problem with its JSON path.</summary>
public sealed class ScoringRulesException(string file, IReadOnlyList<string> problems)
    : Exception($"{file}: {string.Join(Environment.NewLine + "  ", problems.Prepend(string.Empty)).TrimStart()}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>How one rule scored: how many it counted and the points it gave (after its limit).</summary>
public sealed record ScoreLine(string Rule, string DescriptionZh, string DescriptionEn, int Count, double Points);

/// <summary>A department's score: the start, each rule's line, and the total kept within floor and ceiling.</summary>
public sealed record Score(double Start, IReadOnlyList<ScoreLine> Lines, double Total);

/// <summary>
/// Reads scoring rules (<c>seeds/scoring/*.json</c>, schema beside them) and scores a department's assignments over a
/// period. Working days overdue count from the due day to the day it ended (or the period's end while open); working
/// days early from the day it ended to the due day; both on the statutory calendar.
/// </summary>
public static class Scoring
{
    private static readonly Dictionary<string, ScoreEvent> Events = new(StringComparer.Ordinal)
    {
        ["overdue"] = ScoreEvent.Overdue,
        ["seriously-overdue"] = ScoreEvent.SeriouslyOverdue,
        ["on-time"] = ScoreEvent.OnTime,
        ["early"] = ScoreEvent.Early,
        ["returned"] = ScoreEvent.Returned,
    };

    public static Score Score(IEnumerable<AssignmentRecord> records, ReportPeriod period, WorkingCalendar calendar, ScoringRules rules)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(rules);
        var list = records.ToList();
        var lines = new List<ScoreLine>();
        foreach (var rule in rules.Rules)
        {
            var mine = list.Where(r => rule.Kind is null || r.Kind == rule.Kind).ToList();
            var count = rule.Event switch
            {
                ScoreEvent.Overdue => mine.Count(r => OverdueDays(r, period, calendar) is { } days && days > rule.MoreThanWorkingDays),
                ScoreEvent.SeriouslyOverdue => mine.Count(r => OpenAtEnd(r, period) && r.Light == Light.Red && r.SeriouslyOverdue),
                ScoreEvent.OnTime => mine.Count(r => Completed(r, period) && r.Light == Light.DoneOnTime),
                ScoreEvent.Early => mine.Count(r => Completed(r, period) && r.DueOn is { } due && r.DoneOn < due
                    && calendar.WorkingDaysBetween(r.DoneOn!.Value, due) >= rule.AtLeastWorkingDays),
                ScoreEvent.Returned => mine.Sum(r => r.Returns),
                _ => 0,
            };
            var points = count * rule.Points;
            if (rule.Limit is { } limit)
            {
                points = Math.Clamp(points, -Math.Abs(limit), Math.Abs(limit));
            }

            lines.Add(new ScoreLine(rule.Id, rule.DescriptionZh, rule.DescriptionEn, count, points));
        }

        return new Score(rules.Start, lines, Math.Clamp(rules.Start + lines.Sum(l => l.Points), rules.Floor, rules.Ceiling));
    }

    /// <summary>
    /// Working days past its due day: for one completed late within the period, to the day it ended; for one open at the
    /// period's end and due before it, to the period's end; otherwise null (not overdue in this period).
    /// </summary>
    public static int? OverdueDays(AssignmentRecord record, ReportPeriod period, WorkingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(calendar);
        if (record.DueOn is not { } due)
        {
            return null;
        }

        if (Completed(record, period) && record.Light == Light.DoneLate)
        {
            return Math.Max(1, calendar.WorkingDaysBetween(due, record.DoneOn!.Value));
        }

        return OpenAtEnd(record, period) && record.Light == Light.Red && due < period.To ? Math.Max(1, calendar.WorkingDaysBetween(due, period.To)) : null;
    }

    private static bool Completed(AssignmentRecord r, ReportPeriod period) => r.ClosedOn is { } c && period.Contains(c) && !r.Withdrawn;

    private static bool OpenAtEnd(AssignmentRecord r, ReportPeriod period) => r.StartedOn <= period.To && (r.ClosedOn is null || r.ClosedOn > period.To);

    /// <summary>Reads a scoring file; every problem is reported at once with its JSON path.</summary>
    public static ScoringRules Parse(string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ScoringRulesException(file, [$"not valid JSON (line {e.LineNumber + 1}): {e.Message}"]);
        }

        using (document)
        {
            var problems = new List<string>();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ScoringRulesException(file, ["$: not an object"]);
            }

            var name = String(root, "name", "$", problems, required: true) ?? string.Empty;
            var start = Number(root, "start", "$", problems) ?? 100;
            var floor = Number(root, "floor", "$", problems) ?? double.MinValue;
            var ceiling = Number(root, "ceiling", "$", problems) ?? double.MaxValue;
            if (floor > ceiling)
            {
                problems.Add("$.floor: above $.ceiling");
            }

            var rules = new List<ScoreRule>();
            if (!root.TryGetProperty("rules", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                problems.Add("$.rules: missing or not an array");
            }
            else
            {
                var ids = new HashSet<string>(StringComparer.Ordinal);
                var index = 0;
                foreach (var rule in list.EnumerateArray())
                {
                    var path = $"$.rules[{index++}]";
                    if (rule.ValueKind != JsonValueKind.Object)
                    {
                        problems.Add($"{path}: not an object");
                        continue;
                    }

                    var id = String(rule, "id", path, problems, required: true);
                    if (id is not null && !ids.Add(id))
                    {
                        problems.Add($"{path}.id: '{id}' is used twice");
                    }

                    string? zh = null, en = null;
                    if (rule.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.Object)
                    {
                        zh = String(description, "zh", path + ".description", problems, required: true);
                        en = String(description, "en", path + ".description", problems, required: false);
                    }
                    else
                    {
                        problems.Add($"{path}.description: missing (an object with zh and en)");
                    }

                    var when = String(rule, "when", path, problems, required: true);
                    ScoreEvent? scoreEvent = when is null ? null : Events.TryGetValue(when, out var e) ? e : null;
                    if (when is not null && scoreEvent is null)
                    {
                        problems.Add($"{path}.when: '{when}' is not one of {string.Join(", ", Events.Keys)}");
                    }

                    var kindText = String(rule, "kind", path, problems, required: false);
                    ItemKind? kind = kindText switch
                    {
                        null => null,
                        "request" => ItemKind.Request,
                        "task" => ItemKind.Task,
                        _ => null,
                    };
                    if (kindText is not null and not ("request" or "task"))
                    {
                        problems.Add($"{path}.kind: '{kindText}' is not request or task");
                    }

                    var points = Number(rule, "points", path, problems);
                    if (points is null)
                    {
                        problems.Add($"{path}.points: required (negative to deduct)");
                    }

                    var more = Whole(rule, "moreThanWorkingDays", path, problems) ?? 0;
                    var least = Whole(rule, "atLeastWorkingDays", path, problems) ?? 1;
                    var limit = Number(rule, "limit", path, problems);
                    if (id is not null && zh is not null && scoreEvent is not null && points is not null)
                    {
                        rules.Add(new ScoreRule(id, zh, en ?? zh, scoreEvent.Value, kind, points.Value, more, least, limit));
                    }
                }
            }

            if (problems.Count > 0)
            {
                throw new ScoringRulesException(file, problems);
            }

            return new ScoringRules(name, start, floor, ceiling, rules);
        }
    }

    private static string? String(JsonElement parent, string property, string path, List<string> problems, bool required)
    {
        if (!parent.TryGetProperty(property, out var value))
        {
            if (required)
            {
                problems.Add($"{path}.{property}: required");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString()!.Trim().Length == 0)
        {
            problems.Add($"{path}.{property}: not a non-empty string");
            return null;
        }

        return value.GetString()!.Trim();
    }

    private static double? Number(JsonElement parent, string property, string path, List<string> problems)
    {
        if (!parent.TryGetProperty(property, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || double.IsInfinity(number) || Math.Abs(number) > 1_000_000)
        {
            problems.Add($"{path}.{property}: not a number within ±1,000,000");
            return null;
        }

        return number;
    }

    private static int? Whole(JsonElement parent, string property, string path, List<string> problems)
    {
        if (!parent.TryGetProperty(property, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number is < 0 or > 3660)
        {
            problems.Add($"{path}.{property}: not a whole number of working days from 0 to 3660");
            return null;
        }

        return number;
    }

    /// <summary>A score's number as shown: up to two decimals, invariant.</summary>
    public static string Format(double score) => score.ToString("0.##", CultureInfo.InvariantCulture);
}
