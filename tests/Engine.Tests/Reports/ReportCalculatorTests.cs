using Supervision.Engine.Items;
using Supervision.Engine.Reports;

namespace Supervision.Engine.Tests.Reports;

/// <summary>
/// Report figures and scores over October 2025 (the National Day and Mid-Autumn holiday runs 10-01..10-08, Saturday
/// 10-11 is a working day), computed by hand from a small known set of assignments.
/// </summary>
public sealed class ReportCalculatorTests
{
    private static readonly ReportPeriod October = new(new DateOnly(2025, 10, 1), new DateOnly(2025, 10, 31));

    private static AssignmentRecord Record(long id, ItemKind kind, long department, string started, string? due, string? closed, Light light, string? result = null) => new()
    {
        ItemId = id,
        AssignmentId = id,
        Kind = kind,
        Definition = kind == ItemKind.Request ? "disclosure-request" : "supervision-task",
        DepartmentId = department,
        StartedOn = DateOnly.Parse(started, System.Globalization.CultureInfo.InvariantCulture),
        DueOn = due is null ? null : DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture),
        ClosedOn = closed is null ? null : DateOnly.Parse(closed, System.Globalization.CultureInfo.InvariantCulture),
        Result = closed is null ? null : result ?? "completed",
        Light = light,
    };

    // Department 1: A on time, B late, C open and paused, D a task open and seriously overdue with an extension.
    // Department 2: E a task finished early after one return, F withdrawn, G finished before October, H received after it.
    private static readonly AssignmentRecord[] Records =
    [
        Record(1, ItemKind.Request, 1, "2025-09-15", "2025-10-17", "2025-10-10", Light.DoneOnTime),
        Record(2, ItemKind.Request, 1, "2025-09-20", "2025-10-22", "2025-10-24", Light.DoneLate),
        Record(3, ItemKind.Request, 1, "2025-10-20", "2025-11-17", null, Light.Green) with { Paused = true, Pauses = 1 },
        Record(4, ItemKind.Task, 1, "2025-09-01", "2025-10-09", null, Light.Red) with { SeriouslyOverdue = true, Extensions = 1 },
        Record(5, ItemKind.Task, 2, "2025-10-09", "2025-10-31", "2025-10-15", Light.DoneOnTime) with { Returns = 1 },
        Record(6, ItemKind.Task, 2, "2025-10-09", "2025-10-31", "2025-10-20", Light.DoneOnTime, "withdrawn"),
        Record(7, ItemKind.Request, 2, "2025-08-01", "2025-08-29", "2025-09-10", Light.DoneLate),
        Record(8, ItemKind.Request, 2, "2025-11-03", "2025-12-01", null, Light.Green),
    ];


    [Fact]
    public void A_departments_figures_count_what_it_got_finished_and_still_had_open_in_the_period()
    {
        var justice = ReportCalculator.Figures(Records.Where(r => r.DepartmentId == 1), October, StatutoryCalendar.Calendar);

        Assert.Equal((1, 1, 1, 0), (justice.Received, justice.CompletedOnTime, justice.CompletedLate, justice.Withdrawn));
        Assert.Equal((1, 0, 1, 1, 1), (justice.OpenGreen, justice.OpenYellow, justice.OpenRed, justice.OpenSeriouslyOverdue, justice.OpenPaused));
        Assert.Equal(0.5, justice.OnTimeRate);
        // A: 14 working days from 09-15 to 10-10 (09-28 a working Sunday, 10-01..10-08 off); B: 21 from 09-20 to 10-24.
        Assert.Equal(17.5, justice.AverageWorkingDays);
        Assert.Equal(21, justice.P90WorkingDays);
        Assert.Equal((1, 1, 0), (justice.Extensions, justice.Pauses, justice.Returns));

        var education = ReportCalculator.Figures(Records.Where(r => r.DepartmentId == 2), October, StatutoryCalendar.Calendar);

        Assert.Equal((2, 1, 0, 1), (education.Received, education.CompletedOnTime, education.CompletedLate, education.Withdrawn));
        Assert.Equal(0, education.Open);
        Assert.Equal(1.0, education.OnTimeRate);
        // E: 10-10, 10-11 (a working Saturday), 10-13, 10-14, 10-15.
        Assert.Equal((5.0, 5), (education.AverageWorkingDays, education.P90WorkingDays));
        Assert.Equal(1, education.Returns);
    }

    [Fact]
    public void Article_33_working_days_taken_and_days_late_count_to_the_reply_date_not_the_day_it_was_entered()
    {
        // B was due 10-22, answered on 10-23 and entered on 10-24: one working day late, 20 working days taken.
        var replied = Records[1] with { DoneOn = new DateOnly(2025, 10, 23), LateCorrections = 1 };

        var figures = ReportCalculator.Figures([replied], October, StatutoryCalendar.Calendar);

        Assert.Equal(1, Scoring.OverdueDays(replied, October, StatutoryCalendar.Calendar));
        Assert.Equal(2, Scoring.OverdueDays(Records[1], October, StatutoryCalendar.Calendar));
        Assert.Equal(20, figures.AverageWorkingDays);
        Assert.Equal((1, 1), (figures.CompletedLate, figures.LateCorrections));
        Assert.Equal(replied.ClosedOn, Records[1].DoneOn);
    }

    [Fact]
    public void Rows_group_by_department_workflow_or_plan_and_a_period_without_completions_has_no_rate()
    {
        var byWorkflow = ReportCalculator.By(Records, r => (r.Definition, r.Definition), October, StatutoryCalendar.Calendar);
        Assert.Equal(["disclosure-request", "supervision-task"], byWorkflow.Select(r => r.Key));
        Assert.Equal((1, 2), (byWorkflow[0].Figures.Received, byWorkflow[1].Figures.Received));

        var quiet = ReportCalculator.Figures(Records, new ReportPeriod(new DateOnly(2025, 10, 1), new DateOnly(2025, 10, 8)), StatutoryCalendar.Calendar);
        Assert.Null(quiet.OnTimeRate);
        Assert.Null(quiet.AverageWorkingDays);
        Assert.Null(quiet.P90WorkingDays);

        // The 90th percentile by nearest rank: of 1..10 working days it is the 9th.
        var ten = Enumerable.Range(1, 10).Select(i => Record(100 + i, ItemKind.Request, 3, "2025-10-09", "2025-11-30", StatutoryCalendar.Calendar.AddWorkingDays(new DateOnly(2025, 10, 9), i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Light.DoneOnTime));
        Assert.Equal(9, ReportCalculator.Figures(ten, October, StatutoryCalendar.Calendar).P90WorkingDays);
    }

    [Fact]
    public void Scores_follow_the_rules_as_data_each_line_explained()
    {
        var rules = Scoring.Parse(File.ReadAllText(Path.Combine(Import.Repository.Root, "seeds", "scoring", "default.json")), "default.json");

        var justice = Scoring.Score(Records.Where(r => r.DepartmentId == 1), October, StatutoryCalendar.Calendar, rules);
        var education = Scoring.Score(Records.Where(r => r.DepartmentId == 2), October, StatutoryCalendar.Calendar, rules);

        // Justice: B answered 2 working days late (-6); D open and red 17 working days after 10-09 (-2).
        Assert.Equal([("request-overdue", 1, -6.0), ("task-overdue", 1, -2.0), ("returned", 0, 0.0), ("task-early", 0, 0.0)],
            justice.Lines.Select(l => (l.Rule, l.Count, l.Points)));
        Assert.Equal(92, justice.Total);
        // Education: E returned once (-1) and finished 12 working days early (+0.5).
        Assert.Equal(99.5, education.Total);
        Assert.Equal(2, Scoring.OverdueDays(Records[1], October, StatutoryCalendar.Calendar));
        Assert.Equal(17, Scoring.OverdueDays(Records[3], October, StatutoryCalendar.Calendar));
        Assert.Null(Scoring.OverdueDays(Records[0], October, StatutoryCalendar.Calendar));
    }

    [Fact]
    public void A_rules_total_stays_within_its_limit_and_the_score_within_floor_and_ceiling()
    {
        var late = Enumerable.Range(1, 15).Select(i => Record(i, ItemKind.Task, 1, "2025-09-01", "2025-09-30", null, Light.Red)).ToList();
        var rules = Scoring.Parse("""
            { "name": "t", "start": 10, "floor": 0, "ceiling": 12,
              "rules": [ { "id": "o", "description": { "zh": "逾期" }, "when": "overdue", "points": -2, "limit": 20 },
                         { "id": "b", "description": { "zh": "按时" }, "when": "overdue", "kind": "request", "points": 5 } ] }
            """, "t.json");

        var score = Scoring.Score(late, October, StatutoryCalendar.Calendar, rules);

        Assert.Equal((15, -20.0), (score.Lines[0].Count, score.Lines[0].Points));
        Assert.Equal(0, score.Total);
        Assert.Equal(12, Scoring.Score([Record(1, ItemKind.Request, 1, "2025-10-09", "2025-10-10", "2025-10-13", Light.DoneLate)], October, StatutoryCalendar.Calendar, rules).Total);
    }

    [Fact]
    public void A_broken_scoring_file_names_every_problem_by_path()
    {
        var e = Assert.Throws<ScoringRulesException>(() => Scoring.Parse("""
            { "start": "100", "rules": [ { "id": "a", "description": { "zh": "x" }, "when": "late", "points": -1 },
                                         { "id": "a", "when": "overdue", "kind": "letter", "moreThanWorkingDays": -1 } ] }
            """, "rules.json"));

        Assert.Equal(
        [
            "$.name: required",
            "$.start: not a number within ±1,000,000",
            "$.rules[0].when: 'late' is not one of overdue, seriously-overdue, on-time, early, returned",
            "$.rules[1].id: 'a' is used twice",
            "$.rules[1].description: missing (an object with zh and en)",
            "$.rules[1].kind: 'letter' is not request or task",
            "$.rules[1].points: required (negative to deduct)",
            "$.rules[1].moreThanWorkingDays: not a whole number of working days from 0 to 3660",
        ], e.Problems);
        Assert.StartsWith("rules.json: ", e.Message, StringComparison.Ordinal);
    }
}
