using System.Globalization;
using Supervision.Engine.Import;

namespace Supervision.Host.Import;

/// <summary>A deadline as read, for the report: kind, due day, span after an event, and the words it came from.</summary>
public sealed record ReportDeadline(string Kind, string? Due, string? Limit, string? Event, string Text, Supervision.Engine.Deadlines.LimitSpan? Span = null);

/// <summary>A task row in the report: its text, units and deadline as written and as read.</summary>
public sealed record ReportTask(int Line, string Text, IReadOnlyList<string> Lead, IReadOnlyList<string> Responsible, ReportTaskDeadline Deadline);

/// <summary>A task row's deadline cell: the original words and what they were read as.</summary>
public sealed record ReportTaskDeadline(string Original, IReadOnlyList<ReportDeadline> Read, bool AwaitsEvent = false);

/// <summary>An item of the plan in the report.</summary>
public sealed record ReportItem(string Number, string Title, string Section, int Line, IReadOnlyList<string> Lead, IReadOnlyList<string> Responsible,
    IReadOnlyList<ReportDeadline> Deadlines, string? PlanText, IReadOnlyList<ReportTask> Tasks);

/// <summary>A unit the plan names that no department matches, and where it is first named.</summary>
public sealed record ReportUnit(string Name, int FirstLine);

/// <summary>A warning: where, which field, what.</summary>
public sealed record ReportWarning(int Line, string Field, string Message);

/// <summary>
/// What a plan file holds, as <c>import --dry-run --json</c> prints it and <c>POST /api/imports</c> returns it: the
/// layout read, title, year, every item with its task rows (units split, deadlines as read beside the original), the
/// units no department matches, and every warning with its line and field.
/// </summary>
public sealed record PlanReport(string File, string Layout, string? Encoding, string? Title, int Year, int TaskRows,
    IReadOnlyList<ReportItem> Items, IReadOnlyList<ReportUnit> UnknownUnits, IReadOnlyList<ReportWarning> Warnings)
{
    public static PlanReport Of(string file, PlanFileRead read, UnitDirectory units)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(units);
        var plan = read.Plan;
        return new PlanReport(
            file,
            read.Layout,
            read.Encoding,
            plan.Title,
            plan.Year,
            plan.Items.Sum(i => i.Tasks.Count),
            plan.Items.Select(i => new ReportItem(
                i.Number,
                i.Title,
                i.Section,
                i.Line,
                i.Tasks.SelectMany(t => units.Split(t.Lead)).Distinct().ToList(),
                i.Tasks.SelectMany(t => units.Split(t.Responsible)).Distinct().ToList(),
                i.Tasks.SelectMany(t => t.Deadline.Deadlines).Distinct().Select(Deadline).ToList(),
                i.PlanText,
                i.Tasks.Select(t => new ReportTask(t.Line, t.Text, units.Split(t.Lead), units.Split(t.Responsible),
                    new ReportTaskDeadline(t.Deadline.Original, t.Deadline.Deadlines.Select(Deadline).ToList(), t.Deadline.AwaitsEvent))).ToList())).ToList(),
            PlanImports.UnknownUnits(plan, units).Select(u => new ReportUnit(u.Name, u.Line)).ToList(),
            plan.Warnings.Select(w => new ReportWarning(w.Line, w.Field, w.Message)).ToList());
    }

    /// <summary>A deadline in words: the due day, the span after its event, ongoing or continuous.</summary>
    public static string Words(ReportDeadline deadline)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        return deadline.Kind switch
        {
            "dated" => deadline.Due!,
            "relative" => $"{deadline.Limit} after {deadline.Event ?? "the event"}",
            "ongoing" => "ongoing",
            _ => "continuous",
        };
    }

    private static ReportDeadline Deadline(PlanDeadline d) => new(
        d.Kind.ToString().ToLowerInvariant(),
        d.Due?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        d.Limit?.ToString(),
        d.Event,
        d.Text,
        d.Kind == DeadlineKind.Relative ? d.Limit?.Span() : null);
}
