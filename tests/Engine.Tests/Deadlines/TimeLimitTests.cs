using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Tests.Deadlines;

public sealed class TimeLimitTests
{
    [Theory]
    [InlineData("20 working days", "20 working days")]
    [InlineData("20个工作日", "20 working days")]
    [InlineData("7个工作日内", "7 working days")]
    [InlineData("15 calendar days", "15 calendar days")]
    [InlineData("15日", "15 calendar days")]
    [InlineData("15 days no roll", "15 calendar days no roll")]
    [InlineData("1个月内", "1 month")]
    [InlineData("3 months", "3 months")]
    [InlineData("5小时", "5 hours")]
    [InlineData("90 minutes", "90 minutes")]
    [InlineData("2026-06-30", "2026-06-30")]
    [InlineData("month-end 2026-09", "month-end 2026-09")]
    [InlineData("2026-11-25T17:00+08:00", "2026-11-25T17:00+08:00")]
    [InlineData("2026-11-25T09:00:30Z", "2026-11-25T09:00:30+00:00")]
    public void Limits_parse_and_print_in_one_notation(string text, string printed)
    {
        var limit = TimeLimit.Parse(text);

        Assert.Equal(printed, limit.ToString());
        Assert.Equal(limit, TimeLimit.Parse(limit.ToString()));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("0 working days", "from 1 to 100000")]
    [InlineData("-3 working days", "not a time limit")]
    [InlineData("20 fortnights", "not a time limit")]
    [InlineData("5 hours no roll", "only to calendar days and months")]
    [InlineData("2026-02-30", "not a time limit")]
    [InlineData("2026-11-25T25:00+08:00", "not a valid instant")]
    [InlineData("2026-11-25T17:00", "not a valid instant")]
    public void Bad_limits_say_what_is_wrong(string text, string reason)
    {
        Assert.False(TimeLimit.TryParse(text, out var limit, out var error));
        Assert.Null(limit);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Chinese_rendering_names_the_unit()
    {
        Assert.Equal("20个工作日", TimeLimit.Parse("20 working days").ToChinese());
        Assert.Equal("2026年9月底", TimeLimit.Parse("month-end 2026-09").ToChinese());
        Assert.Equal("5小时", TimeLimit.Parse("5 hours").ToChinese());
        Assert.Equal("2026年11月25日17:00（UTC+08:00）", TimeLimit.Parse("2026-11-25T17:00+08:00").ToChinese());
    }
}
