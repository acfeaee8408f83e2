using Dapper;
using Supervision.Engine.Clocks;
using Supervision.Engine.Items;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Workflows;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// The server's clock jumps: forward an hour (or days, a machine resumed from sleep), back an hour (a correction, or a
/// second instance whose clock is behind). Every light change is recorded once, none is missed, none is turned back to
/// be turned again, and the ladder is told once per change.
/// </summary>
public abstract class ClockJumpTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    // Requests received on 2025-09-26 turn yellow at 2025-10-23 00:00 and red at 2025-10-31 00:00 (CST).
    private static readonly DateTimeOffset Yellow = new(2025, 10, 23, 0, 0, 0, Cst);
    private static readonly DateTimeOffset Red = new(2025, 10, 31, 0, 0, 0, Cst);
    private WorkflowTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await WorkflowTestBed.CreateAsync(provider, new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst));

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private async Task<List<long>> RegisterAsync(int count, bool accept)
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var item = await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As("zhang"), $"申请公开{i}", _bed.Departments["市司法局"],
                new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = "2025-09-26", ["applicant"] = "李某", ["content"] = "内容" }, default);
            if (accept)
            {
                await _bed.Workflows.CompleteAsync(item.Id, await _bed.As("zhang"), "review", "accepted", null, new Dictionary<string, string>(), null, default);
            }

            ids.Add(item.Id);
        }

        return ids;
    }

    private void SetClock(DateTimeOffset at) => _bed.Clock.Advance(at - _bed.Clock.GetUtcNow());

    /// <summary>Each item's recorded light changes in order, and the notices sent about it.</summary>
    private async Task<(Dictionary<long, List<string>> Lights, List<(long Item, string Login, string Kind)> Notices)> RecordAsync()
    {
        await using var connection = await _bed.Database.OpenAsync(default);
        var lights = (await connection.QueryAsync<(long Item, string From, string To)>(
                "SELECT item_id, from_light, to_light FROM item_history WHERE from_light IS NOT NULL AND to_light IS NOT NULL AND from_light <> to_light ORDER BY item_id, seq"))
            .GroupBy(r => r.Item).ToDictionary(g => g.Key, g => g.Select(r => $"{r.From}>{r.To}").ToList());
        var notices = (await connection.QueryAsync<(long Item, string Login, string Kind)>(
            "SELECT n.item_id, u.login, n.kind FROM notices n JOIN users u ON u.id = n.recipient_user_id ORDER BY n.id")).ToList();
        return (lights, notices);
    }

    /// <summary>Each item's light changes were exactly green to yellow to red, each told to its handler once.</summary>
    private async Task AssertEachTurnedYellowThenRedOnceAsync(List<long> ids)
    {
        var (lights, notices) = await RecordAsync();
        Assert.Equal(ids, lights.Keys.Order());
        Assert.All(lights.Values, l => Assert.Equal(["green>yellow", "yellow>red"], l));
        Assert.Equal(notices.Count, notices.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(["red", "yellow"], notices.Where(n => n.Item == id && n.Login == "zhang").Select(n => n.Kind).Order()));
    }

    /// <summary>Every item's history and clock events in time order: nothing recorded earlier than what came before it.</summary>
    private async Task AssertRecordsRunForwardAsync()
    {
        await using var connection = await _bed.Database.OpenAsync(default);
        foreach (var (table, column) in new[] { ("item_history", "at"), ("clock_events", "at") })
        {
            var rows = (await connection.QueryAsync<(long Item, DateTimeOffset At)>($"SELECT item_id, {column} FROM {table} ORDER BY item_id, seq")).ToList();
            Assert.NotEmpty(rows);
            Assert.All(rows.Zip(rows.Skip(1)).Where(p => p.First.Item == p.Second.Item), p => Assert.True(p.First.At <= p.Second.At, $"{table} of item {p.First.Item}: {p.Second.At} after {p.First.At}"));
        }
    }

    [Fact]
    public async Task A_clock_moved_forward_applies_every_change_it_passed_once()
    {
        // Accepted: at handling only the reply deadline lights (the review's own limit would light as well).
        var ids = await RegisterAsync(20, accept: true);
        var transitions = _bed.NewTransitions();
        SetClock(Yellow.AddMinutes(-30));
        Assert.Equal(0, await transitions.ProcessDueAsync(null, default));

        // An hour forward across the yellow instant: each item turns yellow once, at the next tick.
        SetClock(Yellow.AddMinutes(30));
        Assert.Equal(20, await transitions.ProcessDueAsync(null, default));
        Assert.Equal(0, await transitions.ProcessDueAsync(null, default));

        // Days forward across the red instant (a machine resumed from sleep): each turns red once.
        SetClock(Red.AddDays(2));
        Assert.Equal(20, await transitions.ProcessDueAsync(null, default));
        Assert.Equal(0, await transitions.ProcessDueAsync(null, default));

        await AssertEachTurnedYellowThenRedOnceAsync(ids);
    }

    [Fact]
    public async Task A_clock_moved_back_turns_no_light_back_and_records_nothing_twice()
    {
        var ids = await RegisterAsync(10, accept: true);
        var transitions = _bed.NewTransitions();
        SetClock(Yellow.AddMinutes(30));
        Assert.Equal(10, await transitions.ProcessDueAsync(null, default));

        // An hour back, to before the instant the lights turned: a tick finds nothing, and handlers keep working on
        // the items (pausing, reporting) — each action is recorded at the item's own latest time, the light stays.
        SetClock(Yellow.AddMinutes(-30));
        Assert.Equal(0, await transitions.ProcessDueAsync(null, default));
        var zhang = await _bed.As("zhang");
        foreach (var id in ids)
        {
            var reported = await _bed.Workflows.ReportAsync(id, zhang, null, "已完成初步核查", null, default);
            Assert.Equal(Light.Yellow, reported.Light);
            var paused = await _bed.Workflows.PauseAsync(id, zhang, null, PauseReason.ThirdPartyConsultation, "征求第三方意见", null, null, default);
            Assert.True(paused.Paused);
        }

        // A second instance whose clock is behind by an hour runs its transitions: nothing is due to it, nothing changes.
        Assert.Equal(0, await transitions.ProcessDueAsync(Yellow.AddMinutes(-45), default));

        // Time catches up and runs on: resumed, the items turn red once, never yellow twice.
        SetClock(Yellow.AddMinutes(45));
        Assert.Equal(0, await transitions.ProcessDueAsync(null, default));
        foreach (var id in ids)
        {
            Assert.Equal(Light.Yellow, (await _bed.Workflows.ResumeAsync(id, zhang, null, "意见已回复", null, null, default)).Light);
        }

        SetClock(Red.AddDays(1));
        Assert.Equal(10, await transitions.ProcessDueAsync(null, default));
        Assert.Equal(0, await transitions.ProcessDueAsync(null, default));

        await AssertEachTurnedYellowThenRedOnceAsync(ids);
        await AssertRecordsRunForwardAsync();
        Assert.True((await new HistoryAudit(_bed.Database, _bed.Clock).VerifyAsync(default)).Intact);
    }
}

public sealed class SqliteClockJumpTests() : ClockJumpTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresClockJumpTests() : ClockJumpTests(DatabaseProvider.PostgreSql);
