using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;

namespace Supervision.Engine.Tests.Workflows;

/// <summary>
/// The whole outcome of registering and acting, decided by the engine alone: the item's and every assignment's
/// deadline, light, pause and next change, their step limits, and the light moves on the history, which storage writes
/// as it is given (<see cref="StoredInstance"/>). The city: office 1 supervises bureaus 2 (市司法局) and 3 (市财政局).
/// </summary>
public sealed class AppliedDecisionTests
{
    private const long Office = 1, Justice = 2, Finance = 3;
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private static readonly WorkflowDefinition Request = Shipped("disclosure-request.json");
    private static readonly WorkflowDefinition Task = Shipped("supervision-task.json");

    // A task that goes straight to its departments at registration, with a limit on their handling step.
    private static readonly WorkflowDefinition DirectTask = DefinitionLoader.Load(
        """
        {
          "id": "direct-task", "version": 1, "kind": "task",
          "title": { "zh": "直接交办任务", "en": "Task assigned at registration" },
          "clock": { "yellow": "remaining 5 working days" },
          "start": "register",
          "steps": [
            { "id": "register", "name": { "zh": "立项", "en": "Register" }, "role": "supervisor",
              "fields": [
                { "name": "content", "label": { "zh": "任务内容", "en": "Task" }, "type": "text", "required": true },
                { "name": "leadDepartments", "label": { "zh": "牵头单位", "en": "Lead departments" }, "type": "departments", "required": true },
                { "name": "responsibleDepartments", "label": { "zh": "责任单位", "en": "Responsible departments" }, "type": "departments" },
                { "name": "deadline", "label": { "zh": "完成时限", "en": "Deadline" }, "type": "text", "required": true }
              ],
              "outcomes": [ { "id": "registered", "name": { "zh": "已立项", "en": "Registered" }, "to": "handle" } ] },
            { "id": "handle", "name": { "zh": "办理", "en": "Handle" }, "role": "handler", "perAssignment": true, "limit": "10 working days",
              "outcomes": [ { "id": "done", "name": { "zh": "办结", "en": "Done" }, "to": "archive", "clock": "stop", "result": "completed" } ] },
            { "id": "archive", "name": { "zh": "归档", "en": "Archive" }, "perAssignment": true, "terminal": true }
          ],
          "escalation": { "red": ["handler"] }
        }
        """, "direct-task.json").Definition!;

    private static readonly Dictionary<string, long> Departments = new() { ["市政府督查室"] = Office, ["市司法局"] = Justice, ["市财政局"] = Finance };

    private static readonly WorkflowContext Context = new(
        new ClockContext(StatutoryCalendar.Calendar, StatutoryCalendar.Shanghai),
        id => Departments.Single(d => d.Value == id).Key,
        name => Departments.TryGetValue(name, out var id) ? id : null);

    private static readonly Actor Supervisor = new("li", Role.Supervisor, Office, new HashSet<long> { Office, Justice, Finance });
    private static readonly Actor JusticeHandler = new("zhang", Role.Handler, Justice, new HashSet<long> { Justice });
    private static readonly Actor FinanceHandler = new("zhao", Role.Handler, Finance, new HashSet<long> { Finance });

