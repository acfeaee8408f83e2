using Dapper;
using Supervision.Engine.Clocks;
using Supervision.Engine.Items;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Workflows;

/// <summary>
/// Step and pause limits light of their own, beside the statutory reply light, on both providers: the review's 7
/// working days from receipt (article 30), a third-party consultation's 15 working days from the pause (article 32)
/// while the reply clock stands still; each change recorded and told once (handler, copied to the lead), never twice
/// across runs, restarts or two instances; the nightly run urges a red step; completing the step clears it.
/// </summary>
public abstract class StepLightTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private WorkflowTestBed _bed = null!;

    // Monday 2026-11-02, 10:00 in Shanghai.
    public async Task InitializeAsync() => _bed = await WorkflowTestBed.CreateAsync(provider, new DateTimeOffset(2026, 11, 2, 10, 0, 0, Cst));

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private async Task<SupervisedItem> RegisterAsync(string receivedOn) =>
        await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As("zhang"), "申请公开征地补偿标准", _bed.Departments["市司法局"], new Dictionary<string, string>
        {
            ["channel"] = "post",
            ["receivedOn"] = receivedOn,
            ["applicant"] = "王某",
            ["content"] = "2026年征地补偿标准",
        }, default);

    private void AdvanceTo(int month, int day, int hour = 10) =>
        _bed.Clock.Advance(new DateTimeOffset(2026, month, day, hour, 0, 0, Cst) - _bed.Clock.GetUtcNow());

    private async Task<List<(string Key, string Kind, long User)>> StepNoticesAsync(long itemId)
    {
        await using var connection = await _bed.Database.OpenAsync(default);
        return (await connection.QueryAsync<(string, string, long)>(
            "SELECT notice_key, kind, recipient_user_id FROM notices WHERE item_id = @itemId AND event = 'step-light-changed' ORDER BY notice_key",
            new { itemId })).ToList();
    }

    private async Task<long> UserIdAsync(string login)
    {
        await using var connection = await _bed.Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>("SELECT id FROM users WHERE login = @login", new { login });
    }

    [Fact]
    public async Task Review_left_10_working_days_after_receipt_is_step_red_with_one_notice_while_the_reply_light_stays_green()
    {
        var item = await RegisterAsync("2026-11-02");
        // Article 30: 7 working days from receipt, 2026-11-03 to 2026-11-11.
        Assert.Equal((Light.Green, new DateOnly(2026, 11, 11), "step:review"), (item.StepLight, item.StepDueOn, item.StepBasis));
        Assert.NotNull(item.StepNextChangeAt);

        AdvanceTo(11, 16);   // 10 working days after receipt
        var transitions = _bed.NewTransitions();
        await transitions.ProcessDueAsync(null, default);
        await transitions.ProcessDueAsync(null, default);
        await _bed.NewTransitions().ProcessDueAsync(null, default);   // another instance, or the same after a restart

        var red = (await _bed.Items.GetAsync(item.Id, default))!;
        Assert.Equal((Light.Red, new DateOnly(2026, 11, 11)), (red.StepLight, red.StepDueOn));
        Assert.Null(red.StepNextChangeAt);
        Assert.Equal(Light.Green, red.Light);   // the reply deadline (2026-11-30) is another promise
        var assignment = Assert.Single(await _bed.Assignments.ListAsync(item.Id, default));
        Assert.Equal((Light.Red, new DateOnly(2026, 11, 11), "step:review"), (assignment.StepLight, assignment.StepDueOn, assignment.StepBasis));
        var history = await _bed.Items.HistoryAsync(item.Id, default);
        var entry = Assert.Single(history, h => h.Action == "step-light-changed");
        Assert.Equal("red", System.Text.Json.JsonDocument.Parse(entry.Detail).RootElement.GetProperty("toStepLight").GetString());
        var notices = await StepNoticesAsync(item.Id);
        Assert.Equal([await UserIdAsync("zhang"), await UserIdAsync("wang")], notices.Select(n => n.User).Order());
        Assert.All(notices, n => Assert.Equal("step-red", n.Kind));

        // Completing the review clears the step light: handling has no limit of its own.
        var accepted = await _bed.Workflows.CompleteAsync(item.Id, await _bed.As("zhang"), "review", "accepted", null, new Dictionary<string, string>(), null, default);
        Assert.Equal((null, null, null, (DateTimeOffset?)null), (accepted.StepLight, accepted.StepDueOn, accepted.StepBasis, accepted.StepNextChangeAt));
        Assert.Null(Assert.Single(await _bed.Assignments.ListAsync(item.Id, default)).StepLight);
    }

    [Fact]
    public async Task Review_counts_from_receipt_not_from_the_day_the_request_is_entered()
    {
        // Article 30 (收到申请之日起7个工作日内): received 2026-11-02, entered 2026-12-06: the review was due 2026-11-11.
        AdvanceTo(12, 6);
        var item = await RegisterAsync("2026-11-02");

        Assert.Equal((Light.Red, new DateOnly(2026, 11, 11)), (item.StepLight, item.StepDueOn));
    }

    [Fact]
    public async Task A_third_party_consultation_past_15_working_days_turns_step_red_while_the_reply_clock_stays_paused()
    {
        var item = await RegisterAsync("2026-11-02");
        item = await _bed.Workflows.CompleteAsync(item.Id, await _bed.As("zhang"), "review", "accepted", null, new Dictionary<string, string>(), null, default);
        AdvanceTo(11, 4);
        item = await _bed.Workflows.PauseAsync(item.Id, await _bed.As("zhang"), null, PauseReason.ThirdPartyConsultation, "征求权利人意见", null, null, default);
        // Article 32: 15 working days from the pause, 2026-11-05 to 2026-11-25; yellow from 2026-11-23.
        Assert.Equal((Light.Green, new DateOnly(2026, 11, 25), "pause:third-party-consultation"), (item.StepLight, item.StepDueOn, item.StepBasis));
        Assert.True(item.Paused);

        AdvanceTo(11, 23, 0);
        await _bed.NewTransitions().ProcessDueAsync(null, default);
        var yellow = (await _bed.Items.GetAsync(item.Id, default))!;
        AdvanceTo(11, 26, 0);
        await _bed.NewTransitions().ProcessDueAsync(null, default);
        await _bed.NewTransitions().ProcessDueAsync(null, default);
        var red = (await _bed.Items.GetAsync(item.Id, default))!;

        Assert.Equal(Light.Yellow, yellow.StepLight);
        Assert.Equal(Light.Red, red.StepLight);
        Assert.True(red.Paused);
        Assert.Equal(item.DueOn, red.DueOn);          // the reply clock stood still
        Assert.Equal(item.Light, red.Light);
        Assert.Equal(["green->yellow", "yellow->red"], (await _bed.Items.HistoryAsync(item.Id, default)).Where(h => h.Action == "step-light-changed")
            .Select(h => System.Text.Json.JsonDocument.Parse(h.Detail).RootElement is var d ? $"{d.GetProperty("fromStepLight").GetString()}->{d.GetProperty("toStepLight").GetString()}" : ""));
        var notices = await StepNoticesAsync(item.Id);
        Assert.Equal(4, notices.Count);   // yellow and red, each to zhang and (copied) to wang
        Assert.Equal(2, notices.Count(n => n.Kind == "step-red"));

        // The nightly run urges the red consultation once a day, to the handler and the lead.
        var run = _bed.NewOverdueRun();
        await run.RunAsync(null, default);
        var again = await run.RunAsync(null, default);
        await using (var connection = await _bed.Database.OpenAsync(default))
        {
            Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notices WHERE item_id = @id AND kind = 'step-urging'", new { id = item.Id }));
        }

        Assert.Equal(0, again);

        // The answer came: resuming ends the consultation's limit; handling has none.
        var resumed = await _bed.Workflows.ResumeAsync(item.Id, await _bed.As("zhang"), null, "第三方已答复", null, null, default);
        Assert.Null(resumed.StepLight);
        Assert.False(resumed.Paused);
    }

    [Fact]
    public async Task A_consultation_entered_later_counts_its_15_working_days_from_the_day_the_letter_went_out()
    {
        var item = await RegisterAsync("2026-11-02");
        item = await _bed.Workflows.CompleteAsync(item.Id, await _bed.As("zhang"), "review", "accepted", null, new Dictionary<string, string>(), null, default);
        AdvanceTo(11, 10);
        // Articles 32 and 34: the letter went out on 2026-11-04 and is entered on 11-10; its limit runs from the 4th.
        item = await _bed.Workflows.PauseAsync(item.Id, await _bed.As("zhang"), null, PauseReason.AgencyConsultation, "征求市教育局意见", new DateOnly(2026, 11, 4), null, default);

        Assert.Equal((Light.Green, new DateOnly(2026, 11, 25), "pause:agency-consultation"), (item.StepLight, item.StepDueOn, item.StepBasis));
    }

    [Fact]
    public async Task Two_instances_at_the_same_instant_record_and_tell_a_step_change_once()
    {
        var items = new List<SupervisedItem>();
        for (var i = 0; i < 20; i++)
        {
            items.Add(await RegisterAsync("2026-11-02"));
        }

        AdvanceTo(11, 16);
        await Task.WhenAll(_bed.NewTransitions().ProcessDueAsync(null, default), _bed.NewTransitions().ProcessDueAsync(null, default));

        foreach (var item in items)
        {
            Assert.Equal(Light.Red, (await _bed.Items.GetAsync(item.Id, default))!.StepLight);
            Assert.Single(await _bed.Items.HistoryAsync(item.Id, default), h => h.Action == "step-light-changed");
            Assert.Equal(2, (await StepNoticesAsync(item.Id)).Count);
        }
    }

    [Fact]
    public async Task A_supervision_tasks_review_lights_per_department_and_the_task_shows_the_most_urgent()
    {
        var zhao = await _bed.As("zhao");
        var task = await _bed.Workflows.RegisterAsync(ItemKind.Task, null, zhao, "推进政务公开标准化", _bed.Departments["市政府办公室"], new Dictionary<string, string>
        {
            ["content"] = "推进基层政务公开标准化规范化",
            ["leadDepartments"] = "市司法局",
            ["responsibleDepartments"] = "市教育局",
            ["deadline"] = "2026-12-31",
        }, default);
        task = await _bed.Workflows.CompleteAsync(task.Id, zhao, "assign", "assigned", null, new Dictionary<string, string>(), null, default);
        var justice = (await _bed.Assignments.ListAsync(task.Id, default)).Single(a => a.DepartmentId == _bed.Departments["市司法局"]);
        task = await _bed.Workflows.CompleteAsync(task.Id, await _bed.As("zhang"), "handle", "submitted", justice.Id, new Dictionary<string, string>(), null, default);
        justice = (await _bed.Assignments.ListAsync(task.Id, default)).Single(a => a.Id == justice.Id);
        // The supervising office's review: 5 working days from the step's start, 2026-11-03 to 2026-11-09.
        Assert.Equal((Light.Green, new DateOnly(2026, 11, 9), "step:review"), (justice.StepLight, justice.StepDueOn, justice.StepBasis));
        Assert.Equal(Light.Green, task.StepLight);

        AdvanceTo(11, 10);
        await _bed.NewTransitions().ProcessDueAsync(null, default);

        var assignments = await _bed.Assignments.ListAsync(task.Id, default);
        Assert.Equal(Light.Red, assignments.Single(a => a.Id == justice.Id).StepLight);
        Assert.Null(assignments.Single(a => a.Id != justice.Id).StepLight);   // still handling: no step limit
        var stored = (await _bed.Items.GetAsync(task.Id, default))!;
        Assert.Equal((Light.Red, new DateOnly(2026, 11, 9)), (stored.StepLight, stored.StepDueOn));
        var entry = Assert.Single(await _bed.Items.HistoryAsync(task.Id, default), h => h.Action == "step-light-changed");
        Assert.Equal("市司法局", System.Text.Json.JsonDocument.Parse(entry.Detail).RootElement.GetProperty("department").GetString());
        Assert.Equal(2, (await StepNoticesAsync(task.Id)).Count);   // 市司法局's handler and lead
    }
}

public sealed class SqliteStepLightTests() : StepLightTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresStepLightTests() : StepLightTests(DatabaseProvider.PostgreSql);
