using Dapper;
using Supervision.Engine.Clocks;
using Supervision.Engine.Items;
using Supervision.Host.Items;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Workflows;

namespace Supervision.Host.Tests.Storage;

/// <summary>The board's kept counts follow every change of an assignment, in its transaction, and always equal a
/// recount of the assignments, before and after their changes are folded in, whoever writes at once.</summary>
public abstract class BoardCountsTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private WorkflowTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await WorkflowTestBed.CreateAsync(provider, new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst));

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private BoardCounts Counts => new(new BoardCountsStore(_bed.Database));

    private async Task<SupervisedItem> RequestAsync(string title, string receivedOn = "2025-09-26") =>
        await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As("zhang"), title, _bed.Departments["市司法局"],
            new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = receivedOn, ["applicant"] = "李某", ["content"] = "内容" }, default);

    private async Task<SupervisedItem> TaskAsync(string title, string deadline)
    {
        var zhao = await _bed.As("zhao");
        var fields = new Dictionary<string, string>
        {
            ["content"] = title,
            ["leadDepartments"] = "市司法局",
            ["responsibleDepartments"] = "市教育局、市自然资源局",
            ["deadline"] = deadline,
        };
        var item = await _bed.Workflows.RegisterAsync(ItemKind.Task, null, zhao, title, _bed.Departments["市政府办公室"], fields, default);
        return await _bed.Workflows.CompleteAsync(item.Id, zhao, "assign", "assigned", null, new Dictionary<string, string>(), null, default);
    }

    /// <summary>The kept counts of one department and kind: green, yellow, red, seriously overdue, paused, on time, late.</summary>
    private async Task<(long, long, long, long, long, long, long)> OfAsync(string department, string? kind)
    {
        await using var connection = await _bed.Database.OpenAsync(default);
        var id = _bed.Departments[department];
        var c = (await Counts.ReadAsync(connection, [id], kind, default)).SingleOrDefault() ?? new DepartmentCounts();
        return (c.Green, c.Yellow, c.Red, c.SeriouslyOverdue, c.Paused, c.DoneOnTime, c.DoneLate);
    }

    private async Task AgreesWithARecountAsync()
    {
        Assert.Empty(await Counts.VerifyAsync(default));
    }

    private async Task<long> PendingAsync()
    {
        await using var connection = await _bed.Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM board_count_changes");
    }

    [Fact]
    public async Task Registering_pausing_transferring_turning_red_and_finishing_each_move_the_counts_and_a_recount_agrees()
    {
        var requests = new List<SupervisedItem>();
        for (var i = 0; i < 4; i++)
        {
            requests.Add(await RequestAsync($"申请{i}"));
        }

        var task = await TaskAsync("推进执法公开", "2025-10-31");
        Assert.Equal((4, 0, 0, 0, 0, 0, 0), await OfAsync("市司法局", "request"));
        Assert.Equal((1, 0, 0, 0, 0, 0, 0), await OfAsync("市司法局", "task"));
        Assert.Equal((5, 0, 0, 0, 0, 0, 0), await OfAsync("市司法局", null));
        Assert.Equal((1, 0, 0, 0, 0, 0, 0), await OfAsync("市教育局", null));
        await AgreesWithARecountAsync();

        // Folding the pending changes leaves the counts as they were and nothing pending.
        Assert.True(await Counts.CompactAsync(default) > 0);
        Assert.Equal(0, await PendingAsync());
        Assert.Equal((5, 0, 0, 0, 0, 0, 0), await OfAsync("市司法局", null));
        await AgreesWithARecountAsync();

        var zhang = await _bed.As("zhang");
        await _bed.Workflows.CompleteAsync(requests[0].Id, zhang, "review", "accepted", null, new Dictionary<string, string>(), null, default);
        await _bed.Workflows.PauseAsync(requests[0].Id, zhang, null, PauseReason.ThirdPartyConsultation, "征求意见", null, null, default);
        await _bed.Workflows.TransferAsync(requests[1].Id, zhang, null, _bed.Departments["市教育局"], "属于教育系统信息", null, default);
        await _bed.Workflows.WithdrawAsync(requests[2].Id, zhang, "申请人撤回申请", null, default);
        Assert.Equal((2, 0, 0, 0, 1, 1, 0), await OfAsync("市司法局", "request"));
        Assert.Equal((1, 0, 0, 0, 0, 0, 0), await OfAsync("市教育局", "request"));
        await AgreesWithARecountAsync();

        // 2025-10-23: requests received 09-26 turn yellow; 11-07: red and seriously overdue; the task (due 10-31) is red by then.
        var transitions = _bed.NewTransitions();
        _bed.Clock.Advance(new DateTimeOffset(2025, 10, 23, 0, 0, 1, Cst) - _bed.Clock.GetUtcNow());
        await transitions.ProcessDueAsync(null, default);
        Assert.Equal((1, 1, 0, 0, 1, 1, 0), await OfAsync("市司法局", "request"));
        await AgreesWithARecountAsync();
        await Counts.CompactAsync(default);
        _bed.Clock.Advance(new DateTimeOffset(2025, 11, 7, 0, 0, 1, Cst) - _bed.Clock.GetUtcNow());
        await transitions.ProcessDueAsync(null, default);
        await transitions.ProcessDueAsync(null, default);
        Assert.Equal((1, 0, 1, 1, 1, 1, 0), await OfAsync("市司法局", "request"));
        var (green, yellow, red, _, _, _, _) = await OfAsync("市自然资源局", "task");
        Assert.Equal((0, 0, 1), (green, yellow, red));
        await AgreesWithARecountAsync();

        // The lead hands in its share (its light moves with its step); the counts still agree.
        var lead = (await _bed.Assignments.ListAsync(task.Id, default)).Single(a => a.DepartmentId == _bed.Departments["市司法局"]);
        await _bed.Workflows.CompleteAsync(task.Id, zhang, "handle", "submitted", lead.Id, new Dictionary<string, string>(), null, default);
        await Counts.CompactAsync(default);
        Assert.Equal(0, await PendingAsync());
        await AgreesWithARecountAsync();
        await using var connection = await _bed.Database.OpenAsync(default);
        var open = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM assignments WHERE closed_at IS NULL");
        var kept = (await Counts.ReadAsync(connection, null, null, default)).Sum(c => c.Green + c.Yellow + c.Red);
        Assert.Equal(open, kept);
    }

    [Fact]
    public async Task Two_instances_changing_lights_while_two_compactions_run_keep_every_change_exactly_once()
    {
        for (var i = 0; i < 40; i++)
        {
            await RequestAsync($"申请{i}", i % 2 == 0 ? "2025-09-26" : "2025-09-25");
        }

        for (var i = 0; i < 10; i++)
        {
            await TaskAsync($"任务{i}", "2025-10-24");
        }

        _bed.Clock.Advance(new DateTimeOffset(2025, 11, 7, 0, 0, 1, Cst) - _bed.Clock.GetUtcNow());
        using var stop = new CancellationTokenSource();
        async Task CompactUntilStoppedAsync()
        {
            var counts = new BoardCounts(new BoardCountsStore(_bed.Database));
            while (!stop.IsCancellationRequested)
            {
                await counts.CompactAsync(default);
            }
        }

        var compactions = new[] { Task.Run(CompactUntilStoppedAsync), Task.Run(CompactUntilStoppedAsync) };
        var a = _bed.NewTransitions();
        var b = _bed.NewTransitions();
        await Task.WhenAll(Task.Run(() => a.ProcessDueAsync(null, default)), Task.Run(() => b.ProcessDueAsync(null, default)));
        await stop.CancelAsync();
        await Task.WhenAll(compactions);

        await AgreesWithARecountAsync();
        await Counts.CompactAsync(default);
        Assert.Equal(0, await PendingAsync());
        await AgreesWithARecountAsync();
        await using var connection = await _bed.Database.OpenAsync(default);
        var kept = (await Counts.ReadAsync(connection, null, null, default)).Sum(c => c.Red);
        // Every request and every task share is red by 11-07.
        Assert.Equal(40 + (10 * 3), kept);
    }

    [Fact]
    public async Task A_recount_repairs_counts_that_were_tampered_with_and_verification_names_the_department()
    {
        await RequestAsync("申请");
        await Counts.CompactAsync(default);
        await using (var connection = await _bed.Database.OpenAsync(default))
        {
            await connection.ExecuteAsync("UPDATE board_counts SET green = green + 5 WHERE department_id = @id", new { id = _bed.Departments["市司法局"] });
        }

        var difference = Assert.Single(await Counts.VerifyAsync(default));
        Assert.Equal((_bed.Departments["市司法局"], "request", 6L, 1L), (difference.DepartmentId, difference.Kind, difference.Kept.Green, difference.Counted.Green));
        Assert.True(await Counts.RebuildAsync(default) > 0);
        await AgreesWithARecountAsync();
        Assert.Equal((1, 0, 0, 0, 0, 0, 0), await OfAsync("市司法局", null));
    }
}

public sealed class SqliteBoardCountsTests() : BoardCountsTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresBoardCountsTests() : BoardCountsTests(DatabaseProvider.PostgreSql);