    private static WorkflowDefinition Shipped(string file) =>
        DefinitionLoader.Load(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "workflows", file)), file).Definition!;

    private static DateTimeOffset At(int year, int month, int day, int hour = 10) => new(year, month, day, hour, 0, 0, Cst);

    private static DateOnly Day(int year, int month, int day) => new(year, month, day);

    // Received Friday 2025-09-26: review due 2025-10-13 (7 working days from receipt), reply due 2025-10-30 (20).
    private static StoredInstance Received() => new(Request, Context, WorkflowEngine.Register(Request, JusticeHandler, "申请公开行政复议统计", Justice, new Dictionary<string, string>
    {
        ["channel"] = "post",
        ["receivedOn"] = "2025-09-26",
        ["applicant"] = "李某",
        ["content"] = "2024年行政复议案件统计数据",
    }, At(2025, 9, 26), Context));

    // Registered and assigned on 2025-10-09 to 市司法局 (lead) and 市财政局 (responsible), due 2025-10-31: yellow from
    // 10-24, with 5 working days left.
    private static StoredInstance Assigned(string responsible = "市财政局")
    {
        var task = new StoredInstance(Task, Context, WorkflowEngine.Register(Task, Supervisor, "完善行政执法协调监督工作体系", Office, new Dictionary<string, string>
        {
            ["content"] = "完善行政执法协调监督工作体系",
            ["leadDepartments"] = "市司法局",
            ["responsibleDepartments"] = responsible,
            ["deadline"] = "2025-10-31",
        }, At(2025, 10, 9, 9), Context));
        task.Act(s => WorkflowEngine.Complete(Task, s, Supervisor, "assign", "assigned", null, new Dictionary<string, string>(), At(2025, 10, 9), Context), At(2025, 10, 9));
        return task;
    }

    private static AppliedDecision Complete(StoredInstance task, Actor actor, long department, string step, string outcome, DateTimeOffset now) =>
        task.Act(s => WorkflowEngine.Complete(Task, s, actor, step, outcome, task.Assignment(department).Id, new Dictionary<string, string>(), now, Context), now);

    [Fact]
    public void Registering_a_request_gives_it_and_its_handling_assignment_the_reply_deadline_and_the_review_limit()
    {
        var registration = WorkflowEngine.Register(Request, JusticeHandler, "申请公开", Justice, new Dictionary<string, string>
        {
            ["channel"] = "post",
            ["receivedOn"] = "2025-09-26",
            ["applicant"] = "李某",
            ["content"] = "统计数据",
        }, At(2025, 9, 26), Context);

        var item = registration.Item;
        Assert.Equal(Day(2025, 10, 30), item.DueOn);
        Assert.Equal(Light.Green, item.Light);
        Assert.False(item.Paused);
        Assert.Equal(new DateTimeOffset(2025, 10, 23, 0, 0, 0, Cst), item.NextChangeAt);
        Assert.Equal(StatutoryCalendar.Calendar.Version, item.CalendarVersion);
        Assert.Equal(At(2025, 9, 26), item.StepEnteredAt);
        Assert.Equal(new StepState(Light.Green, Day(2025, 10, 13), new DateTimeOffset(2025, 10, 10, 0, 0, 0, Cst), "step:review"), StepState.Of(item));
        Assert.Equal(Light.Green, registration.History.ToLight);
        var handling = Assert.Single(registration.Assignments);
        Assert.Equal(AssignmentRole.Handling, handling.Assignment.Role);
        Assert.Null(handling.Assignment.Start);
        Assert.Equal(DeadlineSnapshot.Of(item), handling.Deadline);
        Assert.Equal(StepState.Of(item), handling.StepState);
    }

    [Fact]
    public void Completing_a_requests_review_moves_its_step_limit_to_the_next_step()
    {
        var request = Received();

        var corrected = request.Act(s => WorkflowEngine.Complete(Request, s, JusticeHandler, "review", "correction-requested", null, new Dictionary<string, string>(), At(2025, 9, 29), Context), At(2025, 9, 29));

        // Awaiting the correction: 15 working days from the step's start (09-29), across the National Day holiday; yellow
        // with 2 working days left (the step lights' default).
        var limit = new StepState(Light.Green, Day(2025, 10, 27), new DateTimeOffset(2025, 10, 23, 0, 0, 0, Cst), "step:await-correction");
        Assert.Equal(limit, corrected.StepState);
        Assert.Equal(limit, StepState.Of(corrected.Item));
        Assert.Equal(At(2025, 9, 29), corrected.Item.StepEnteredAt);
        Assert.True(corrected.Deadline.Paused);
        Assert.Null(corrected.Deadline.NextChangeAt);
        var handling = Assert.Single(corrected.Assignments);
        Assert.True(handling.Changed);
        Assert.Equal("await-correction", handling.Step);
        Assert.Equal(limit, handling.StepState);
        Assert.Equal(corrected.Deadline, handling.Deadline);

        var accepted = Received().Act(s => WorkflowEngine.Complete(Request, s, JusticeHandler, "review", "accepted", null, new Dictionary<string, string>(), At(2025, 9, 29), Context), At(2025, 9, 29));

        // Handling has no limit of its own: the step light goes off, on the item and its assignment.
        Assert.Equal(StepState.None, accepted.StepState);
        Assert.Equal(StepState.None, Assert.Single(accepted.Assignments).StepState);
        Assert.Equal(Day(2025, 10, 30), accepted.Item.DueOn);
    }

    [Fact]
    public void Pausing_for_a_consultation_sets_paused_clears_the_next_change_and_starts_the_pause_limit()
    {
        var request = Received();
        request.Act(s => WorkflowEngine.Complete(Request, s, JusticeHandler, "review", "accepted", null, new Dictionary<string, string>(), At(2025, 9, 29), Context), At(2025, 9, 29));

        var paused = request.Act(s => WorkflowEngine.ClockAction(Request, s, JusticeHandler, StepAction.Pause, null,
            new ClockEvent.Paused(At(2025, 10, 9), PauseReason.ThirdPartyConsultation, "征求某公司意见"), At(2025, 10, 9), Context), At(2025, 10, 9));

        Assert.True(paused.Item.Paused);
        Assert.Null(paused.Item.NextChangeAt);
        Assert.Equal(Light.Green, paused.Item.Light);
        Assert.True(paused.Deadline.Paused);
        // Article 32: the consultation's own 15 working days from the day of the pause.
        Assert.Equal(new StepState(Light.Green, Day(2025, 10, 29), new DateTimeOffset(2025, 10, 27, 0, 0, 0, Cst), "pause:third-party-consultation"), paused.StepState);
        var handling = Assert.Single(paused.Assignments);
        Assert.True(handling.Deadline.Paused);
        Assert.Null(handling.Deadline.NextChangeAt);
        Assert.Equal(paused.StepState, handling.StepState);
        // The light did not move: the entry says nothing of it.
        var entry = Assert.Single(paused.History);
        Assert.Equal("pause", entry.Action);
        Assert.Null(entry.FromLight);
        Assert.Null(entry.ToLight);
    }

    [Fact]
    public void A_transfer_keeps_the_deadline_and_the_step_limit_and_moves_the_handling_assignment()
    {
        var request = Received();
        var before = request.Item;

        var transferred = request.Act(s => WorkflowEngine.Transfer(Request, s, JusticeHandler, null, Finance, "不属于本机关职责", At(2025, 9, 29), Context), At(2025, 9, 29));

        Assert.Equal(Finance, transferred.Item.DepartmentId);
        Assert.False(DeadlineSnapshot.Of(before).DiffersFrom(transferred.Deadline));
        Assert.Equal(StepState.Of(before), transferred.StepState);
        Assert.Equal(before.StepEnteredAt, transferred.Item.StepEnteredAt);
        var handling = Assert.Single(transferred.Assignments);
        Assert.True(handling.Changed);
        Assert.False(handling.StepStateChanged);
        Assert.Equal(Finance, handling.DepartmentId);
        Assert.Equal(transferred.Deadline, handling.Deadline);
    }

    [Fact]
    public void Assigning_a_task_gives_each_department_its_own_clock_and_the_item_the_worst()
    {
        var task = new StoredInstance(Task, Context, WorkflowEngine.Register(Task, Supervisor, "任务", Office, new Dictionary<string, string>
        {
            ["content"] = "任务",
            ["leadDepartments"] = "市司法局",
            ["responsibleDepartments"] = "市财政局",
            ["deadline"] = "2025-10-31",
        }, At(2025, 10, 9, 9), Context));
        // Registered only: no clock yet, no deadline.
        Assert.Null(task.Item.DueOn);
        Assert.Equal(Light.Green, task.Item.Light);
        Assert.Null(task.Item.NextChangeAt);

        var assigned = task.Act(s => WorkflowEngine.Complete(Task, s, Supervisor, "assign", "assigned", null, new Dictionary<string, string>(), At(2025, 10, 9), Context), At(2025, 10, 9));

        Assert.Equal([Justice, Finance], assigned.Added.Select(a => a.Assignment.DepartmentId));
        Assert.All(assigned.Added, a =>
        {
            Assert.NotNull(a.Assignment.Start);
            Assert.Equal(Day(2025, 10, 31), a.Deadline.DueOn);
            Assert.Equal(Light.Green, a.Deadline.Light);
            Assert.Equal(new DateTimeOffset(2025, 10, 24, 0, 0, 0, Cst), a.Deadline.NextChangeAt);
            Assert.Equal(StepState.None, a.StepState);
        });
        Assert.Equal(Day(2025, 10, 31), assigned.Item.DueOn);
        Assert.Equal(new DateTimeOffset(2025, 10, 24, 0, 0, 0, Cst), assigned.Item.NextChangeAt);
        Assert.Equal(["complete", "assigned"], assigned.History.Select(h => h.Action));
    }

    [Fact]
    public void A_task_shows_the_earliest_due_day_and_the_worst_light_of_its_open_assignments()
    {
        var task = Assigned();
        // 市财政局's deadline is extended by 10 working days, to 2025-11-14; 市司法局's is untouched and not rewritten.
        var extended = task.Act(s => WorkflowEngine.Extend(Task, s, Supervisor, task.Assignment(Finance).Id, new TimeLimit.WorkingDays(10), "需协调多部门", At(2025, 10, 20), Context), At(2025, 10, 20));
        Assert.Equal(Day(2025, 11, 14), extended.Assignments.Single(a => a.DepartmentId == Finance).Deadline.DueOn);
        Assert.False(extended.Assignments.Single(a => a.DepartmentId == Justice).Changed);
        Assert.Equal(Day(2025, 10, 31), extended.Item.DueOn);

        // 2025-11-03: 市司法局 is past its day (red), 市财政局 has 9 working days left (green).
        var reported = task.Act(s => WorkflowEngine.Report(Task, s, JusticeHandler, task.Assignment(Justice).Id, "已完成初稿", At(2025, 11, 3), Context), At(2025, 11, 3));

        var justice = reported.Assignments.Single(a => a.DepartmentId == Justice);
        var finance = reported.Assignments.Single(a => a.DepartmentId == Finance);
        Assert.Equal(Light.Red, justice.Deadline.Light);
        Assert.True(justice.Changed);
        Assert.Equal(Light.Green, finance.Deadline.Light);
        Assert.False(finance.Changed);
        Assert.Equal(Light.Red, reported.Item.Light);
        Assert.Equal(Day(2025, 10, 31), reported.Item.DueOn);
        Assert.Equal(new[] { justice.Deadline.NextChangeAt, finance.Deadline.NextChangeAt }.Min(), reported.Item.NextChangeAt);
        Assert.False(reported.Item.Paused);
        var entry = Assert.Single(reported.History);
        Assert.Equal((Light.Green, Light.Red), (entry.FromLight, entry.ToLight));
    }

    [Fact]
    public void Closing_a_tasks_last_assignment_closes_the_item_done_late_when_one_finished_late()
    {
        var task = Assigned();
        task.Act(s => WorkflowEngine.Extend(Task, s, Supervisor, task.Assignment(Finance).Id, new TimeLimit.WorkingDays(10), "需协调多部门", At(2025, 10, 20), Context), At(2025, 10, 20));

        var submitted = Complete(task, JusticeHandler, Justice, "handle", "submitted", At(2025, 11, 3));
        // The review's own limit, 5 working days from the step's start, on the assignment and (the most urgent) the item.
        var review = new StepState(Light.Green, Day(2025, 11, 10), new DateTimeOffset(2025, 11, 6, 0, 0, 0, Cst), "step:review");
        Assert.Equal(review, submitted.Assignments.Single(a => a.DepartmentId == Justice).StepState);
        Assert.Equal(review, submitted.StepState);

        var first = Complete(task, Supervisor, Justice, "review", "accepted", At(2025, 11, 4));
        var justice = first.Assignments.Single(a => a.DepartmentId == Justice);
        Assert.Equal(Light.DoneLate, justice.Deadline.Light);
        Assert.Equal(At(2025, 11, 4), justice.ClosedAt);
        Assert.Equal("completed", justice.Result);
        Assert.Equal(StepState.None, justice.StepState);
        Assert.Null(first.Item.ClosedAt);
        // The item now shows 市财政局's open assignment alone.
        Assert.Equal((Light.Green, Day(2025, 11, 14)), (first.Item.Light, first.Item.DueOn));
        Assert.Equal((Light.Red, Light.Green), (first.History[0].FromLight, first.History[0].ToLight));

        Complete(task, FinanceHandler, Finance, "handle", "submitted", At(2025, 11, 5));
        var last = Complete(task, Supervisor, Finance, "review", "accepted", At(2025, 11, 6));

        Assert.True(last.Decision.Close);
        Assert.Equal(At(2025, 11, 6), last.Item.ClosedAt);
        Assert.Equal("completed", last.Item.Result);
        Assert.Equal(Light.DoneOnTime, last.Assignments.Single(a => a.DepartmentId == Finance).Deadline.Light);
        Assert.Equal(Light.DoneLate, last.Item.Light);
        Assert.Null(last.Item.NextChangeAt);
        Assert.Null(last.Item.DueOn);
        Assert.Equal(StepState.None, last.StepState);
        Assert.False(last.Assignments.Single(a => a.DepartmentId == Justice).Changed);
        Assert.Equal((Light.Green, Light.DoneLate), (last.History[0].FromLight, last.History[0].ToLight));
    }

    [Fact]
    public void Closing_a_tasks_last_assignment_on_time_closes_the_item_done_on_time()
    {
        var task = Assigned(responsible: "");
        Complete(task, JusticeHandler, Justice, "handle", "submitted", At(2025, 10, 27));

        var closed = Complete(task, Supervisor, Justice, "review", "accepted", At(2025, 10, 28));

        Assert.Equal(Light.DoneOnTime, Assert.Single(closed.Assignments).Deadline.Light);
        Assert.Equal(Light.DoneOnTime, closed.Item.Light);
        Assert.Equal("archive", closed.Item.Step);
        Assert.False(closed.Item.Paused);
        Assert.Equal((Light.Yellow, Light.DoneOnTime), (closed.History[0].FromLight, closed.History[0].ToLight));
    }

    [Fact]
    public void Registering_a_task_that_goes_straight_to_its_departments_gives_each_assignment_its_own_deadline()
    {
        var registration = WorkflowEngine.Register(DirectTask, Supervisor, "报送执法统计", Office, new Dictionary<string, string>
        {
            ["content"] = "报送执法统计",
            ["leadDepartments"] = "市司法局",
            ["responsibleDepartments"] = "市财政局",
            ["deadline"] = "2025-10-31",
        }, At(2025, 10, 9), Context);

        Assert.Null(registration.Start);
        Assert.Equal([(Justice, AssignmentRole.Lead), (Finance, AssignmentRole.Responsible)], registration.Assignments.Select(a => (a.Assignment.DepartmentId, a.Assignment.Role)));
        // Each its own clock from the day of registration, its own light and its own handling limit.
        var handle = new StepState(Light.Green, Day(2025, 10, 22), new DateTimeOffset(2025, 10, 20, 0, 0, 0, Cst), "step:handle");
        Assert.All(registration.Assignments, a =>
        {
            Assert.Equal(new ClockEvent.Started(At(2025, 10, 9), Day(2025, 10, 9), new TimeLimit.FixedDate(Day(2025, 10, 31))), a.Assignment.Start);
            Assert.Equal(Day(2025, 10, 31), a.Deadline.DueOn);
            Assert.Equal(Light.Green, a.Deadline.Light);
            Assert.Equal(handle, a.StepState);
        });
        Assert.Equal(Justice, registration.Item.DepartmentId);
        Assert.Equal(Day(2025, 10, 31), registration.Item.DueOn);
        Assert.Equal(registration.Assignments[0].Deadline.NextChangeAt, registration.Item.NextChangeAt);
        Assert.Equal(handle, StepState.Of(registration.Item));
        Assert.Equal(Light.Green, registration.History.ToLight);
    }
}
