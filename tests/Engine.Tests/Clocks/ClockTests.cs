using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Tests.Clocks;

public sealed class ClockTests
{
    private static readonly ClockContext Context = new(StatutoryCalendar.Calendar, StatutoryCalendar.Shanghai, new TimeLimit.WorkingDays(20));

    private static DateTimeOffset At(int year, int month, int day, int hour = 10) => new(year, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    private static ClockEvent.Started Received(int year, int month, int day, string limit = "20 working days") =>
        new(At(year, month, day), new DateOnly(year, month, day), TimeLimit.Parse(limit));

    [Fact]
    public void A_request_received_on_Friday_2025_09_26_is_due_2025_10_30_at_the_end_of_the_day()
    {
        var state = Clock.Fold([Received(2025, 9, 26)], Context);

        Assert.Equal(ClockStatus.Running, state.Status);
        Assert.Equal(new DateOnly(2025, 10, 30), state.DueDay);
        Assert.Equal(new DateTimeOffset(2025, 10, 31, 0, 0, 0, TimeSpan.FromHours(8)), state.DueEnd);
        Assert.Empty(state.ProvisionalYears);
    }

    [Fact]
    public void Third_party_consultation_pause_keeps_the_remaining_working_days()
    {
        // Paused Thursday 2025-10-09 with 16 working days left (10-10, make-up Saturday 10-11, 10-13 .. 10-30);
        // resumed Monday 2025-10-20, those 16 count from 10-21.
        var state = Clock.Fold(
        [
            Received(2025, 9, 26),
            new ClockEvent.Paused(At(2025, 10, 9), PauseReason.ThirdPartyConsultation, "征求第三方意见"),
            new ClockEvent.Resumed(At(2025, 10, 20)),
        ], Context);

        Assert.Equal(ClockStatus.Running, state.Status);
        Assert.Equal(new DateOnly(2025, 11, 11), state.DueDay);
    }

    [Fact]
    public void While_paused_the_state_says_what_remains_and_why()
    {
        var state = Clock.Fold([Received(2025, 9, 26), new ClockEvent.Paused(At(2025, 10, 9), PauseReason.AgencyConsultation)], Context);

        Assert.Equal(ClockStatus.Paused, state.Status);
        Assert.Equal(16, state.RemainingDays);
        Assert.Equal(PauseReason.AgencyConsultation, state.PauseReason);
    }

    [Fact]
    public void A_correction_restarts_the_full_limit_from_the_day_it_was_received()
    {
        // Article 30: the reply period counts afresh from receipt of the corrected application.
        var state = Clock.Fold(
        [
            Received(2025, 9, 26),
            new ClockEvent.Paused(At(2025, 9, 29), PauseReason.AwaitingCorrection),
            new ClockEvent.Restarted(At(2025, 10, 15), new DateOnly(2025, 10, 15)),
        ], Context);

        Assert.Equal(ClockStatus.Running, state.Status);
        Assert.Equal(StatutoryCalendar.Calendar.AddWorkingDays(new DateOnly(2025, 10, 15), 20), state.DueDay);
        Assert.Equal(new DateOnly(2025, 10, 15), state.StartDay);
    }

    [Fact]
    public void An_extension_of_20_working_days_is_allowed_and_one_more_day_is_refused()
    {
        var state = Clock.Fold(
        [
            Received(2025, 9, 26),
            new ClockEvent.Extended(At(2025, 10, 20), new TimeLimit.WorkingDays(20), "王主任", "需调取档案"),
        ], Context);

        Assert.Equal(new DateOnly(2025, 11, 27), state.DueDay);
        Assert.Equal(20, state.ExtendedWorkingDays);

        var refused = Clock.TryApply(state, new ClockEvent.Extended(At(2025, 10, 21), new TimeLimit.WorkingDays(1), "王主任", "再延"), Context, out var unchanged, out var error);

        Assert.False(refused);
        Assert.Same(state, unchanged);
        Assert.Equal("Extension would exceed 20 working days: 20 already used, 1 requested.", error);
    }

    [Fact]
    public void Extensions_need_an_approver_and_a_reason_and_a_running_clock()
    {
        var running = Clock.Fold([Received(2025, 9, 26)], Context);
        var paused = Clock.Fold([Received(2025, 9, 26), new ClockEvent.Paused(At(2025, 10, 9), PauseReason.Custom, "x")], Context);

        Assert.False(Clock.TryApply(running, new ClockEvent.Extended(At(2025, 10, 9), new TimeLimit.WorkingDays(5), "", "r"), Context, out _, out var noApprover));
        Assert.False(Clock.TryApply(paused, new ClockEvent.Extended(At(2025, 10, 10), new TimeLimit.WorkingDays(5), "a", "r"), Context, out _, out var whilePaused));
        Assert.False(Clock.TryApply(running, new ClockEvent.Extended(At(2025, 10, 9), new TimeLimit.Duration(TimeSpan.FromHours(5)), "a", "r"), Context, out _, out var wrongUnit));

        Assert.Contains("approver and a reason", noApprover, StringComparison.Ordinal);
        Assert.Equal("Resume the clock before extending it.", whilePaused);
        Assert.Contains("working or calendar days", wrongUnit, StringComparison.Ordinal);
    }

    [Fact]
    public void A_restart_drops_earlier_extensions()
    {
        var state = Clock.Fold(
        [
            Received(2025, 9, 26),
            new ClockEvent.Extended(At(2025, 10, 9), new TimeLimit.WorkingDays(10), "王主任", "r"),
            new ClockEvent.Restarted(At(2025, 10, 15), new DateOnly(2025, 10, 15)),
        ], Context);

        Assert.Equal(0, state.ExtendedWorkingDays);
        Assert.Equal(StatutoryCalendar.Calendar.AddWorkingDays(new DateOnly(2025, 10, 15), 20), state.DueDay);
    }

    [Fact]
    public void An_override_sets_the_due_day_for_mass_requests()
    {
        var state = Clock.Fold(
        [
            Received(2025, 9, 26),
            new ClockEvent.Overridden(At(2025, 10, 9), new DateOnly(2025, 12, 31), null, "李处长", "申请数量明显超出合理范围（第三十五条）"),
        ], Context);

        Assert.Equal(new DateOnly(2025, 12, 31), state.DueDay);
        Assert.True(state.Overridden);
    }

    [Fact]
    public void Events_out_of_order_and_illegal_transitions_are_refused()
    {
        var running = Clock.Fold([Received(2025, 9, 26)], Context);

        Assert.False(Clock.TryApply(running, new ClockEvent.Resumed(At(2025, 10, 1)), Context, out _, out var notPaused));
        Assert.False(Clock.TryApply(running, new ClockEvent.Paused(At(2025, 9, 1), PauseReason.Custom), Context, out _, out var backwards));
        Assert.False(Clock.TryApply(running, Received(2025, 9, 27), Context, out _, out var twice));
        var stopped = Clock.Fold([Received(2025, 9, 26), new ClockEvent.Stopped(At(2025, 10, 9))], Context);
        Assert.False(Clock.TryApply(stopped, new ClockEvent.Stopped(At(2025, 10, 10)), Context, out _, out var stopTwice));

        Assert.Equal("Only a paused clock can be resumed.", notPaused);
        Assert.Contains("time order", backwards, StringComparison.Ordinal);
        Assert.Contains("already started", twice, StringComparison.Ordinal);
        Assert.Equal("The clock is already stopped.", stopTwice);
        Assert.Throws<ClockRuleException>(() => Clock.Fold([Received(2025, 9, 26), new ClockEvent.Resumed(At(2025, 10, 1))], Context));
    }

    [Fact]
    public void Calendar_day_limits_roll_to_the_next_working_day_unless_told_not_to()
    {
        // 2025-09-19 + 15 calendar days = 2025-10-04, inside the National Day holiday; rolls to Thursday 2025-10-09.
        var rolled = Clock.Fold([Received(2025, 9, 19, "15 calendar days")], Context);
        var kept = Clock.Fold([Received(2025, 9, 19, "15 calendar days no roll")], Context);

        Assert.Equal(new DateOnly(2025, 10, 9), rolled.DueDay);
        Assert.Equal(new DateOnly(2025, 10, 4), kept.DueDay);
    }

    [Fact]
    public void Month_limits_end_on_the_corresponding_day_or_the_month_end()
    {
        // Civil Code art. 202: no 31 February, so the last day of February; 2025-02-28 is a Friday.
        var state = Clock.Fold([Received(2025, 1, 31, "1 month")], Context);
        var march = Clock.Fold([Received(2025, 3, 14, "1 month")], Context);

        Assert.Equal(new DateOnly(2025, 2, 28), state.DueDay);
        Assert.Equal(new DateOnly(2025, 4, 14), march.DueDay);
    }

    [Fact]
    public void Hour_limits_end_at_the_exact_instant_and_pause_keeps_the_remaining_time()
    {
        var start = new DateTimeOffset(2025, 10, 1, 9, 30, 0, TimeSpan.FromHours(8));
        var state = Clock.Fold(
        [
            new ClockEvent.Started(start, new DateOnly(2025, 10, 1), TimeLimit.Parse("5 hours")),
            new ClockEvent.Paused(start.AddHours(2), PauseReason.Custom, "等待资料"),
            new ClockEvent.Resumed(start.AddHours(10)),
        ], Context);

        Assert.Null(state.DueDay);
        Assert.Equal(start.AddHours(13), state.DueAt);
        Assert.Equal(state.DueAt, state.DueEnd);
    }

    [Fact]
    public void Deadlines_reaching_into_a_year_without_a_notice_say_so()
    {
        var state = Clock.Fold([Received(2026, 12, 10)], Context);
        var (_, explanation) = Clock.Explain([Received(2026, 12, 10)], Context);

        Assert.Equal([2027], state.ProvisionalYears);
        Assert.Contains(explanation.Steps, s => s.Kind == "calendar-provisional" && s.Zh.Contains("2027年放假安排尚未公布", StringComparison.Ordinal)
            && s.Zh.Contains("全国年节及纪念日放假办法", StringComparison.Ordinal) && s.Zh.Contains("重新计算", StringComparison.Ordinal));
        Assert.Contains("The 2027 holiday arrangement is not yet published: the due day is reckoned from the law", explanation.ToEnglish(), StringComparison.Ordinal);
        Assert.Contains("will be recomputed when the State Council's notice is loaded", explanation.ToEnglish(), StringComparison.Ordinal);
    }

    [Fact]
    public void Pausing_and_resuming_on_the_same_day_changes_nothing()
    {
        var random = new Random(3);
        for (var i = 0; i < 2000; i++)
        {
            var receipt = new DateOnly(2019, 1, 1).AddDays(random.Next(0, 2700));
            var days = random.Next(1, 60);
            var started = new ClockEvent.Started(At(receipt.Year, receipt.Month, receipt.Day), receipt, new TimeLimit.WorkingDays(days));
            var plain = Clock.Fold([started], Context);
            var pauseDay = receipt.AddDays(random.Next(0, 90));
            if (!StatutoryCalendar.Calendar.IsWorkingDay(pauseDay))
            {
                continue;
            }

            var paused = Clock.Fold(
            [
                started,
                new ClockEvent.Paused(At(pauseDay.Year, pauseDay.Month, pauseDay.Day, 11), PauseReason.Custom),
                new ClockEvent.Resumed(At(pauseDay.Year, pauseDay.Month, pauseDay.Day, 15)),
            ], Context);
            Assert.True(plain.DueDay == paused.DueDay, $"{receipt} +{days}, paused {pauseDay}");
        }
    }

    [Fact]
    public void A_pause_moves_the_due_day_by_exactly_the_working_days_it_covered()
    {
        var naive = new NaiveCalendar(StatutoryCalendar.Calendar);
        var random = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            var receipt = new DateOnly(2019, 1, 1).AddDays(random.Next(0, 2600));
            var days = random.Next(5, 40);
            var pauseDay = receipt.AddDays(random.Next(1, 20));
            var resumeDay = pauseDay.AddDays(random.Next(0, 40));
            var due = Clock.Fold(
            [
                new ClockEvent.Started(At(receipt.Year, receipt.Month, receipt.Day), receipt, new TimeLimit.WorkingDays(days)),
                new ClockEvent.Paused(At(pauseDay.Year, pauseDay.Month, pauseDay.Day), PauseReason.Custom),
                new ClockEvent.Resumed(At(resumeDay.Year, resumeDay.Month, resumeDay.Day)),
            ], Context).DueDay!.Value;

            // Oracle: working days used before the pause (receipt, pauseDay], the rest counted after resumeDay.
            var original = naive.Add(receipt, days);
            var used = naive.Between(receipt, pauseDay);
            var remaining = days - used;
            DateOnly expected;
            if (remaining > 0)
            {
                expected = naive.Add(resumeDay, remaining);
            }
            else
            {
                var first = resumeDay;
                while (!naive.IsWorking(first))
                {
                    first = first.AddDays(1);
                }

                expected = naive.Add(first, remaining);
            }

            Assert.True(expected == due, $"received {receipt} +{days} (due {original}), paused {pauseDay}, resumed {resumeDay}: expected {expected}, got {due}");
        }
    }
}
