using Dapper;
using Microsoft.Extensions.Configuration;
using Supervision.Engine.Items;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Workflows;

/// <summary>Lights change when their instant comes, each change is recorded once, and the escalation ladder is told once.</summary>
public abstract class LightTransitionTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private WorkflowTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await WorkflowTestBed.CreateAsync(provider, new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst));

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    // Accepted unless asked otherwise: at handling only the reply deadline lights (StepLightTests cover the review's own).
    private async Task<SupervisedItem> RegisterAsync(string title = "申请公开", bool accept = true)
    {
        var item = await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As("zhang"), title, _bed.Departments["市司法局"],
            new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = "2025-09-26", ["applicant"] = "李某", ["content"] = "内容" }, default);
        return accept ? await _bed.Workflows.CompleteAsync(item.Id, await _bed.As("zhang"), "review", "accepted", null, new Dictionary<string, string>(), null, default) : item;
    }

    private void SetClock(DateTimeOffset at) => _bed.Clock.Advance(at - _bed.Clock.GetUtcNow());

    private async Task<List<(string Login, string Kind)>> NoticesAsync()
    {
        await using var connection = await _bed.Database.OpenAsync(default);
        return (await connection.QueryAsync<(string Login, string Kind)>(
            "SELECT u.login, n.kind FROM notices n JOIN users u ON u.id = n.recipient_user_id ORDER BY n.id")).ToList();
    }

    [Fact]
    public async Task A_request_turns_yellow_red_and_seriously_overdue_at_its_instants_and_the_ladder_is_told_once()
    {
        var item = await RegisterAsync();
        var transitions = _bed.NewTransitions();
        Assert.Equal(0, await transitions.ProcessDueAsync(null, default));
        Assert.Equal(new DateTimeOffset(2025, 10, 23, 0, 0, 0, Cst), await transitions.NextDueAsync(default));

        SetClock(new DateTimeOffset(2025, 10, 22, 23, 59, 59, Cst));
        Assert.Equal(0, await transitions.ProcessDueAsync(null, default));
        SetClock(new DateTimeOffset(2025, 10, 23, 0, 0, 0, Cst));
        Assert.Equal(1, await transitions.ProcessDueAsync(null, default));
        Assert.Equal(0, await transitions.ProcessDueAsync(null, default));
        var yellow = await _bed.Items.GetAsync(item.Id, default);
        Assert.Equal(Light.Yellow, yellow!.Light);
        Assert.Equal(new DateTimeOffset(2025, 10, 31, 0, 0, 0, Cst), yellow.NextChangeAt);
        Assert.Equal([("zhang", "yellow")], await NoticesAsync());

        SetClock(new DateTimeOffset(2025, 10, 31, 0, 0, 0, Cst));
        await transitions.ProcessDueAsync(null, default);
        SetClock(new DateTimeOffset(2025, 11, 7, 0, 0, 0, Cst));
        await transitions.ProcessDueAsync(null, default);
        await transitions.ProcessDueAsync(null, default);

        var red = await _bed.Items.GetAsync(item.Id, default);
        Assert.Equal(Light.Red, red!.Light);
        Assert.True(red.SeriouslyOverdue);
        Assert.Null(red.NextChangeAt);
        Assert.Equal(
            new[] { ("zhang", "yellow"), ("zhang", "red"), ("wang", "red"), ("wang", "seriously-overdue"), ("zhao", "seriously-overdue") }.Order(),
            (await NoticesAsync()).Order());
        var history = await _bed.Items.HistoryAsync(item.Id, default);
        Assert.Equal(["registered", "complete", "light-changed", "light-changed", "light-changed"], history.Select(h => h.Action));
        Assert.Equal([Light.Yellow, Light.Red], history.Where(h => h.ToLight is not null).Skip(1).Select(h => h.ToLight!.Value));
    }

    [Fact]
    public async Task A_paused_or_finished_item_does_not_change()
    {
        var item = await RegisterAsync(accept: false);
        item = await _bed.Workflows.CompleteAsync(item.Id, await _bed.As("zhang"), "review", "correction-requested", null, new Dictionary<string, string>(), null, default);
        SetClock(new DateTimeOffset(2025, 12, 1, 0, 0, 0, Cst));

        await _bed.NewTransitions().ProcessDueAsync(null, default);

        // The reply clock waits for the correction: its light stays; only the correction period's own limit (15
        // working days from the request, article 30) ran out, which the handler is told of.
        var stored = (await _bed.Items.GetAsync(item.Id, default))!;
        Assert.Equal((item.Light, item.DueOn, true), (stored.Light, stored.DueOn, stored.Paused));
        Assert.Equal(Light.Red, stored.StepLight);
        Assert.DoesNotContain(await NoticesAsync(), n => n.Kind is "yellow" or "red" or "seriously-overdue");
        Assert.DoesNotContain(await _bed.Items.HistoryAsync(item.Id, default), h => h.Action == "light-changed");
    }

    [Fact]
    public async Task Two_instances_processing_the_same_burst_record_each_change_once()
    {
        for (var i = 0; i < 30; i++)
        {
            await RegisterAsync($"申请{i}");
        }

        SetClock(new DateTimeOffset(2025, 10, 23, 0, 0, 1, Cst));
        var a = _bed.NewTransitions();
        var b = _bed.NewTransitions();
        var results = await Task.WhenAll(Task.Run(() => a.ProcessDueAsync(null, default)), Task.Run(() => b.ProcessDueAsync(null, default)));

        Assert.Equal(30, results.Sum());
        await using var connection = await _bed.Database.OpenAsync(default);
        Assert.Equal(30L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM item_history WHERE action = 'light-changed'"));
        Assert.Equal(30L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notices"));
        Assert.Equal(30L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items WHERE light = 'yellow'"));
    }

    [Fact]
    public async Task Notices_name_the_item_department_deadline_and_light_and_link_to_the_item()
    {
        var item = await RegisterAsync("关于执法数据的申请");
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Supervision:PublicUrl"] = "https://ducha.example.gov.cn/" }).Build();
        SetClock(new DateTimeOffset(2025, 10, 31, 0, 0, 0, Cst));

        await _bed.NewTransitions(configuration).ProcessDueAsync(null, default);

        await using var connection = await _bed.Database.OpenAsync(default);
        var (subject, body) = await connection.QuerySingleAsync<(string, string)>("SELECT subject, body FROM notices WHERE kind = 'red' AND recipient_user_id = (SELECT id FROM users WHERE login = 'zhang')");
        Assert.Equal("【已超过办理期限（红灯）】关于执法数据的申请", subject);
        Assert.Equal(
            $"市司法局办理的“关于执法数据的申请”已超过办理期限（红灯）。\n事项：关于执法数据的申请（编号{item.Id}）\n办理单位：市司法局\n截止时间：2025年10月30日（星期四）\n当前状态：红灯（已超期）\n查看：https://ducha.example.gov.cn/items/{item.Id}",
            body);
    }

    [Fact]
    public void Notices_can_be_worded_in_english_and_give_exact_times_for_minute_limits()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Supervision:Notices:Language"] = "en" }).Build();
        var templates = WorkflowTestBed.Templates(configuration);
        var facts = new Supervision.Host.Notices.NoticeFacts(7, "Urgent return", "City Justice Bureau", null, new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero), Light.Yellow, false);

        var (subject, body) = templates.LightChanged(facts, "yellow");

        Assert.Equal("[Close to its deadline (yellow)] Urgent return", subject);
        Assert.Contains("Deadline: 2026-11-25 17:00\nLight: yellow (close to the deadline)\nOpen: /items/7", body, StringComparison.Ordinal);
        Assert.Contains("截止时间：2026年11月25日 17:00", WorkflowTestBed.Templates(null).LightChanged(facts, "yellow").Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_department_of_a_task_is_told_about_its_own_assignment()
    {
        var zhao = await _bed.As("zhao");
        var task = await _bed.Workflows.RegisterAsync(ItemKind.Task, null, zhao, "推进执法公开", _bed.Departments["市政府办公室"],
            new Dictionary<string, string> { ["content"] = "推进执法公开", ["leadDepartments"] = "市司法局", ["responsibleDepartments"] = "市教育局", ["deadline"] = "2025-10-20" }, default);
        await _bed.Workflows.CompleteAsync(task.Id, zhao, "assign", "assigned", null, new Dictionary<string, string>(), null, default);

        SetClock(new DateTimeOffset(2025, 10, 14, 0, 0, 0, Cst));
        await _bed.NewTransitions().ProcessDueAsync(null, default);

        Assert.Equal([("li", "yellow"), ("zhang", "yellow")], (await NoticesAsync()).Order().ToList());
        Assert.Equal(2, (await _bed.Items.HistoryAsync(task.Id, default)).Count(h => h.Action == "assignment-light-changed"));
        Assert.Equal(Light.Yellow, (await _bed.Items.GetAsync(task.Id, default))!.Light);
    }

    [Fact]
    public async Task The_nightly_run_urges_overdue_work_once_per_day_however_often_it_runs()
    {
        await RegisterAsync("逾期申请");
        await RegisterAsync("未逾期申请");
        SetClock(new DateTimeOffset(2025, 11, 3, 2, 0, 0, Cst));
        await _bed.NewTransitions().ProcessDueAsync(null, default);
        var fresh = await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As("zhang"), "新申请", _bed.Departments["市司法局"],
            new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = "2025-11-03", ["applicant"] = "王某", ["content"] = "内容" }, default);
        var before = (await NoticesAsync()).Count;

        var first = await _bed.NewOverdueRun().RunAsync(null, default);
        var results = await Task.WhenAll(Task.Run(() => _bed.NewOverdueRun().RunAsync(null, default)), Task.Run(() => _bed.NewOverdueRun().RunAsync(null, default)));
        var urging = (await NoticesAsync()).Skip(before).ToList();

        // Both old requests are red: urged to the handler, copied to the lead; not yet seriously overdue.
        Assert.Equal(4, first);
        Assert.Equal([0, 0], results);
        Assert.Equal(new[] { ("wang", "urging"), ("wang", "urging"), ("zhang", "urging"), ("zhang", "urging") }, urging.Order());
        Assert.NotEqual(Light.Red, (await _bed.Items.GetAsync(fresh.Id, default))!.Light);

        SetClock(new DateTimeOffset(2025, 11, 10, 2, 0, 0, Cst));
        await _bed.NewTransitions().ProcessDueAsync(null, default);
        var nextWeek = await _bed.NewOverdueRun().RunAsync(null, default);

        // Now seriously overdue: urged again (a new day) and the supervising office is told.
        Assert.Equal(6, nextWeek);
        Assert.Equal(2, (await NoticesAsync()).Count(n => n == ("zhao", "supervision")));
    }

    [Fact]
    public async Task An_item_whose_own_copy_of_its_next_change_lags_is_found_through_its_assignments_due_instant()
    {
        var lagging = await RegisterAsync("副本滞后");
        var current = await RegisterAsync("副本正常");
        await using (var connection = await _bed.Database.OpenAsync(default))
        {
            // Only the assignment says the first is due (the items' due index does not list it).
            await connection.ExecuteAsync("UPDATE items SET next_change_at = NULL WHERE id = @id", new { id = lagging.Id });
        }

        SetClock(new DateTimeOffset(2025, 11, 10, 2, 0, 0, Cst));
        var changed = await _bed.NewTransitions().ProcessDueAsync(null, default);

        Assert.Equal(2, changed);
        var found = (await _bed.Items.GetAsync(lagging.Id, default))!;
        var listed = (await _bed.Items.GetAsync(current.Id, default))!;
        Assert.Equal((Light.Red, true), (found.Light, found.SeriouslyOverdue));
        Assert.Equal((found.Light, found.SeriouslyOverdue, found.DueOn, found.NextChangeAt), (listed.Light, listed.SeriouslyOverdue, listed.DueOn, listed.NextChangeAt));
        Assert.Equal(0, await _bed.NewTransitions().ProcessDueAsync(null, default));
    }

    [Fact]
    public async Task A_nightly_run_cut_off_between_chunks_is_completed_by_the_next_run_without_repeating_anything()
    {
        foreach (var title in new[] { "逾期申请一", "逾期申请二", "逾期申请三" })
        {
            await RegisterAsync(title);
        }

        SetClock(new DateTimeOffset(2025, 11, 10, 2, 0, 0, Cst));
        await _bed.NewTransitions().ProcessDueAsync(null, default);
        var before = await NoticeKeysAsync();

        // One assignment per transaction: three overdue, seriously so (handler, lead copy, supervising office each).
        var first = await _bed.NewOverdueRun(chunkSize: 1).RunWithFiguresAsync(null, default);
        var written = (await NoticeKeysAsync()).Except(before).ToList();
        Assert.Equal((3, 9), first);
        Assert.Equal(9, written.Count);
        Assert.Equal(3, written.Count(k => k.StartsWith("supervision:", StringComparison.Ordinal)));

        // A run that stopped after its first chunk committed: the other two assignments' notices were never written.
        var firstAssignment = written.Select(k => k.Split(':')[2]).Min(StringComparer.Ordinal)!;
        await using (var connection = await _bed.Database.OpenAsync(default))
        {
            var removed = await connection.ExecuteAsync("DELETE FROM notices WHERE kind IN ('urging', 'supervision') AND notice_key NOT LIKE @kept",
                new { kept = $"%:{firstAssignment}:2025-11-10%" });
            Assert.Equal(6, removed);
        }

        var again = await _bed.NewOverdueRun(chunkSize: 1).RunWithFiguresAsync(null, default);
        var twice = await _bed.NewOverdueRun().RunWithFiguresAsync(null, default);
        Assert.Equal((3, 6), again);
        Assert.Equal((3, 0), twice);
        Assert.Equal(written.Order(StringComparer.Ordinal), (await NoticeKeysAsync()).Except(before).Order(StringComparer.Ordinal));
    }

    private async Task<List<string>> NoticeKeysAsync()
    {
        await using var connection = await _bed.Database.OpenAsync(default);
        return (await connection.QueryAsync<string>("SELECT notice_key FROM notices ORDER BY id")).ToList();
    }

    [Fact]
    public async Task The_monthly_circulation_tells_the_supervising_office_what_happened_last_month_once()
    {
        var zhang = await _bed.As("zhang");
        var done = await RegisterAsync("按期办结");
        await _bed.Workflows.CompleteAsync(done.Id, zhang, "handle", "ready-to-reply", null, new Dictionary<string, string>(), null, default);

        await _bed.Workflows.CompleteAsync(done.Id, zhang, "reply", "disclosed", null, new Dictionary<string, string> { ["replyDate"] = "2025-09-26", ["delivery"] = "post" }, null, default);
        await _bed.Workflows.RegisterAsync(ItemKind.Request, null, zhang, "早已超期", _bed.Departments["市司法局"],
            new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = "2025-08-01", ["applicant"] = "王某", ["content"] = "内容" }, default);
        SetClock(new DateTimeOffset(2025, 10, 1, 8, 0, 0, Cst));

        var first = await _bed.NewMonthlyCirculation().RunAsync(null, default);
        var again = await _bed.NewMonthlyCirculation().RunAsync(null, default);

        Assert.Equal(1, first);
        Assert.Equal(0, again);
        await using var connection = await _bed.Database.OpenAsync(default);
        var (login, subject, body) = await connection.QuerySingleAsync<(string, string, string)>(
            "SELECT u.login, n.subject, n.body FROM notices n JOIN users u ON u.id = n.recipient_user_id WHERE n.kind = 'circulation'");
        Assert.Equal("zhao", login);
        Assert.Equal("【通报】市政府办公室2025年9月办理情况", subject);
        Assert.StartsWith("2025年9月：受理1件，办结1件（按期1件，超期0件，按期率100%）；期末在办1件，其中红灯1件（严重超期1件）、黄灯0件。", body, StringComparison.Ordinal);
        Assert.Contains("市司法局：超期未办结1件。", body, StringComparison.Ordinal);
        // The justice bureau's score: -6 for the request overdue at the month's end.
        Assert.Contains("市司法局：考核得分94分。", body, StringComparison.Ordinal);
        Assert.EndsWith("通报全文：/circulations/1", body, StringComparison.Ordinal);
    }
}

