using Supervision.Engine.Deadlines;
using Supervision.Engine.Import;

namespace Supervision.Engine.Tests.Import;

public sealed class ChineseDeadlinesTests
{
    private static string Describe(DeadlineReading reading) =>
        string.Join(" | ", reading.Deadlines.Select(d => d.Kind switch
        {
            DeadlineKind.Dated => d.Limit!.ToString(),
            DeadlineKind.Relative => $"{d.Event ?? "(event)"} + {d.Limit}",
            _ => d.Kind.ToString().ToLowerInvariant(),
        }));

    [Theory]
    [InlineData("9月底", "month-end 2020-09")]
    [InlineData("12月底前", "month-end 2020-12")]
    [InlineData("9月15日", "2020-09-15")]
    [InlineData("10月底前", "month-end 2020-10")]
    [InlineData("9月10日前", "2020-09-10")]
    [InlineData("年底前", "month-end 2020-12")]
    [InlineData("2022年5月", "month-end 2022-05")]
    [InlineData("2022 年 5 月底，长期坚持", "month-end 2022-05 | ongoing")]
    [InlineData("2020.6", "month-end 2020-06")]
    [InlineData("2020.12", "month-end 2020-12")]
    [InlineData("2020年6月30日前", "2020-06-30")]
    [InlineData("2020年11月底前", "month-end 2020-11")]
    [InlineData("长期坚持", "ongoing")]
    [InlineData("持续推进", "ongoing")]
    [InlineData("实时", "continuous")]
    [InlineData("新规出台后1个月内", "新规出台 + 1 month")]
    [InlineData("5个工作日内", "(event) + 5 working days")]
    [InlineData("首次回应时间不得超过5个小时", "首次回应时间不得超过 + 5 hours")]
    [InlineData("12月底 9月底", "month-end 2020-12 | month-end 2020-09")]
    [InlineData("2020.6  2020.6", "month-end 2020-06")]
    [InlineData("１２月底", "month-end 2020-12")]
    [InlineData("十一月底前", "month-end 2020-11")]
    [InlineData("9月底；12月底", "month-end 2020-09 | month-end 2020-12")]
    public void Every_form_in_the_plans_is_read(string cell, string expected)
    {
        var reading = ChineseDeadlines.Read(cell, 2020);

        Assert.Empty(reading.Warnings);
        Assert.Equal(expected, Describe(reading));
        Assert.Equal(cell, reading.Original);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void A_blank_cell_has_no_deadline_and_no_warning(string? cell)
    {
        var reading = ChineseDeadlines.Read(cell, 2020);

        Assert.True(reading.Blank);
        Assert.Null(reading.Earliest);
    }

    [Theory]
    [InlineData("视情况而定")]
    [InlineData("13月底")]
    [InlineData("2月30日")]
    [InlineData("15日")]
    [InlineData("2020.13")]
    public void Anything_not_understood_is_kept_with_a_warning_never_guessed(string cell)
    {
        var reading = ChineseDeadlines.Read(cell, 2020);

        Assert.Empty(reading.Deadlines);
        Assert.Contains($"'{cell}' is not understood", Assert.Single(reading.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Understood_parts_are_kept_when_another_part_is_not()
    {
        var reading = ChineseDeadlines.Read("9月底 待定", 2020);

        Assert.Equal("month-end 2020-09", Describe(reading));
        Assert.Contains("'待定'", Assert.Single(reading.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_deadlines_that_cannot_be_split_fall_back_to_the_earliest()
    {
        Assert.Equal(new TimeLimit.MonthEnd(2020, 9), ChineseDeadlines.Read("12月底 9月底", 2020).Earliest);
        Assert.Equal(new TimeLimit.FixedDate(new DateOnly(2020, 9, 10)), ChineseDeadlines.Read("9月底 9月10日前 长期坚持", 2020).Earliest);
    }

    [Theory]
    [InlineData("9月10日前，各单位要完成自查并报送结果。", "2020-09-10")]
    [InlineData("制定年度工作方案，于2020年11月底前完成。", "month-end 2020-11")]
    [InlineData("2020年6月30日前完成清理，10月底前全部公开。", "2020-06-30 | month-end 2020-10")]
    [InlineData("收到申请后5个工作日内答复；年底前总结。", "(event) + 5 working days | month-end 2020-12")]
    [InlineData("持续做好政策解读工作。", "")]
    public void Deadlines_inside_a_tasks_text_are_found(string text, string expected) =>
        Assert.Equal(expected, Describe(ChineseDeadlines.FindInText(text, 2020)));
}
