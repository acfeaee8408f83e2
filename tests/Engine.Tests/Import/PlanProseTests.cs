using Supervision.Engine.Deadlines;
using Supervision.Engine.Import;

namespace Supervision.Engine.Tests.Import;

public sealed class PlanProseTests
{
    private const string Sample = """
        样例县 2022 年政务公开工作要点

        一、加强政策解读

        1. 做好政策解读。重要政策文件与解读材料同步发布。（牵头单位：县政府办公室；责任单位：各乡镇政府、县政府各部门；完成时限：2022 年 5 月底，长期坚持）

        2．回应社会关切。9月10日前建立舆情回应机制，
        年底前形成工作制度。(牵头单位:县政府新闻办;责任单位:各区县（市）政府)

        二、加强平台建设

        3、优化政府网站。整合栏目，提升检索功能。（牵头单位：县政府办公室）
        4. 规范年报发布。按时发布年报。
        """;

    [Fact]
    public void A_prose_plan_becomes_items_with_units_and_deadlines()
    {
        var plan = PlanProse.Read(Sample, year: null);

        Assert.Equal(2022, plan.Year);
        Assert.Equal(["1", "2", "3", "4"], plan.Items.Select(i => i.Number));
        Assert.Equal(["做好政策解读", "回应社会关切", "优化政府网站", "规范年报发布"], plan.Items.Select(i => i.Title));
        Assert.Equal(["一、加强政策解读", "一、加强政策解读", "二、加强平台建设", "二、加强平台建设"], plan.Items.Select(i => i.Section));

        var first = plan.Items[0].Tasks.Single();
        Assert.Equal(("县政府办公室", "各乡镇政府、县政府各部门"), (first.Lead, first.Responsible));
        Assert.Equal([DeadlineKind.Dated, DeadlineKind.Ongoing], first.Deadline.Deadlines.Select(d => d.Kind));
        Assert.Equal(new TimeLimit.MonthEnd(2022, 5), first.Deadline.Earliest);

        // Joined over two lines; half-width punctuation; a unit with brackets of its own; deadlines from the text.
        var second = plan.Items[1].Tasks.Single();
        Assert.Equal(("县政府新闻办", "各区县（市）政府"), (second.Lead, second.Responsible));
        Assert.Equal([new TimeLimit.FixedDate(new DateOnly(2022, 9, 10)), new TimeLimit.MonthEnd(2022, 12)], second.Deadline.Deadlines.Select(d => d.Limit));
        Assert.Equal("回应社会关切。9月10日前建立舆情回应机制，年底前形成工作制度。", second.Text);

        Assert.Equal(("县政府办公室", string.Empty), (plan.Items[2].Tasks[0].Lead, plan.Items[2].Tasks[0].Responsible));
        var warning = Assert.Single(plan.Warnings);
        Assert.Equal((13, "lead"), (warning.Line, warning.Field));
    }
}

/// <summary>The real published county plan in ../shared/seed-documents.</summary>
[Trait("Requires", "SeedDocuments")]
public sealed class SeedProsePlanTests
{
    [Fact]
    public void A_countys_2020_plan_reads_with_units_for_every_item()
    {
        var plan = PlanProse.Read(Repository.SeedDocument("001_2e21125b0abb3128.txt"), year: null);

        Assert.Equal(2020, plan.Year);
        Assert.True(plan.Items.Count >= 15, $"{plan.Items.Count} items");
        Assert.Equal(Enumerable.Range(1, plan.Items.Count).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), plan.Items.Select(i => i.Number));
        // Two items name only 责任单位; every other item has its lead.
        Assert.Equal([(50, "lead"), (74, "lead")], plan.Warnings.Select(w => (w.Line, w.Field)));
        Assert.Equal(["10", "17"], plan.Items.Where(i => i.Tasks[0].Lead.Length == 0).Select(i => i.Number));
        // Items broken over lines are joined up to their units.
        Assert.EndsWith("提升培训效果。", plan.Items.Single(i => i.Number == "18").Tasks[0].Text, StringComparison.Ordinal);
        var first = plan.Items[0];
        Assert.Equal("建设完成政府信息公开平台", first.Title);
        Assert.Equal(("县政府办公室", "各乡镇政府、县政府各部门"), (first.Tasks[0].Lead, first.Tasks[0].Responsible));
        Assert.Equal(new TimeLimit.MonthEnd(2020, 12), first.Tasks[0].Deadline.Earliest);
    }
}
