using Supervision.Engine.Calendars;
using Supervision.Engine.Items;

namespace Supervision.Engine.Reports;

/// <summary>
/// The figures of one department (or workflow, plan, plan item) over a period. <see cref="Received"/>: got within the
/// period; completed on time / late and withdrawn: ended within the period; open by light: not ended by the period's
/// end, by their light then; the on-time rate is on time over all completed (null when none); working days to
/// complete count the working days after the day it was got up to the day the work was done (a reply's date, else the
/// day it ended), on the statutory calendar, their mean and 90th percentile (nearest rank) over those completed;
/// extensions, pauses, returns from review and late corrections (article 30) happened within the period.
/// </summary>
public sealed record ReportFigures
{
    public int Received { get; init; }

    public int CompletedOnTime { get; init; }

    public int CompletedLate { get; init; }

    public int Withdrawn { get; init; }

    public int OpenGreen { get; init; }

    public int OpenYellow { get; init; }

    public int OpenRed { get; init; }

    public int OpenSeriouslyOverdue { get; init; }

    public int OpenPaused { get; init; }

    public int Completed => CompletedOnTime + CompletedLate;

    public int Open => OpenGreen + OpenYellow + OpenRed;

    public double? OnTimeRate { get; init; }

    public double? AverageWorkingDays { get; init; }

    public int? P90WorkingDays { get; init; }

    public int Extensions { get; init; }

    public int Pauses { get; init; }

    public int Returns { get; init; }

    /// <summary>Corrections asked for late (after 7 working days from receipt, article 30) within the period.</summary>
    public int LateCorrections { get; init; }
}

/// <summary>A row of a report: what it is about (a department, a workflow, a plan or a plan item) and its figures.</summary>
public sealed record ReportRow(string Key, string Name, ReportFigures Figures);

/// <summary>Computes report figures from assignment records; pure, so tests can check every figure by hand.</summary>
public static class ReportCalculator
{
    public static ReportFigures Figures(IEnumerable<AssignmentRecord> records, ReportPeriod period, WorkingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(calendar);
        var list = records.ToList();
        var ended = list.Where(r => r.ClosedOn is { } c && period.Contains(c)).ToList();
        var completed = ended.Where(r => !r.Withdrawn).ToList();
        var onTime = completed.Count(r => r.Light == Light.DoneOnTime);
        var open = list.Where(r => r.StartedOn <= period.To && (r.ClosedOn is null || r.ClosedOn > period.To)).ToList();
        var durations = completed.Select(r => calendar.WorkingDaysBetween(r.StartedOn, r.DoneOn!.Value)).Order().ToList();
        return new ReportFigures
        {
            Received = list.Count(r => period.Contains(r.StartedOn)),
            CompletedOnTime = onTime,
            CompletedLate = completed.Count - onTime,
            Withdrawn = ended.Count - completed.Count,
            OpenGreen = open.Count(r => r.Light == Light.Green),
            OpenYellow = open.Count(r => r.Light == Light.Yellow),
            OpenRed = open.Count(r => r.Light == Light.Red),
            OpenSeriouslyOverdue = open.Count(r => r.Light == Light.Red && r.SeriouslyOverdue),
            OpenPaused = open.Count(r => r.Paused),
            OnTimeRate = completed.Count == 0 ? null : (double)onTime / completed.Count,
            AverageWorkingDays = durations.Count == 0 ? null : durations.Average(),
            P90WorkingDays = durations.Count == 0 ? null : durations[(int)Math.Ceiling(0.9 * durations.Count) - 1],
            Extensions = list.Sum(r => r.Extensions),
            Pauses = list.Sum(r => r.Pauses),
            Returns = list.Sum(r => r.Returns),
            LateCorrections = list.Sum(r => r.LateCorrections),
        };
    }

    /// <summary>One row per group (in key order), e.g. per department, workflow, plan or plan item.</summary>
    public static IReadOnlyList<ReportRow> By(IEnumerable<AssignmentRecord> records, Func<AssignmentRecord, (string Key, string Name)?> group, ReportPeriod period, WorkingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(group);
        return records
            .Select(r => (Group: group(r), Record: r))
            .Where(x => x.Group is not null)
            .GroupBy(x => x.Group!.Value.Key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ReportRow(g.Key, g.First().Group!.Value.Name, Figures(g.Select(x => x.Record), period, calendar)))
            .ToList();
    }
}
