using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Tests.Clocks;

public sealed class ClockEventJsonTests
{
    private static readonly DateTimeOffset At = new(2025, 10, 9, 2, 0, 0, TimeSpan.Zero);

    public static TheoryData<ClockEvent> Events() =>
    [
        new ClockEvent.Started(At, new DateOnly(2025, 9, 26), new TimeLimit.WorkingDays(20)),
        new ClockEvent.Started(At, new DateOnly(2025, 9, 26), new TimeLimit.CalendarDays(15, RollToWorkingDay: false)),
        new ClockEvent.Paused(At, PauseReason.ThirdPartyConsultation, "征求某公司意见"),
        new ClockEvent.Paused(At, PauseReason.Custom),
        new ClockEvent.Resumed(At, "收到回复"),
        new ClockEvent.Restarted(At, new DateOnly(2025, 10, 15), "补正材料"),
        new ClockEvent.Extended(At, new TimeLimit.WorkingDays(20), "王主任", "需调取档案"),
        new ClockEvent.Overridden(At, new DateOnly(2025, 12, 31), null, "李处长", "第三十五条"),
        new ClockEvent.Overridden(At, null, At.AddHours(5), "李处长", "紧急"),
        new ClockEvent.Stopped(At),
        new ClockEvent.Paused(At, PauseReason.AgencyConsultation, "征求某局意见", new DateOnly(2025, 10, 6)),
        new ClockEvent.Resumed(At, null, new DateOnly(2025, 10, 8)),
        new ClockEvent.Stopped(At, new DateOnly(2025, 10, 7)),
    ];

    [Fact]
    public void Events_stored_before_they_named_a_day_still_load_without_one()
    {
        Assert.Equal(new ClockEvent.Paused(At, PauseReason.ThirdPartyConsultation, "征求意见"), ClockEventJson.Read("paused", At, """{"reason":"third-party-consultation","note":"征求意见"}"""));
        Assert.Equal(new ClockEvent.Resumed(At), ClockEventJson.Read("resumed", At, """{"note":null}"""));
        Assert.Equal(new ClockEvent.Stopped(At), ClockEventJson.Read("stopped", At, "{}"));
        Assert.Equal("""{"on":"2025-10-07"}""", ClockEventJson.Data(new ClockEvent.Stopped(At, new DateOnly(2025, 10, 7))));
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_event_round_trips_through_its_stored_form(ClockEvent e)
    {
        var again = ClockEventJson.Read(ClockEventJson.Kind(e), e.At, ClockEventJson.Data(e));

        Assert.Equal(e, again);
    }

    [Fact]
    public void Policies_round_trip_through_their_stored_form()
    {
        var policies = new[]
        {
            ClockPolicy.Disclosure,
            new ClockPolicy(new LightPolicy(new YellowRule.ElapsedShare(80)), null),
            new ClockPolicy(new LightPolicy(new YellowRule.RemainingTime(TimeSpan.FromHours(1)), 3), new TimeLimit.Duration(TimeSpan.FromHours(2))),
            new ClockPolicy(new LightPolicy(new YellowRule.Never()), new TimeLimit.CalendarDays(10)),
        };

        foreach (var policy in policies)
        {
            Assert.Equal(policy, ClockPolicy.FromJson(policy.ToJson()));
        }
    }

    [Theory]
    [InlineData("remaining 5 working days", "remaining 5 working days")]
    [InlineData("elapsed 80%", "elapsed 80%")]
    [InlineData("remaining 2 hours", "remaining 2 hours")]
    [InlineData("never", "never")]
    public void Yellow_rules_read_and_print_in_one_notation(string text, string printed)
    {
        Assert.True(ClockPolicy.TryParseYellow(text, out var rule, out _));
        Assert.Equal(printed, ClockPolicy.FormatYellow(rule!));
    }

    [Theory]
    [InlineData("elapsed 180%")]
    [InlineData("remaining 3 months")]
    [InlineData("soon")]
    public void Bad_yellow_rules_are_refused(string text)
    {
        Assert.False(ClockPolicy.TryParseYellow(text, out _, out var error));
        Assert.NotNull(error);
    }
}
