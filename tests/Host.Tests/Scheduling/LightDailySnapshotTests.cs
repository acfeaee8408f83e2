using Supervision.Engine.Clocks;
using Supervision.Engine.Items;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Workflows;

namespace Supervision.Host.Tests.Scheduling;

/// <summary>The day's light counts per department and kind, recorded as often as the job runs, the last run of a day winning.</summary>
public abstract class LightDailySnapshotTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private WorkflowTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await WorkflowTestBed.CreateAsync(provider, new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst));

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private async Task<SupervisedItem> RequestAsync(string login, string department, string title) =>
        await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As(login), title, _bed.Departments[department],
            new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = "2025-09-26", ["applicant"] = "李某", ["content"] = "内容" }, default);

    private async Task FinishAsync(SupervisedItem request, string login)
    {
        var actor = await _bed.As(login);
        foreach (var (step, outcome) in new[] { ("review", "accepted"), ("handle", "ready-to-reply") })
        {
            await _bed.Workflows.CompleteAsync(request.Id, actor, step, outcome, null, new Dictionary<string, string>(), null, default);
        }

        await _bed.Workflows.CompleteAsync(request.Id, actor, "reply", "disclosed", null, new Dictionary<string, string> { ["replyDate"] = "2025-09-26", ["delivery"] = "post" }, null, default);
    }

    private async Task MoveToAsync(DateTimeOffset at)
    {
        _bed.Clock.Advance(at - _bed.Clock.GetUtcNow());
        await _bed.NewTransitions().ProcessDueAsync(null, default);
    }

    [Fact]
    public async Task Past_days_without_a_record_are_reconstructed_from_each_clock_and_recorded_days_are_kept()
    {
        // Registered on Monday 3 November, received 26 September: due 30 October, yellow from 23 October, red from 31 October.
        _bed.Clock.Advance(new DateTimeOffset(2025, 11, 3, 10, 0, 0, Cst) - _bed.Clock.GetUtcNow());
        await RequestAsync("zhang", "市司法局", "补登记的申请");
        var snapshots = _bed.NewLightDailySnapshots(withClocks: true);
        await snapshots.RecordAsync(new DateOnly(2025, 10, 25), default);

        var written = await snapshots.ReconstructAsync(14, default);
        var again = await snapshots.ReconstructAsync(14, default);

        Assert.Equal((13, 0), (written, again));
        var expected = new List<string>();
        for (var day = new DateOnly(2025, 10, 20); day < new DateOnly(2025, 11, 3); day = day.AddDays(1))
        {
            var counts = day == new DateOnly(2025, 10, 25) || day >= new DateOnly(2025, 10, 31) ? "0 0 1 0 0" : day >= new DateOnly(2025, 10, 23) ? "0 1 0 0 0" : "1 0 0 0 0";
            expected.Add($"{day:yyyy-MM-dd} 市司法局 request: {counts}");
        }

        Assert.Equal(expected, await _bed.LightDailyRowsAsync());
    }

    [Fact]
    public async Task Each_day_keeps_the_open_assignments_by_light_kind_and_department_as_they_change()
    {
        var snapshots = _bed.NewLightDailySnapshots();
        var zhao = await _bed.As("zhao");
        var overdue = await RequestAsync("zhang", "市司法局", "将超期的申请");
        var paused = await RequestAsync("zhang", "市司法局", "征求意见的申请");
        await _bed.Workflows.CompleteAsync(paused.Id, await _bed.As("zhang"), "review", "accepted", null, new Dictionary<string, string>(), null, default);
        await _bed.Workflows.PauseAsync(paused.Id, await _bed.As("zhang"), null, PauseReason.ThirdPartyConsultation, "征求某公司意见", null, null, default);
        await RequestAsync("li", "市教育局", "教育局的申请");
        var task = await _bed.Workflows.RegisterAsync(ItemKind.Task, null, zhao, "推进执法公开", _bed.Departments["市政府办公室"],
            new Dictionary<string, string> { ["content"] = "推进执法公开", ["leadDepartments"] = "市司法局", ["responsibleDepartments"] = "市教育局", ["deadline"] = "2025-10-20" }, default);
        await _bed.Workflows.CompleteAsync(task.Id, zhao, "assign", "assigned", null, new Dictionary<string, string>(), null, default);

        Assert.Equal(4, await snapshots.RecordAsync(null, default));

        // A task turns yellow on 14 October; the requests are still green, the paused one stays as it was.
        await MoveToAsync(new DateTimeOffset(2025, 10, 14, 9, 0, 0, Cst));
        Assert.Equal(4, await snapshots.RecordAsync(null, default));

        // 31 October: the running request is past its due day (30 October), and so is the task.
        await MoveToAsync(new DateTimeOffset(2025, 10, 31, 9, 0, 0, Cst));
        Assert.Equal(4, await snapshots.RecordAsync(null, default));

        // 7 November: the request is seriously overdue.
        await MoveToAsync(new DateTimeOffset(2025, 11, 7, 9, 0, 0, Cst));
        Assert.Equal(4, await snapshots.RecordAsync(null, default));
        Assert.Equal(Light.Red, (await _bed.Items.GetAsync(overdue.Id, default))!.Light);

        Assert.Equal(
        [
            "2025-09-26 市司法局 request: 2 0 0 0 1",
            "2025-09-26 市司法局 task: 1 0 0 0 0",
            "2025-09-26 市教育局 request: 1 0 0 0 0",
            "2025-09-26 市教育局 task: 1 0 0 0 0",
            "2025-10-14 市司法局 request: 2 0 0 0 1",
            "2025-10-14 市司法局 task: 0 1 0 0 0",
            "2025-10-14 市教育局 request: 1 0 0 0 0",
            "2025-10-14 市教育局 task: 0 1 0 0 0",
            "2025-10-31 市司法局 request: 1 0 1 0 1",
            "2025-10-31 市司法局 task: 0 0 1 0 0",
            "2025-10-31 市教育局 request: 0 0 1 0 0",
            "2025-10-31 市教育局 task: 0 0 1 0 0",
            "2025-11-07 市司法局 request: 1 0 1 1 1",
            "2025-11-07 市司法局 task: 0 0 1 1 0",
            "2025-11-07 市教育局 request: 0 0 1 1 0",
            "2025-11-07 市教育局 task: 0 0 1 1 0",
        ], await _bed.LightDailyRowsAsync());
    }

    [Fact]
    public async Task Recording_a_day_again_overwrites_it_and_drops_what_has_emptied_since()
    {
        var snapshots = _bed.NewLightDailySnapshots();
        var justice = await RequestAsync("zhang", "市司法局", "司法局的申请");
        var education = await RequestAsync("li", "市教育局", "教育局的申请");
        await RequestAsync("li", "市教育局", "教育局的另一申请");
        await snapshots.RecordAsync(null, default);
        var first = await _bed.LightDailyRowsAsync();

        var again = await snapshots.RecordAsync(null, default);
        var unchanged = await _bed.LightDailyRowsAsync();
        await FinishAsync(justice, "zhang");
        await FinishAsync(education, "li");
        _bed.Clock.Advance(TimeSpan.FromHours(13));
        var later = await snapshots.RecordAsync(null, default);

        Assert.Equal(["2025-09-26 市司法局 request: 1 0 0 0 0", "2025-09-26 市教育局 request: 2 0 0 0 0"], first);
        Assert.Equal(2, again);
        Assert.Equal(first, unchanged);
        Assert.Equal(1, later);
        Assert.Equal(["2025-09-26 市教育局 request: 1 0 0 0 0"], await _bed.LightDailyRowsAsync());
    }

    [Fact]
    public async Task A_given_day_is_recorded_under_that_day_and_the_next_office_day_starts_at_local_midnight()
    {
        var snapshots = _bed.NewLightDailySnapshots();
        await RequestAsync("zhang", "市司法局", "司法局的申请");

        await snapshots.RecordAsync(new DateOnly(2025, 9, 1), default);
        // 16:00 UTC on the 26th is already the 27th in the office's zone.
        _bed.Clock.Advance(new DateTimeOffset(2025, 9, 26, 16, 0, 0, TimeSpan.Zero) - _bed.Clock.GetUtcNow());
        await snapshots.RecordAsync(null, default);

        Assert.Equal(["2025-09-01 市司法局 request: 1 0 0 0 0", "2025-09-27 市司法局 request: 1 0 0 0 0"], await _bed.LightDailyRowsAsync());
    }
}

public sealed class SqliteLightDailySnapshotTests() : LightDailySnapshotTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresLightDailySnapshotTests() : LightDailySnapshotTests(DatabaseProvider.PostgreSql);
