using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Workflows;

/// <summary>The disclosure-request definition walked through every path, on both providers.</summary>
public abstract class DisclosureRequestWorkflowTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private WorkflowTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await WorkflowTestBed.CreateAsync(provider, new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst));

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private static Dictionary<string, string> Registration(string receivedOn = "2025-09-26") => new()
    {
        ["channel"] = "post",
        ["receivedOn"] = receivedOn,
        ["applicant"] = "李某",
        ["content"] = "2024年行政复议案件统计数据",
    };

    private async Task<SupervisedItem> RegisterAsync() =>
        await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As("zhang"), "申请公开行政复议统计", _bed.Departments["市司法局"], Registration(), default);

    private async Task<SupervisedItem> CompleteAsync(SupervisedItem item, string login, string step, string outcome, Dictionary<string, string>? fields = null) =>
        await _bed.Workflows.CompleteAsync(item.Id, await _bed.As(login), step, outcome, null, fields ?? [], null, default);

    private async Task<IReadOnlyList<string>> ActionsAsync(SupervisedItem item) => (await _bed.Items.HistoryAsync(item.Id, default)).Select(h => h.Action).ToList();

    [Fact]
    public async Task Happy_path_from_registration_to_archive()
    {
        var item = await RegisterAsync();
        Assert.Equal("review", item.Step);
        Assert.Equal(new DateOnly(2025, 10, 30), item.DueOn);
        Assert.Equal(new DateOnly(2025, 10, 13), item.StepDueOn);

        _bed.Clock.Advance(TimeSpan.FromDays(3));
        item = await CompleteAsync(item, "zhang", "review", "accepted");
        item = await CompleteAsync(item, "zhang", "handle", "ready-to-reply");
        item = await CompleteAsync(item, "zhang", "reply", "disclosed", new() { ["replyDate"] = "2025-09-29", ["delivery"] = "post" });

        Assert.Equal("archive", item.Step);
        Assert.Equal(Light.DoneOnTime, item.Light);
        Assert.Equal("disclosed", item.Result);
        Assert.NotNull(item.ClosedAt);
        Assert.Null(item.NextChangeAt);
        Assert.Equal(["registered", "complete", "complete", "complete"], await ActionsAsync(item));
        var assignment = Assert.Single(await _bed.Assignments.ListAsync(item.Id, default));
        Assert.Equal(("archive", Light.DoneOnTime, "disclosed"), (assignment.Step, assignment.Light, assignment.Result));
        Assert.NotNull(assignment.ClosedAt);
    }

    [Fact]
    public async Task A_correction_pauses_the_clock_and_restarts_it_from_the_day_it_arrives()
    {
        var item = await RegisterAsync();
        item = await CompleteAsync(item, "zhang", "review", "correction-requested");
        Assert.Equal("await-correction", item.Step);
        Assert.True(item.Paused);
        Assert.Null(item.NextChangeAt);

        _bed.Clock.Advance(TimeSpan.FromDays(19));
        item = await CompleteAsync(item, "zhang", "await-correction", "corrected", new() { ["correctedOn"] = "2025-10-15" });

        Assert.Equal("handle", item.Step);
        Assert.False(item.Paused);
        Assert.Equal(new DateOnly(2025, 11, 12), item.DueOn);
        Assert.Equal(["registered", "complete", "complete"], await ActionsAsync(item));
    }

    [Fact]
    public async Task No_correction_in_time_archives_the_request_as_abandoned()
    {
        var item = await RegisterAsync();
        item = await CompleteAsync(item, "zhang", "review", "correction-requested");
        item = await CompleteAsync(item, "zhang", "await-correction", "lapsed");

        Assert.Equal(("archive", "abandoned"), (item.Step, item.Result));
        Assert.Equal(Light.DoneOnTime, item.Light);
    }

    [Fact]
    public async Task Third_party_consultation_pauses_and_the_remaining_days_count_after_resuming()
    {
        var item = await RegisterAsync();
        item = await CompleteAsync(item, "zhang", "review", "accepted");
        _bed.Clock.Advance(TimeSpan.FromDays(13));   // Thursday 2025-10-09
        item = await _bed.Workflows.PauseAsync(item.Id, await _bed.As("zhang"), null, PauseReason.ThirdPartyConsultation, "征求某公司意见", null, item.Version, default);
        Assert.True(item.Paused);
        _bed.Clock.Advance(TimeSpan.FromDays(11));   // Monday 2025-10-20
        item = await _bed.Workflows.ResumeAsync(item.Id, await _bed.As("zhang"), null, "已收到回复", null, item.Version, default);

        Assert.False(item.Paused);
        Assert.Equal(new DateOnly(2025, 11, 11), item.DueOn);
        Assert.Equal(["registered", "complete", "pause", "resume"], await ActionsAsync(item));
    }

    [Fact]
    public async Task An_extension_up_to_20_working_days_is_granted_and_one_more_day_is_refused()
    {
        var item = await RegisterAsync();
        var atReview = await Assert.ThrowsAsync<WorkflowRefusedException>(async () =>
            await _bed.Workflows.ExtendAsync(item.Id, await _bed.As("zhang"), null, new TimeLimit.WorkingDays(5), "理由", null, default));
        item = await CompleteAsync(item, "zhang", "review", "accepted");

        // The lead (head of the disclosure office, article 33) extends at once.
        item = await _bed.Workflows.ExtendAsync(item.Id, await _bed.As("wang"), null, new TimeLimit.WorkingDays(20), "需调取档案", null, default);
        var over = await Assert.ThrowsAsync<WorkflowRefusedException>(async () =>
            await _bed.Workflows.ExtendAsync(item.Id, await _bed.As("wang"), null, new TimeLimit.WorkingDays(1), "再延", null, default));

        Assert.Equal(RefusalKind.Rule, atReview.Kind);
        Assert.Equal("'extend' is not allowed at step 'review' (审核)", atReview.Message);
        Assert.Equal(new DateOnly(2025, 11, 27), item.DueOn);
        Assert.Equal(RefusalKind.Rule, over.Kind);
        Assert.Equal("Extension would exceed 20 working days: 20 already used, 1 requested.", over.Message);
        Assert.Equal(["registered", "complete", "extend"], await ActionsAsync(item));
    }

    [Fact]
    public async Task A_reply_can_be_returned_to_handling_with_reasons()
    {
        var item = await RegisterAsync();
        item = await CompleteAsync(item, "zhang", "review", "accepted");
        item = await CompleteAsync(item, "zhang", "handle", "ready-to-reply");

        var noReason = await Assert.ThrowsAsync<WorkflowRefusedException>(async () =>
            await _bed.Workflows.ReturnAsync(item.Id, await _bed.As("zhang"), null, "handle", " ", null, default));
        var wrongStep = await Assert.ThrowsAsync<WorkflowRefusedException>(async () =>
            await _bed.Workflows.ReturnAsync(item.Id, await _bed.As("zhang"), null, "register", "理由", null, default));
        item = await _bed.Workflows.ReturnAsync(item.Id, await _bed.As("zhang"), null, "handle", "答复依据不充分", null, default);

        Assert.Equal(RefusalKind.Invalid, noReason.Kind);
        Assert.Contains("can return only to a step that leads to it: handle", wrongStep.Message, StringComparison.Ordinal);
        Assert.Equal("handle", item.Step);
    }

    [Fact]
    public async Task A_transferred_request_belongs_to_the_new_department()
    {
        var item = await RegisterAsync();
        item = await _bed.Workflows.TransferAsync(item.Id, await _bed.As("zhang"), null, _bed.Departments["市教育局"], "属于教育系统信息", null, default);

        // The old department's handler is refused; the item is no longer within his department, so (scope before state)
        // he is answered as for an item that does not exist, not told where it went.
        var oldHandler = await Assert.ThrowsAsync<KeyNotFoundException>(() => CompleteAsync(item, "zhang", "review", "accepted"));
        item = await CompleteAsync(item, "li", "review", "accepted");

        Assert.Equal(_bed.Departments["市教育局"], item.DepartmentId);
        Assert.Equal(Supervision.Host.Items.ItemStore.NoSuchItem(item.Id), oldHandler.Message);
        Assert.Equal(_bed.Departments["市教育局"], Assert.Single(await _bed.Assignments.ListAsync(item.Id, default)).DepartmentId);
    }

    [Fact]
    public async Task People_outside_the_department_or_the_role_are_refused_and_a_lead_may_act()
    {
        var item = await RegisterAsync();

        // Another department's handler: refused before anything of the item is read (scope before state).
        var otherHandler = await Assert.ThrowsAsync<KeyNotFoundException>(() => CompleteAsync(item, "li", "review", "accepted"));
        var supervisor = await Assert.ThrowsAsync<WorkflowRefusedException>(() => CompleteAsync(item, "zhao", "review", "accepted"));
        item = await CompleteAsync(item, "wang", "review", "accepted");
        var handlerOverride = await Assert.ThrowsAsync<WorkflowRefusedException>(async () =>
            await _bed.Workflows.OverrideAsync(item.Id, await _bed.As("zhang"), null, new DateOnly(2025, 12, 31), "大量申请", null, default));

        Assert.Equal(Supervision.Host.Items.ItemStore.NoSuchItem(item.Id), otherHandler.Message);
        Assert.Equal(RefusalKind.Forbidden, supervisor.Kind);
        Assert.Equal(RefusalKind.Forbidden, handlerOverride.Kind);
        Assert.Equal("handle", item.Step);
        var overridden = await _bed.Workflows.OverrideAsync(item.Id, await _bed.As("zhao"), null, new DateOnly(2025, 12, 31), "申请数量明显超出合理范围（第三十五条）", null, default);
        Assert.Equal(new DateOnly(2025, 12, 31), overridden.DueOn);
    }

    [Fact]
    public async Task Completing_a_step_twice_is_a_conflict_and_bad_data_names_the_field()
    {
        var item = await RegisterAsync();
        await CompleteAsync(item, "zhang", "review", "accepted");

        var twice = await Assert.ThrowsAsync<WorkflowRefusedException>(() => CompleteAsync(item, "zhang", "review", "accepted"));
        var badOutcome = await Assert.ThrowsAsync<WorkflowRefusedException>(() => CompleteAsync(item, "zhang", "handle", "shrug"));
        var badRegistration = await Assert.ThrowsAsync<WorkflowRefusedException>(async () =>
            await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As("zhang"), "x", _bed.Departments["市司法局"],
                new Dictionary<string, string> { ["channel"] = "pigeon", ["receivedOn"] = "2025-09-31", ["content"] = "x" }, default));

        Assert.Equal(RefusalKind.Conflict, twice.Kind);
        Assert.Contains("step 'review' is already done", twice.Message, StringComparison.Ordinal);
        Assert.Contains("expected ready-to-reply", badOutcome.Message, StringComparison.Ordinal);
        Assert.Equal(RefusalKind.Invalid, badRegistration.Kind);
        Assert.Contains("channel: 'pigeon' is not one of", badRegistration.Message, StringComparison.Ordinal);
        Assert.Contains("receivedOn: '2025-09-31' is not a date", badRegistration.Message, StringComparison.Ordinal);
        Assert.Contains("applicant: required", badRegistration.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_withdrawn_request_closes_and_refuses_further_actions()
    {
        var item = await RegisterAsync();
        item = await _bed.Workflows.WithdrawAsync(item.Id, await _bed.As("zhang"), "申请人撤回申请", null, default);

        var after = await Assert.ThrowsAsync<WorkflowRefusedException>(() => CompleteAsync(item, "zhang", "review", "accepted"));

        Assert.Equal(("archive", "withdrawn"), (item.Step, item.Result));
        Assert.Equal(RefusalKind.Conflict, after.Kind);
    }

    [Fact]
    public async Task Parallel_completions_of_one_step_let_exactly_one_through()
    {
        var item = await RegisterAsync();
        var actor = await _bed.As("zhang");
        using var go = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
        {
            go.Wait();
            try
            {
                await _bed.Workflows.CompleteAsync(item.Id, actor, "review", "accepted", null, new Dictionary<string, string>(), item.Version, default);
                return "won";
            }
            catch (ConcurrencyException)
            {
                return "conflict";
            }
            catch (WorkflowRefusedException e) when (e.Kind == RefusalKind.Conflict)
            {
                return "conflict";
            }
        })).ToList();
        go.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(r => r == "won"));
        Assert.Equal(11, results.Count(r => r == "conflict"));
        Assert.Equal(["registered", "complete"], await ActionsAsync(item));
        Assert.True((await new HistoryAudit(_bed.Database, _bed.Clock).VerifyAsync(default)).Intact);
    }
}

public sealed class SqliteDisclosureRequestWorkflowTests() : DisclosureRequestWorkflowTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresDisclosureRequestWorkflowTests() : DisclosureRequestWorkflowTests(DatabaseProvider.PostgreSql);
