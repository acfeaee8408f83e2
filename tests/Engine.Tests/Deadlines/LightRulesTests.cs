using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;

namespace Supervision.Engine.Tests.Deadlines;

public sealed class LightRulesTests
{
    private static readonly ClockContext Context = new(StatutoryCalendar.Calendar, StatutoryCalendar.Shanghai, new TimeLimit.WorkingDays(20));
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private static ClockState Received(DateOnly day, string limit = "20 working days") =>
        Clock.Fold([new ClockEvent.Started(new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), Cst), day, TimeLimit.Parse(limit))], Context);

    [Fact]
    public void Disclosure_request_turns_yellow_with_5_working_days_left_and_red_after_the_due_day()
    {
        var state = Received(new DateOnly(2025, 9, 26));
        var policy = LightPolicy.DisclosureDefault;

        var green = LightRules.Evaluate(state, policy, Context, new DateTimeOffset(2025, 10, 22, 23, 59, 59, Cst));
        var yellow = LightRules.Evaluate(state, policy, Context, new DateTimeOffset(2025, 10, 23, 0, 0, 0, Cst));
        var stillYellow = LightRules.Evaluate(state, policy, Context, new DateTimeOffset(2025, 10, 30, 23, 59, 59, Cst));
        var red = LightRules.Evaluate(state, policy, Context, new DateTimeOffset(2025, 10, 31, 0, 0, 0, Cst));
        var serious = LightRules.Evaluate(state, policy, Context, new DateTimeOffset(2025, 11, 7, 0, 0, 0, Cst));

        Assert.Equal(Light.Green, green.Light);
        Assert.Equal(new DateTimeOffset(2025, 10, 23, 0, 0, 0, Cst), green.NextChangeAt);
        Assert.Equal(Light.Yellow, yellow.Light);
        Assert.Equal(new DateTimeOffset(2025, 10, 31, 0, 0, 0, Cst), yellow.NextChangeAt);
        Assert.Equal(Light.Yellow, stillYellow.Light);
        Assert.Equal(Light.Red, red.Light);
        Assert.False(red.SeriouslyOverdue);
        Assert.Equal(new DateTimeOffset(2025, 11, 7, 0, 0, 0, Cst), red.NextChangeAt);
        Assert.Equal(Light.Red, serious.Light);
        Assert.True(serious.SeriouslyOverdue);
        Assert.Null(serious.NextChangeAt);
    }

    [Fact]
    public void A_fixed_instant_turns_red_at_that_instant_and_yellow_by_time_remaining_or_share_elapsed()
    {
        var state = Clock.Fold([new ClockEvent.Started(new DateTimeOffset(2026, 11, 25, 9, 0, 0, Cst), new DateOnly(2026, 11, 25), TimeLimit.Parse("2026-11-25T17:00+08:00"))], Context);
        var byTime = new LightPolicy(new YellowRule.RemainingTime(TimeSpan.FromHours(1)));
        var byShare = new LightPolicy(new YellowRule.ElapsedShare(75));

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 17, 0, 0, Cst), state.DueAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 16, 0, 0, Cst), LightRules.Evaluate(state, byTime, Context, new DateTimeOffset(2026, 11, 25, 9, 0, 0, Cst)).NextChangeAt);
        Assert.Equal(Light.Yellow, LightRules.Evaluate(state, byTime, Context, new DateTimeOffset(2026, 11, 25, 16, 0, 0, Cst)).Light);
        Assert.Equal(Light.Green, LightRules.Evaluate(state, byTime, Context, new DateTimeOffset(2026, 11, 25, 15, 59, 59, Cst)).Light);
        Assert.Equal(Light.Red, LightRules.Evaluate(state, byTime, Context, new DateTimeOffset(2026, 11, 25, 17, 0, 0, Cst)).Light);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 15, 0, 0, Cst), LightRules.Evaluate(state, byShare, Context, new DateTimeOffset(2026, 11, 25, 9, 0, 0, Cst)).NextChangeAt);
    }

    [Fact]
    public void A_paused_item_keeps_its_colour_is_flagged_and_has_no_next_change()
    {
        var paused = Clock.Fold(
        [
            new ClockEvent.Started(new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst), new DateOnly(2025, 9, 26), new TimeLimit.WorkingDays(20)),
            new ClockEvent.Paused(new DateTimeOffset(2025, 10, 24, 10, 0, 0, Cst), PauseReason.ThirdPartyConsultation),
        ], Context);

        var reading = LightRules.Evaluate(paused, LightPolicy.DisclosureDefault, Context, new DateTimeOffset(2025, 12, 1, 0, 0, 0, Cst));

        Assert.Equal(Light.Yellow, reading.Light);
        Assert.True(reading.Paused);
        Assert.Null(reading.NextChangeAt);
    }

    [Fact]
    public void Completed_items_are_on_time_or_late_by_the_end_of_the_due_day()
    {
        var start = new ClockEvent.Started(new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst), new DateOnly(2025, 9, 26), new TimeLimit.WorkingDays(20));
        var onTime = Clock.Fold([start, new ClockEvent.Stopped(new DateTimeOffset(2025, 10, 30, 23, 59, 0, Cst))], Context);
        var late = Clock.Fold([start, new ClockEvent.Stopped(new DateTimeOffset(2025, 10, 31, 0, 0, 0, Cst))], Context);
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, Cst);

        Assert.Equal(Light.DoneOnTime, LightRules.Evaluate(onTime, LightPolicy.DisclosureDefault, Context, now).Light);
        Assert.Equal(Light.DoneLate, LightRules.Evaluate(late, LightPolicy.DisclosureDefault, Context, now).Light);
    }

    [Fact]
    public void Elapsed_share_and_remaining_time_rules()
    {
        var state = Received(new DateOnly(2025, 9, 26));
        // 80 % of 20 working days used = 4 or fewer remaining: from Friday 2025-10-24.
        var share = LightRules.Thresholds(state, new LightPolicy(new YellowRule.ElapsedShare(80)), Context);
        var hours = Clock.Fold([new ClockEvent.Started(new DateTimeOffset(2025, 10, 9, 9, 0, 0, Cst), new DateOnly(2025, 10, 9), TimeLimit.Parse("5 hours"))], Context);
        var byTime = LightRules.Thresholds(hours, new LightPolicy(new YellowRule.RemainingTime(TimeSpan.FromHours(1))), Context);
        var hourShare = LightRules.Thresholds(hours, new LightPolicy(new YellowRule.ElapsedShare(50)), Context);

        Assert.Equal(new DateTimeOffset(2025, 10, 24, 0, 0, 0, Cst), share.YellowAt);
        Assert.Equal(new DateTimeOffset(2025, 10, 9, 13, 0, 0, Cst), byTime.YellowAt);
        Assert.Equal(new DateTimeOffset(2025, 10, 9, 14, 0, 0, Cst), byTime.RedAt);
        Assert.Equal(new DateTimeOffset(2025, 10, 9, 11, 30, 0, Cst), hourShare.YellowAt);
    }

    [Fact]
    public void Lights_around_every_threshold_agree_with_a_day_by_day_oracle()
    {
        var naive = new NaiveCalendar(StatutoryCalendar.Calendar);
        var random = new Random(42);
        var checkedInstants = 0;
        for (var i = 0; i < 1500; i++)
        {
            var receipt = new DateOnly(2019, 1, 1).AddDays(random.Next(0, 2700));
            var days = random.Next(1, 45);
            var yellowDays = random.Next(0, 8);
            var seriousAfter = random.Next(1, 10);
            var policy = new LightPolicy(new YellowRule.RemainingWorkingDays(yellowDays), seriousAfter);
            var state = Received(receipt, $"{days} working days");
            var (yellowAt, redAt, seriousAt) = LightRules.Thresholds(state, policy, Context);
            var due = naive.Add(receipt, days);

            foreach (var threshold in new[] { yellowAt!.Value, redAt, seriousAt!.Value })
            {
                foreach (var at in new[] { threshold.AddTicks(-1), threshold, threshold.AddHours(random.Next(1, 72)) })
                {
                    var reading = LightRules.Evaluate(state, policy, Context, at);
                    var (light, serious) = Oracle(naive, due, yellowDays, seriousAfter, at);
                    Assert.True(light == reading.Light && serious == reading.SeriouslyOverdue,
                        $"received {receipt} +{days}wd, yellow<={yellowDays}, serious>{seriousAfter}: at {at:O} expected {light}/{serious}, got {reading.Light}/{reading.SeriouslyOverdue}");
                    if (reading.NextChangeAt is { } next)
                    {
                        Assert.True(next > at);
                        var (before, _) = Oracle(naive, due, yellowDays, seriousAfter, next.AddTicks(-1));
                        var (after, afterSerious) = Oracle(naive, due, yellowDays, seriousAfter, next);
                        Assert.True(before != after || afterSerious != reading.SeriouslyOverdue, $"nothing changes at {next:O}");
                    }

                    checkedInstants++;
                }
            }
        }

        Assert.True(checkedInstants >= 13_500);
    }

    private static (Light Light, bool Serious) Oracle(NaiveCalendar naive, DateOnly due, int yellowDays, int seriousAfter, DateTimeOffset at)
    {
        var local = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, StatutoryCalendar.Shanghai).DateTime);
        var serious = local > naive.Add(due, seriousAfter);
        if (local > due)
        {
            return (Light.Red, serious);
        }

        return (naive.Between(local, due) <= yellowDays ? Light.Yellow : Light.Green, serious);
    }
}
