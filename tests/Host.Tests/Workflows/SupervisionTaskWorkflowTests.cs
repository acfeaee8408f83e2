using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Items;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Workflows;

/// <summary>The supervision-task definition walked through its paths, assignment by assignment, on both providers.</summary>
public abstract class SupervisionTaskWorkflowTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private WorkflowTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await WorkflowTestBed.CreateAsync(provider, new DateTimeOffset(2025, 9, 1, 9, 0, 0, Cst));

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private async Task<SupervisedItem> RegisterAndAssignAsync(string deadline, string? cadence = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["plan"] = "2025年政务公开工作要点",
            ["planItem"] = "3",
            ["content"] = "推进行政执法信息公开",
            ["leadDepartments"] = "市司法局",
            ["responsibleDepartments"] = "市教育局、市自然资源局",
            ["deadline"] = deadline,
        };
        if (cadence is not null)
        {
            fields["reportCadence"] = cadence;
        }

        var zhao = await _bed.As("zhao");
        var item = await _bed.Workflows.RegisterAsync(ItemKind.Task, null, zhao, "推进行政执法信息公开", _bed.Departments["市政府办公室"], fields, default);
        Assert.Equal("assign", item.Step);
        return await _bed.Workflows.CompleteAsync(item.Id, zhao, "assign", "assigned", null, new Dictionary<string, string>(), null, default);
    }

    private async Task<Assignment> AssignmentOf(SupervisedItem item, string department) =>
        (await _bed.Assignments.ListAsync(item.Id, default)).Single(a => a.DepartmentId == _bed.Departments[department]);

    private async Task<SupervisedItem> CompleteAsync(SupervisedItem item, string login, Assignment assignment, string step, string outcome) =>
        await _bed.Workflows.CompleteAsync(item.Id, await _bed.As(login), step, outcome, assignment.Id, new Dictionary<string, string>(), null, default);

    [Fact]
    public async Task A_task_counted_from_an_event_waits_at_assigning_and_counts_from_the_day_the_event_happened()
    {
        var zhao = await _bed.As("zhao");
        var fields = new Dictionary<string, string>
        {
            ["plan"] = "2025年政务公开工作要点",
            ["planItem"] = "9",
            ["content"] = "新规出台后及时开展解读",
            ["leadDepartments"] = "市司法局",
            ["deadline"] = "1 month",
            ["startsAfter"] = "新规出台",
        };
        var item = await _bed.Workflows.RegisterAsync(ItemKind.Task, null, zhao, "新规解读", _bed.Departments["市政府办公室"], fields, default);
        Assert.Equal("assign", item.Step);
        Assert.Empty(await _bed.Assignments.ListAsync(item.Id, default));

        // Without the event's day, or with a day still to come, assigning is refused.
        var missing = await Assert.ThrowsAsync<WorkflowRefusedException>(() =>
            _bed.Workflows.CompleteAsync(item.Id, zhao, "assign", "assigned", null, new Dictionary<string, string>(), null, default));
        Assert.Contains("eventOn: required: this task's deadline counts from '新规出台'", missing.Message, StringComparison.Ordinal);
        var future = await Assert.ThrowsAsync<WorkflowRefusedException>(() =>
            _bed.Workflows.CompleteAsync(item.Id, zhao, "assign", "assigned", null, new Dictionary<string, string> { ["eventOn"] = "2025-09-02" }, null, default));
        Assert.Contains("is in the future", future.Message, StringComparison.Ordinal);

        // The rule came out on 2025-08-20 (today is 2025-09-01): one month from it is 2025-09-20, a Saturday, so Monday 09-22.
        item = await _bed.Workflows.CompleteAsync(item.Id, zhao, "assign", "assigned", null, new Dictionary<string, string> { ["eventOn"] = "2025-08-20" }, null, default);
        var assignment = Assert.Single(await _bed.Assignments.ListAsync(item.Id, default));
        Assert.Equal(("handle", new DateOnly(2025, 9, 22)), (assignment.Step, assignment.DueOn));
    }

    [Fact]
    public async Task Assigning_creates_one_assignment_per_department_each_with_its_light()
    {
        var item = await RegisterAndAssignAsync("month-end 2025-12");

        var all = await _bed.Assignments.ListAsync(item.Id, default);

        Assert.Equal("handle", item.Step);
        Assert.Equal(_bed.Departments["市司法局"], item.DepartmentId);
        Assert.Equal(3, all.Count);
        Assert.Equal([AssignmentRole.Lead, AssignmentRole.Responsible, AssignmentRole.Responsible], all.Select(a => a.Role));
        Assert.All(all, a => Assert.Equal(("handle", Light.Green, new DateOnly(2025, 12, 31)), (a.Step, a.Light, a.DueOn)));
        Assert.Equal(new DateOnly(2025, 12, 31), item.DueOn);
        Assert.Equal(["registered", "complete", "assigned"], (await _bed.Items.HistoryAsync(item.Id, default)).Select(h => h.Action));
    }

    [Fact]
    public async Task Each_department_submits_the_office_returns_or_accepts_and_the_last_acceptance_closes_the_task()
    {
        var item = await RegisterAndAssignAsync("2025-10-31");
        var justice = await AssignmentOf(item, "市司法局");
        var education = await AssignmentOf(item, "市教育局");
        var land = await AssignmentOf(item, "市自然资源局");

        var wrongDepartment = await Assert.ThrowsAsync<WorkflowRefusedException>(() => CompleteAsync(item, "li", justice, "handle", "submitted"));
        item = await CompleteAsync(item, "zhang", justice, "handle", "submitted");
        item = await CompleteAsync(item, "zhao", await AssignmentOf(item, "市司法局"), "review", "returned");
        Assert.Equal("handle", (await AssignmentOf(item, "市司法局")).Step);
        item = await CompleteAsync(item, "zhang", justice, "handle", "submitted");
        item = await CompleteAsync(item, "zhao", justice, "review", "accepted");
        item = await CompleteAsync(item, "li", education, "handle", "submitted");
        item = await CompleteAsync(item, "zhao", education, "review", "accepted");
        Assert.Null(item.ClosedAt);

        _bed.Clock.Advance(TimeSpan.FromDays(70));   // 2025-11-10: past the deadline
        item = await CompleteAsync(item, "sun", land, "handle", "submitted");
        item = await CompleteAsync(item, "zhao", land, "review", "accepted");

        Assert.Equal(RefusalKind.Forbidden, wrongDepartment.Kind);
        Assert.StartsWith("this step belongs to 市司法局", wrongDepartment.Message, StringComparison.Ordinal);
        Assert.Equal("archive", item.Step);
        Assert.NotNull(item.ClosedAt);
        Assert.Equal(Light.DoneLate, item.Light);
        Assert.Equal(Light.DoneOnTime, (await AssignmentOf(item, "市司法局")).Light);
        Assert.Equal(Light.DoneLate, (await AssignmentOf(item, "市自然资源局")).Light);
    }

    [Fact]
    public async Task The_task_shows_its_worst_open_assignment()
    {
        var item = await RegisterAndAssignAsync("2025-09-10");
        var justice = await AssignmentOf(item, "市司法局");
        _bed.Clock.Advance(TimeSpan.FromDays(3));   // 2025-09-04: 4 working days left, yellow for all
        // The supervising office approves a task's extension itself (a handler's extend would only ask for it).
        item = await _bed.Workflows.ExtendAsync(item.Id, await _bed.As("zhao"), justice.Id, new Engine.Deadlines.TimeLimit.WorkingDays(20), "需协调", null, default);

        var extended = await AssignmentOf(item, "市司法局");
        var other = await AssignmentOf(item, "市教育局");

        Assert.Equal(Light.Green, extended.Light);
        Assert.Equal(Light.Yellow, other.Light);
        Assert.Equal(Light.Yellow, item.Light);
        Assert.Equal(new DateOnly(2025, 9, 10), item.DueOn);
    }

    [Fact]
    public async Task An_ongoing_task_owes_a_report_each_cycle_and_each_report_starts_the_next()
    {
        var item = await RegisterAndAssignAsync("长期坚持", "monthly");
        var justice = await AssignmentOf(item, "市司法局");
        Assert.Equal(new DateOnly(2025, 10, 9), justice.DueOn);   // 2025-10-01: a holiday; 1 month rolls to the next working day

        _bed.Clock.Advance(TimeSpan.FromDays(20));   // 2025-09-21 (Sunday)
        item = await _bed.Workflows.ReportAsync(item.Id, await _bed.As("zhang"), justice.Id, "已完成执法公示平台升级", null, default);
        var after = await AssignmentOf(item, "市司法局");
        var silent = await AssignmentOf(item, "市教育局");

        Assert.Equal(new DateOnly(2025, 10, 21), after.DueOn);
        Assert.Equal(new DateOnly(2025, 10, 9), silent.DueOn);
        var report = (await _bed.Items.HistoryAsync(item.Id, default))[^1];
        Assert.Equal("report", report.Action);
        Assert.Contains("\"cycle\":true", report.Detail.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_calendar_year_moves_the_assignments_and_the_task_that_reach_into_it()
    {
        _bed.Clock.Advance(new DateTimeOffset(2026, 12, 10, 9, 0, 0, Cst) - _bed.Clock.GetUtcNow());
        var item = await RegisterAndAssignAsync("20 working days");
        // 2027 reckoned from the law: New Year's Day (Friday) off.
        Assert.Equal(new DateOnly(2027, 1, 8), (await AssignmentOf(item, "市教育局")).DueOn);

        // The notice bridges Thursday 2026-12-31 as well.
        var change = await _bed.Calendars.ReplaceYearAsync(new Engine.Calendars.CalendarYear(2027,
            [new Engine.Calendars.HolidayPeriod("元旦", "New Year's Day", new DateOnly(2026, 12, 31), new DateOnly(2027, 1, 3))], [], "test"), "admin", default);

        Assert.Equal(1, change.ItemsRecomputed);
        Assert.All(await _bed.Assignments.ListAsync(item.Id, default), a => Assert.Equal(new DateOnly(2027, 1, 11), a.DueOn));
        Assert.Equal(new DateOnly(2027, 1, 11), (await _bed.Items.GetAsync(item.Id, default))!.DueOn);
        Assert.Equal("deadline-recomputed", (await _bed.Items.HistoryAsync(item.Id, default))[^1].Action);
    }

    [Fact]
    public async Task A_task_is_withdrawn_before_assignment_but_not_while_departments_handle_it()
    {
        var zhao = await _bed.As("zhao");
        var fields = new Dictionary<string, string> { ["content"] = "撤回测试", ["leadDepartments"] = "市司法局", ["deadline"] = "2025-12-31" };
        var early = await _bed.Workflows.RegisterAsync(ItemKind.Task, null, zhao, "撤回测试", _bed.Departments["市政府办公室"], fields, default);
        early = await _bed.Workflows.WithdrawAsync(early.Id, zhao, "计划调整", null, default);
        var assigned = await RegisterAndAssignAsync("2025-12-31");

        var late = await Assert.ThrowsAsync<WorkflowRefusedException>(() => _bed.Workflows.WithdrawAsync(assigned.Id, zhao, "计划调整", null, default));

        Assert.Equal(("archive", "withdrawn"), (early.Step, early.Result));
        Assert.NotNull(early.ClosedAt);
        Assert.Equal(RefusalKind.Rule, late.Kind);
        Assert.Equal("'withdraw' is not allowed at step 'handle' (办理)", late.Message);
    }

    [Fact]
    public async Task A_per_assignment_step_needs_the_assignment_and_review_belongs_to_the_office()
    {
        var item = await RegisterAndAssignAsync("2025-12-31");
        var justice = await AssignmentOf(item, "市司法局");

        var noAssignment = await Assert.ThrowsAsync<WorkflowRefusedException>(async () =>
            await _bed.Workflows.CompleteAsync(item.Id, await _bed.As("zhang"), "handle", "submitted", null, new Dictionary<string, string>(), null, default));
        item = await CompleteAsync(item, "zhang", justice, "handle", "submitted");
        var handlerReviews = await Assert.ThrowsAsync<WorkflowRefusedException>(() => CompleteAsync(item, "wang", justice, "review", "accepted"));

        Assert.Equal(RefusalKind.Invalid, noAssignment.Kind);
        Assert.Contains("say which assignment", noAssignment.Message, StringComparison.Ordinal);
        Assert.Equal(RefusalKind.Forbidden, handlerReviews.Kind);
        Assert.Contains("is for the supervising office there", handlerReviews.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteSupervisionTaskWorkflowTests() : SupervisionTaskWorkflowTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresSupervisionTaskWorkflowTests() : SupervisionTaskWorkflowTests(DatabaseProvider.PostgreSql);
