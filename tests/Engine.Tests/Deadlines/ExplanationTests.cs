using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Tests.Deadlines;

public sealed class ExplanationTests
{
    private static readonly ClockContext Context = new(StatutoryCalendar.Calendar, StatutoryCalendar.Shanghai, new TimeLimit.WorkingDays(20));
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    [Fact]
    public void The_explanation_names_the_start_the_skipped_holidays_the_make_up_days_and_the_due_day()
    {
        var (_, explanation) = Clock.Explain(
            [new ClockEvent.Started(new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst), new DateOnly(2025, 9, 26), new TimeLimit.WorkingDays(20))], Context);

        var zh = explanation.ToChinese();
        var en = explanation.ToEnglish();
        Assert.Equal(["start", "span", "due"], explanation.Steps.Select(s => s.Kind));
        Assert.Contains("2025-09-26（星期五）起算，当日不计入", zh, StringComparison.Ordinal);
        Assert.Contains("国庆节、中秋节（2025-10-01至2025-10-08）", zh, StringComparison.Ordinal);
        Assert.Contains("调休上班日计入：2025-09-28（星期日）、2025-10-11（星期六）", zh, StringComparison.Ordinal);
        Assert.Contains("截止日：2025-10-30（星期四）", zh, StringComparison.Ordinal);
        Assert.Contains("National Day and Mid-Autumn Festival (2025-10-01 to 2025-10-08)", en, StringComparison.Ordinal);
        var span = explanation.Steps[1].Data;
        Assert.Equal(20, span["workingDays"]);
        Assert.Equal(["2025-09-28", "2025-10-11"], (IEnumerable<string>)span["makeUpDaysCounted"]!);
    }

    [Fact]
    public void Pauses_restarts_extensions_and_overrides_each_leave_a_step()
    {
        var events = new ClockEvent[]
        {
            new ClockEvent.Started(new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst), new DateOnly(2025, 9, 26), new TimeLimit.WorkingDays(20)),
            new ClockEvent.Paused(new DateTimeOffset(2025, 9, 29, 10, 0, 0, Cst), PauseReason.AwaitingCorrection),
            new ClockEvent.Restarted(new DateTimeOffset(2025, 10, 15, 10, 0, 0, Cst), new DateOnly(2025, 10, 15)),
            new ClockEvent.Paused(new DateTimeOffset(2025, 10, 20, 10, 0, 0, Cst), PauseReason.ThirdPartyConsultation, "征求某公司意见"),
            new ClockEvent.Resumed(new DateTimeOffset(2025, 11, 3, 10, 0, 0, Cst)),
            new ClockEvent.Extended(new DateTimeOffset(2025, 11, 10, 10, 0, 0, Cst), new TimeLimit.WorkingDays(10), "王主任", "涉及档案调取"),
        };

        var (state, explanation) = Clock.Explain(events, Context);
        var light = LightRules.Explain(state, LightPolicy.DisclosureDefault, Context, new DateTimeOffset(2025, 11, 12, 9, 0, 0, Cst));

        Assert.Equal(["start", "span", "pause", "restart", "span", "pause", "resume", "extend", "span", "due"], explanation.Steps.Select(s => s.Kind));
        Assert.Contains("等待申请人补正（第三十条）", explanation.ToChinese(), StringComparison.Ordinal);
        Assert.Contains("收到补正，期限重新计算（第三十条）", explanation.ToChinese(), StringComparison.Ordinal);
        Assert.Contains("经王主任批准延长10个工作日（第三十三条；理由：涉及档案调取）", explanation.ToChinese(), StringComparison.Ordinal);
        Assert.Contains("征求某公司意见", explanation.ToChinese(), StringComparison.Ordinal);
        Assert.Equal("green", light.Data["light"]);
        Assert.Contains("将于", light.Zh, StringComparison.Ordinal);
        Assert.Contains("turns yellow at", light.En, StringComparison.Ordinal);
    }
}
