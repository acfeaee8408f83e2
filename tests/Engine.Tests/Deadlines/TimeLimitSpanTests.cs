using Supervision.Engine.Deadlines;
using Supervision.Engine.Import;

namespace Supervision.Engine.Tests.Deadlines;

/// <summary>Limits as data for the pages (no wording to parse), and the rule of a task that waits for its event.</summary>
public sealed class TimeLimitSpanTests
{
    [Theory]
    [InlineData("20 working days", 20, "working-days", false)]
    [InlineData("15 calendar days no roll", 15, "calendar-days", true)]
    [InlineData("1 month", 1, "months", false)]
    [InlineData("5 hours", 5, "hours", false)]
    [InlineData("90 minutes", 90, "minutes", false)]
    public void A_span_is_its_count_and_unit(string notation, int count, string unit, bool noRoll) =>
        Assert.Equal(new LimitSpan(count, unit, noRoll), TimeLimit.Parse(notation).Span());

    [Theory]
    [InlineData("2026-06-30")]
    [InlineData("month-end 2026-09")]
    public void A_date_has_no_span(string notation) => Assert.Null(TimeLimit.Parse(notation).Span());

    [Theory]
    [InlineData("新规出台后1个月内", true)]
    [InlineData("2026年6月底前", false)]
    [InlineData("长期坚持", false)]
    [InlineData("新规出台后1个月内，长期坚持", false)]
    [InlineData("2026年6月底前；新规出台后1个月内", false)]
    public void A_task_waits_for_its_event_only_with_a_span_and_neither_a_date_nor_ongoing_work(string cell, bool awaits) =>
        Assert.Equal(awaits, ChineseDeadlines.Read(cell, 2026).AwaitsEvent);
}
