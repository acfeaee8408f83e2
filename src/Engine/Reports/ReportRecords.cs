using Supervision.Engine.Items;

namespace Supervision.Engine.Reports;

/// <summary>A reporting period: office days from <see cref="From"/> to <see cref="To"/>, both included.</summary>
public sealed record ReportPeriod
{
    public ReportPeriod(DateOnly from, DateOnly to)
    {
        if (to < from)
        {
            throw new ArgumentException($"the period ends ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd})", nameof(to));
        }

        if (to.DayNumber - from.DayNumber > 3660)
        {
            throw new ArgumentException("a period is at most ten years", nameof(to));
        }

        (From, To) = (from, to);
    }

    public DateOnly From { get; }

    public DateOnly To { get; }

    /// <summary>The calendar month holding <paramref name="day"/>.</summary>
    public static ReportPeriod MonthOf(DateOnly day) => new(new DateOnly(day.Year, day.Month, 1), new DateOnly(day.Year, day.Month, 1).AddMonths(1).AddDays(-1));

    public bool Contains(DateOnly day) => day >= From && day <= To;

    public override string ToString() => $"{From:yyyy-MM-dd}..{To:yyyy-MM-dd}";
}

/// <summary>
/// One department's share of an item, as the reports count it: what it is (kind, workflow, plan and plan item), when
/// the department got it (a request's receipt day; a task's assigning day), its deadline, when and how it ended (and the
/// day the work was done, a reply's date), its light at the period's end if still open then, and what happened to it
/// within the period (extensions, pauses, returns from review, late corrections).
/// </summary>
public sealed record AssignmentRecord
{
    public required long ItemId { get; init; }

    public required long AssignmentId { get; init; }

    public required ItemKind Kind { get; init; }

    public required string Definition { get; init; }

    public string? Plan { get; init; }

    public string? PlanItem { get; init; }

    public required long DepartmentId { get; init; }

    public required DateOnly StartedOn { get; init; }

    /// <summary>The due day (for exact-time deadlines, the office day of the instant); null for ongoing work.</summary>
    public DateOnly? DueOn { get; init; }

    /// <summary>The office day it ended (was recorded as ended), or null while open.</summary>
    public DateOnly? ClosedOn { get; init; }

    /// <summary>The office day the work was done: the day its closing event names (a reply's date, entered later),
    /// else <see cref="ClosedOn"/>. Working days taken and days late are counted to it.</summary>
    public DateOnly? DoneOn
    {
        get => _doneOn ?? ClosedOn;
        init => _doneOn = value;
    }

    private readonly DateOnly? _doneOn;

    /// <summary>How it ended: <c>completed</c> (or a workflow's own result), <c>withdrawn</c>; null while open.</summary>
    public string? Result { get; init; }

    /// <summary>Its final light when closed; when open at the period's end, its light then.</summary>
    public required Light Light { get; init; }

    public bool SeriouslyOverdue { get; init; }

    public bool Paused { get; init; }

    public int Extensions { get; init; }

    public int Pauses { get; init; }

    public int Returns { get; init; }

    /// <summary>Corrections asked for after the review step's limit (article 30: 7 working days from receipt), within the period.</summary>
    public int LateCorrections { get; init; }

    public bool Withdrawn => Result == "withdrawn";
}
