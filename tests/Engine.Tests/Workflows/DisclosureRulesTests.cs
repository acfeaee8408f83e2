using System.Text.Json;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;

namespace Supervision.Engine.Tests.Workflows;

/// <summary>
/// The disclosure request's clock events on the right day and the limits the Regulations set on corrections
/// (art. 30), pauses (arts. 32, 34), extensions (art. 33), overrides (art. 35) and the reply date, each named by its
/// article, decided by the engine alone: a request is moved by the engine's decisions as storage would apply them.
/// </summary>
public sealed class DisclosureRulesTests
{
    private const long Bureau = 2;
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private static readonly WorkflowDefinition Definition = DefinitionLoader.Load(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "workflows", "disclosure-request.json")), "disclosure-request.json").Definition!;

    private static readonly WorkflowContext Context = new(new ClockContext(StatutoryCalendar.Calendar, StatutoryCalendar.Shanghai), _ => "市司法局", _ => null);

    private static readonly Actor Handler = new("zhang", Role.Handler, Bureau, new HashSet<long> { Bureau });
    private static readonly Actor Lead = new("wang", Role.Lead, Bureau, new HashSet<long> { Bureau });

    private static DateTimeOffset At(int year, int month, int day, int hour = 10) => new(year, month, day, hour, 0, 0, Cst);

    private static DateOnly Day(int year, int month, int day) => new(year, month, day);

    /// <summary>A request as storage holds it: its state, history and the clock folded, moved by each decision.</summary>
    private sealed class Request
    {
        private readonly List<HistoryEntry> _history = [];

        public Request(string receivedOn, DateTimeOffset now)
        {
            var registration = WorkflowEngine.Register(Definition, Handler, "申请公开行政复议统计", Bureau, new Dictionary<string, string>
            {
                ["channel"] = "post",
                ["receivedOn"] = receivedOn,
                ["applicant"] = "李某",
                ["content"] = "2024年行政复议案件统计数据",
            }, now, Context);
            _history.Add(registration.History with { Sequence = 1 });
            var events = new List<ClockEvent> { registration.Start! };
            State = new InstanceState(registration.Item with { Id = 42, Version = 1 }, events, Fold(events), []);
        }

        public InstanceState State { get; private set; }

        public IReadOnlyList<HistoryEntry> History => _history;

        public ClockState Clock => State.Clock;

        public Request Apply(Decision decision)
        {
            var events = State.ClockEvents.Concat(decision.ClockChanges.Select(c => c.Event)).ToList();
            foreach (var entry in decision.History)
            {
                _history.Add(entry with { Sequence = _history.Count + 1 });
            }

            var closedAt = decision.Close ? decision.History[0].At : State.Item.ClosedAt;
            State = new InstanceState(State.Item with { Step = decision.Step, ClosedAt = closedAt, Version = _history.Count }, events, Fold(events), [])
            {
                PendingExtensions = WorkflowEngine.PendingExtensions(_history),
            };
            return this;
        }

        public Request Complete(string step, string outcome, DateTimeOffset now, Dictionary<string, string>? fields = null, Actor? actor = null) =>
            Apply(WorkflowEngine.Complete(Definition, State, actor ?? Handler, step, outcome, null, fields ?? [], now, Context));

        public Request Return(string toStep, DateTimeOffset now) =>
            Apply(WorkflowEngine.Return(Definition, State, Handler, null, toStep, "退回重新审核", now, Context));

        public Request Act(ClockEvent e, StepAction action, Actor? actor = null) =>
            Apply(WorkflowEngine.ClockAction(Definition, State, actor ?? Handler, action, null, e, e.At, Context));

        public Request Extend(Actor actor, int workingDays, DateTimeOffset now) =>
            Apply(WorkflowEngine.Extend(Definition, State, actor, null, new TimeLimit.WorkingDays(workingDays), "需调取档案", now, Context));

        public Light LightAt(DateTimeOffset now) => LightRules.Evaluate(Clock, Definition.Clock.Policy.Light, Context.ClockFor(Definition), now).Light;

        public JsonElement LastDetail() => JsonDocument.Parse(_history[^1].Detail).RootElement;

        private static ClockState Fold(IEnumerable<ClockEvent> events) => Supervision.Engine.Clocks.Clock.Fold(events, Context.ClockFor(Definition));
    }

    private static WorkflowRefusedException Refused(Action act) => Assert.IsType<WorkflowRefusedException>(Record.Exception(act));

    private static void CitesArticle(WorkflowRefusedException refused, RefusalKind kind, string chinese, string english)
    {
        Assert.Equal(kind, refused.Kind);
        Assert.Contains(chinese, refused.Message, StringComparison.Ordinal);
        Assert.Contains(english, refused.Message, StringComparison.Ordinal);
    }

    // Received Friday 2025-09-26: review due 2025-10-13 (7 working days), reply due 2025-10-30 (20 working days).
    private static Request Received() => new("2025-09-26", At(2025, 9, 26));

    // Asked for a correction on 09-29; the corrected application arrived on the day given and was entered on 10-15.
    private static Request Corrected(string correctedOn) => Received()
        .Complete("review", "correction-requested", At(2025, 9, 29))
        .Complete("await-correction", "corrected", At(2025, 10, 15), new() { ["correctedOn"] = correctedOn });

    [Fact]
    public void Article_30_a_second_correction_is_refused_when_the_request_is_returned_to_review()
    {
        var request = Corrected("2025-10-15").Return("review", At(2025, 10, 16));

        var again = Refused(() => request.Complete("review", "correction-requested", At(2025, 10, 16), new() { ["reason"] = "材料仍不清楚" }));

        CitesArticle(again, RefusalKind.Rule, "第三十条", "article 30");
        Assert.Contains("already asked for on 2025-09-29", again.Message, StringComparison.Ordinal);
        Assert.Equal(1, request.State.CorrectionsAsked);
    }

    [Fact]
    public void Article_30_the_period_counts_afresh_once_even_when_returned_to_await_correction()
    {
        var request = Corrected("2025-10-14").Return("await-correction", At(2025, 10, 20));

        var again = Refused(() => request.Complete("await-correction", "corrected", At(2025, 10, 20), new() { ["correctedOn"] = "2025-10-20" }));

        CitesArticle(again, RefusalKind.Rule, "第三十条", "article 30");
        Assert.Contains("already did from 2025-10-14", again.Message, StringComparison.Ordinal);
        Assert.Equal(Day(2025, 11, 11), request.Clock.DueDay);
    }

    [Fact]
    public void Article_30_the_period_does_not_count_afresh_without_a_correction_asked_for()
    {
        var request = Received().Complete("review", "accepted", At(2025, 9, 29)).Return("await-correction", At(2025, 10, 9));

        var restart = Refused(() => request.Complete("await-correction", "corrected", At(2025, 10, 9), new() { ["correctedOn"] = "2025-10-09" }));

        CitesArticle(restart, RefusalKind.Rule, "第三十条", "article 30");
        Assert.Equal(Day(2025, 10, 30), request.Clock.DueDay);
    }

    [Fact]
    public void Article_30_after_acceptance_the_clock_pauses_only_for_consultation_not_for_a_correction()
    {
        var request = Received().Complete("review", "accepted", At(2025, 9, 29));

        var pause = Refused(() => request.Act(new ClockEvent.Paused(At(2025, 10, 9), PauseReason.AwaitingCorrection), StepAction.Pause));
        var offered = WorkflowEngine.Available(Definition, request.State, Handler).Single(a => a.Action == "pause");

        CitesArticle(pause, RefusalKind.Rule, "第三十条", "article 30");
        Assert.Equal(["third-party-consultation", "agency-consultation"], offered.Choices);
        Assert.DoesNotContain(Definition.Clock.PauseReasons, r => r.Reason == PauseReason.Custom);
    }

    [Fact]
    public void Article_30_a_correction_asked_for_after_7_working_days_from_receipt_needs_a_reason_and_is_recorded_late()
    {
        // Review due 2025-10-13 counted from receipt (09-26), whenever the request was entered.
        var onTime = Received().Complete("review", "correction-requested", At(2025, 10, 13, 17));
        var noReason = Refused(() => Received().Complete("review", "correction-requested", At(2025, 10, 14)));
        var late = Received().Complete("review", "correction-requested", At(2025, 10, 14), new() { ["reason"] = "申请材料经转办后才送达" });

        Assert.False(onTime.LastDetail().TryGetProperty("late", out _));
        Assert.Equal(RefusalKind.Invalid, noReason.Kind);
        Assert.StartsWith("reason: required", noReason.Message, StringComparison.Ordinal);
        Assert.Contains("7 working days of article 30", noReason.Message, StringComparison.Ordinal);
        Assert.True(late.LastDetail().GetProperty("late").GetBoolean());
        Assert.Equal("申请材料经转办后才送达", late.LastDetail().GetProperty("reason").GetString());
        Assert.Equal(ClockStatus.Paused, late.Clock.Status);
    }

    [Fact]
    public void Article_30_the_period_counts_afresh_from_the_day_the_corrected_application_arrived_never_a_future_or_earlier_day()
    {
        var asked = Received().Complete("review", "correction-requested", At(2025, 9, 29));

        var missing = Refused(() => asked.Complete("await-correction", "corrected", At(2025, 10, 20)));
        var future = Refused(() => asked.Complete("await-correction", "corrected", At(2025, 10, 20), new() { ["correctedOn"] = "2025-10-21" }));
        var beforeAsked = Refused(() => asked.Complete("await-correction", "corrected", At(2025, 10, 20), new() { ["correctedOn"] = "2025-09-28" }));
        var corrected = asked.Complete("await-correction", "corrected", At(2025, 10, 20), new() { ["correctedOn"] = "2025-10-15" });

        Assert.Equal((RefusalKind.Invalid, RefusalKind.Invalid, RefusalKind.Invalid), (missing.Kind, future.Kind, beforeAsked.Kind));
        Assert.StartsWith("correctedOn: required", missing.Message, StringComparison.Ordinal);
        Assert.Equal("correctedOn: 2025-10-21 is in the future; enter it once it has happened", future.Message);
        Assert.Equal("correctedOn: 2025-09-28 is before the correction was asked for (2025-09-29)", beforeAsked.Message);
        // Entered on 10-20, counted from the paper file of 10-15: 20 working days to 11-12.
        Assert.Equal((Day(2025, 10, 15), Day(2025, 11, 12)), (corrected.Clock.StartDay, corrected.Clock.DueDay));
    }

    [Fact]
    public void Articles_32_and_34_a_pause_and_its_end_take_the_days_of_the_letters_not_the_days_they_were_entered()
    {
        // The consultation letter went out Thursday 10-09 (entered Monday 10-13); the answer came Monday 10-20 (entered
        // 10-22): 16 working days were left on 10-09 and count from 10-21, as if entered on those days.
        var request = Received().Complete("review", "accepted", At(2025, 9, 29))
            .Act(new ClockEvent.Paused(At(2025, 10, 13), PauseReason.ThirdPartyConsultation, "征求某公司意见", Day(2025, 10, 9)), StepAction.Pause);
        Assert.Equal(16, request.Clock.RemainingDays);

        request.Act(new ClockEvent.Resumed(At(2025, 10, 22), "已收到回复", Day(2025, 10, 20)), StepAction.Resume);

        Assert.Equal(Day(2025, 11, 11), request.Clock.DueDay);
        var entry = request.History[^1];
        Assert.Equal(("zhang", At(2025, 10, 22), "resume"), (entry.Actor, entry.At, entry.Action));
        Assert.Equal("2025-10-20", request.LastDetail().GetProperty("data").GetProperty("on").GetString());
    }

    [Fact]
    public void A_pause_or_resumption_dated_in_the_future_or_before_the_clocks_previous_event_is_refused_naming_on()
    {
        var request = Received().Complete("review", "accepted", At(2025, 9, 29));

        var future = Refused(() => request.Act(new ClockEvent.Paused(At(2025, 10, 9), PauseReason.ThirdPartyConsultation, null, Day(2025, 10, 10)), StepAction.Pause));
        var beforeReceipt = Refused(() => request.Act(new ClockEvent.Paused(At(2025, 10, 9), PauseReason.ThirdPartyConsultation, null, Day(2025, 9, 25)), StepAction.Pause));
        request.Act(new ClockEvent.Paused(At(2025, 10, 9), PauseReason.ThirdPartyConsultation, null, Day(2025, 10, 9)), StepAction.Pause);
        var beforePause = Refused(() => request.Act(new ClockEvent.Resumed(At(2025, 10, 20), null, Day(2025, 10, 8)), StepAction.Resume));

        Assert.Equal("on: 2025-10-10 is in the future; enter it once it has happened", future.Message);
        Assert.Equal("on: 2025-09-25 is before the clock's previous event (started on 2025-09-26)", beforeReceipt.Message);
        Assert.Equal("on: 2025-10-08 is before the clock's previous event (paused on 2025-10-09)", beforePause.Message);
        Assert.All([future, beforeReceipt, beforePause], r => Assert.Equal(RefusalKind.Invalid, r.Kind));
    }

    // Received Thursday 2026-11-05: due Thursday 2026-12-03.
    private static Request ReadyToReply(string receivedOn, DateTimeOffset now) =>
        new Request(receivedOn, now).Complete("review", "accepted", now).Complete("handle", "ready-to-reply", now);

    [Fact]
    public void Article_33_a_reply_dated_before_the_due_day_is_on_time_though_entered_after_it()
    {
        var request = ReadyToReply("2026-11-05", At(2026, 11, 6));
        Assert.Equal(Day(2026, 12, 3), request.Clock.DueDay);

        request.Complete("reply", "disclosed", At(2026, 12, 6), new() { ["replyDate"] = "2026-12-02", ["delivery"] = "post" });

        Assert.Equal(Light.DoneOnTime, request.LightAt(At(2026, 12, 6)));
        Assert.Equal(At(2026, 12, 2, 0), request.Clock.StoppedAt);
    }

    [Fact]
    public void Article_33_a_reply_dated_after_the_due_day_is_late_and_a_future_reply_date_is_refused()
    {
        // Received Wednesday 2026-11-18: due Wednesday 2026-12-16.
        var request = ReadyToReply("2026-11-18", At(2026, 11, 19));
        Assert.Equal(Day(2026, 12, 16), request.Clock.DueDay);

        var future = Refused(() => request.Complete("reply", "disclosed", At(2026, 12, 10), new() { ["replyDate"] = "2027-01-15", ["delivery"] = "post" }));
        var beforeReceipt = Refused(() => request.Complete("reply", "disclosed", At(2026, 12, 10), new() { ["replyDate"] = "2026-11-17", ["delivery"] = "post" }));
        request.Complete("reply", "disclosed", At(2027, 1, 16), new() { ["replyDate"] = "2027-01-15", ["delivery"] = "post" });

        Assert.Equal("replyDate: 2027-01-15 is in the future; enter it once it has happened", future.Message);
        Assert.Equal("replyDate: 2026-11-17 is before the request was received (2026-11-18)", beforeReceipt.Message);
        Assert.Equal(Light.DoneLate, request.LightAt(At(2027, 1, 16)));
    }

    [Fact]
    public void Article_33_an_overdue_or_paused_request_is_not_extended()
    {
        // Due 2026-12-03; on 12-06 it is red and stays red: neither the lead nor a handler's request can extend it.
        var overdue = new Request("2026-11-05", At(2026, 11, 6)).Complete("review", "accepted", At(2026, 11, 6));
        var byLead = Refused(() => overdue.Extend(Lead, 10, At(2026, 12, 6)));
        var asked = Refused(() => overdue.Extend(Handler, 10, At(2026, 12, 6)));
        var paused = new Request("2026-11-05", At(2026, 11, 6)).Complete("review", "accepted", At(2026, 11, 6))
            .Act(new ClockEvent.Paused(At(2026, 11, 20), PauseReason.AgencyConsultation), StepAction.Pause);
        var whilePaused = Refused(() => paused.Extend(Lead, 10, At(2026, 11, 23)));

        CitesArticle(byLead, RefusalKind.Rule, "第三十三条", "article 33");
        CitesArticle(asked, RefusalKind.Rule, "第三十三条", "article 33");
        CitesArticle(whilePaused, RefusalKind.Rule, "第三十三条", "article 33");
        Assert.Contains("2026-12-03", byLead.Message, StringComparison.Ordinal);
        Assert.Equal(Light.Red, overdue.LightAt(At(2026, 12, 6)));
        Assert.DoesNotContain(WorkflowEngine.Available(Definition, overdue.State, Lead, At(2026, 12, 6)), a => a.Action == "extend");
    }

    [Fact]
    public void Article_33_a_handlers_extension_is_a_request_that_the_head_of_the_disclosure_office_approves()
    {
        var request = Received().Complete("review", "accepted", At(2025, 9, 29)).Extend(Handler, 10, At(2025, 10, 20));

        Assert.Equal(Day(2025, 10, 30), request.Clock.DueDay);
        Assert.Equal(WorkflowEngine.ExtensionRequested, request.History[^1].Action);
        Assert.Equal(10, request.LastDetail().GetProperty("workingDays").GetInt32());
        var pending = Assert.Single(request.State.PendingExtensions);
        Assert.Equal((new TimeLimit.WorkingDays(10), "zhang"), (pending.By, pending.RequestedBy));
        Assert.DoesNotContain(WorkflowEngine.Available(Definition, request.State, Handler, At(2025, 10, 20)), a => a.Action is "extend" or "approve-extension");
        Assert.Equal(["approve-extension", "reject-extension"], WorkflowEngine.Available(Definition, request.State, Lead, At(2025, 10, 20)).Select(a => a.Action).Where(a => a.Contains("extension", StringComparison.Ordinal)));
        var twice = Refused(() => request.Extend(Handler, 5, At(2025, 10, 20)));
        var byHandler = Refused(() => request.Apply(WorkflowEngine.ApproveExtension(Definition, request.State, Handler, null, At(2025, 10, 21), Context)));

        request.Apply(WorkflowEngine.ApproveExtension(Definition, request.State, Lead, null, At(2025, 10, 21), Context));

        Assert.Equal(RefusalKind.Rule, twice.Kind);
        Assert.Equal(RefusalKind.Forbidden, byHandler.Kind);
        Assert.Contains("head of the disclosure office (article 33)", byHandler.Message, StringComparison.Ordinal);
        Assert.Equal(Day(2025, 11, 13), request.Clock.DueDay);
        var extended = Assert.IsType<ClockEvent.Extended>(request.State.ClockEvents[^1]);
        Assert.Equal(("wang", "需调取档案"), (extended.Approver, extended.Reason));
        Assert.Equal((WorkflowEngine.ExtensionApproved, "wang"), (request.History[^1].Action, request.History[^1].Actor));
        Assert.Equal("zhang", request.LastDetail().GetProperty("requestedBy").GetString());
        Assert.Empty(request.State.PendingExtensions);
    }

    [Fact]
    public void Article_33_a_request_approved_after_the_due_day_is_refused_and_a_rejection_needs_reasons()
    {
        var request = Received().Complete("review", "accepted", At(2025, 9, 29)).Extend(Handler, 10, At(2025, 10, 29));

        var late = Refused(() => request.Apply(WorkflowEngine.ApproveExtension(Definition, request.State, Lead, null, At(2025, 10, 31), Context)));
        var bare = Refused(() => request.Apply(WorkflowEngine.RejectExtension(Definition, request.State, Lead, null, " ", At(2025, 10, 31), Context)));
        request.Apply(WorkflowEngine.RejectExtension(Definition, request.State, Lead, null, "理由不充分", At(2025, 10, 31), Context));

        CitesArticle(late, RefusalKind.Rule, "第三十三条", "article 33");
        Assert.StartsWith("reason:", bare.Message, StringComparison.Ordinal);
        Assert.Equal(WorkflowEngine.ExtensionRejected, request.History[^1].Action);
        Assert.Empty(request.State.PendingExtensions);
        Assert.Equal(Day(2025, 10, 30), request.Clock.DueDay);
    }

    [Fact]
    public void Article_33_a_request_left_behind_when_the_request_moves_on_can_be_rejected_but_not_approved()
    {
        var request = Received().Complete("review", "accepted", At(2025, 9, 29)).Extend(Handler, 5, At(2025, 10, 9))
            .Complete("handle", "ready-to-reply", At(2025, 10, 10));

        var offered = WorkflowEngine.Available(Definition, request.State, Lead, At(2025, 10, 10)).Select(a => a.Action).ToList();
        var approve = Refused(() => request.Apply(WorkflowEngine.ApproveExtension(Definition, request.State, Lead, null, At(2025, 10, 10), Context)));
        request.Apply(WorkflowEngine.RejectExtension(Definition, request.State, Lead, null, "已进入答复环节", At(2025, 10, 10), Context));

        Assert.Contains("reject-extension", offered);
        Assert.DoesNotContain("approve-extension", offered);
        Assert.Equal(("'extend' is not allowed at step 'reply' (答复)", RefusalKind.Rule), (approve.Message, approve.Kind));
        Assert.Empty(request.State.PendingExtensions);
    }

    [Fact]
    public void Article_35_an_override_sets_only_a_later_reply_date()
    {
        var request = Received().Complete("review", "accepted", At(2025, 9, 29));
        ClockEvent.Overridden Override(DateOnly due) => new(At(2025, 10, 9), due, null, "wang", "申请数量明显超出合理范围");

        var same = Refused(() => request.Act(Override(Day(2025, 10, 30)), StepAction.Override, Lead));
        var earlier = Refused(() => request.Act(Override(Day(2025, 10, 20)), StepAction.Override, Lead));
        var beforeReceipt = Refused(() => request.Act(Override(Day(2025, 9, 1)), StepAction.Override, Lead));
        request.Act(Override(Day(2025, 12, 31)), StepAction.Override, Lead);

        Assert.All([same, earlier, beforeReceipt], r => CitesArticle(r, RefusalKind.Rule, "第三十五条", "article 35"));
        Assert.Contains("before the request was received (2025-09-26)", beforeReceipt.Message, StringComparison.Ordinal);
        Assert.Contains("not after the current due day 2025-10-30", same.Message, StringComparison.Ordinal);
        Assert.Equal(Day(2025, 12, 31), request.Clock.DueDay);
    }

    [Fact]
    public void The_corrected_outcome_offers_its_declared_date_and_the_late_correction_its_reason()
    {
        var atReview = WorkflowEngine.Available(Definition, Received().State, Handler);
        var asked = Received().Complete("review", "correction-requested", At(2025, 9, 29));
        var awaiting = WorkflowEngine.Available(Definition, asked.State, Handler);

        Assert.Equal(["reason"], atReview.Single(a => a.Outcome == "correction-requested").Fields.Select(f => f.Name));
        Assert.Empty(atReview.Single(a => a.Outcome == "accepted").Fields);
        var corrected = Assert.Single(awaiting.Single(a => a.Outcome == "corrected").Fields);
        Assert.Equal(("correctedOn", FieldType.Date, true), (corrected.Name, corrected.Type, corrected.Required));
        Assert.Empty(awaiting.Single(a => a.Outcome == "lapsed").Fields);
    }
}