public sealed class SqliteLightTransitionTests() : LightTransitionTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresLightTransitionTests() : LightTransitionTests(DatabaseProvider.PostgreSql);

/// <summary>A task fixed to an exact instant and sent straight to its departments turns red at that instant.</summary>
public sealed class TimedTaskTests : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private WorkflowTestBed _bed = null!;

    public async Task InitializeAsync() =>
        _bed = await WorkflowTestBed.CreateAsync(DatabaseProvider.Sqlite, new DateTimeOffset(2026, 11, 25, 9, 0, 0, Cst), Infrastructure.TestWorkflows.TestOnly);

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Registering_a_task_that_goes_straight_to_its_departments_gives_each_a_clock_and_the_item_their_deadline()
    {
        var task = await _bed.Workflows.RegisterAsync(ItemKind.Task, "burst-task", await _bed.As("zhao"), "17点前报送数据", _bed.Departments["市政府办公室"],
            new Dictionary<string, string> { ["content"] = "报送数据", ["leadDepartments"] = "市司法局、市教育局", ["deadline"] = "2026-11-25T17:00+08:00" }, default);

        var due = new DateTimeOffset(2026, 11, 25, 17, 0, 0, Cst);
        var assignments = await _bed.Assignments.ListAsync(task.Id, default);
        Assert.Equal("handle", task.Step);
        Assert.Equal(2, assignments.Count);
        Assert.All(assignments, a => Assert.Equal((due, Light.Green), (a.NextChangeAt!.Value, a.Light)));
        Assert.Equal(due, task.NextChangeAt);

        _bed.Clock.Advance(due - _bed.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await _bed.NewTransitions().ProcessDueAsync(null, default));
        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _bed.NewTransitions().ProcessDueAsync(null, default));
        Assert.Equal(Light.Red, (await _bed.Items.GetAsync(task.Id, default))!.Light);
        Assert.Equal(2, (await _bed.Items.HistoryAsync(task.Id, default)).Count(h => h.Action == "assignment-light-changed"));
    }
}
