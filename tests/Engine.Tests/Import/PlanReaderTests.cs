using Supervision.Engine.Import;

namespace Supervision.Engine.Tests.Import;

/// <summary>A document holding the prose plan and its decomposition table yields the table's tasks, enriched from the prose.</summary>
public sealed class PlanReaderTests
{
    private const string Both = """
        样例区2026年政务公开工作要点
        一、推进决策公开
        1.重大决策预公开。年底前编制重大决策事项目录。（牵头单位：区司法局；责任单位：各街道）
        2.政策解读。同步组织、同步审签、同步部署。（牵头单位：区政府办；责任单位：区司法局；完成时限：长期坚持）
        3.会议开放。邀请公众代表列席会议。（牵头单位：区政府办）
        附件
        样例区2026年政务公开工作要点任务分解表
        序号	主要任务	牵头单位	责任单位	完成时限
        1.重大决策预公开	编制重大决策事项目录并公开。	区司法局		12月底
        	公开决策草案征求意见情况。	区司法局		
        2.政策解读	解读材料与文件同步发布。	区政府办	区司法局	长期坚持
        """;

    [Fact]
    public void The_table_rows_are_the_tasks_and_the_prose_fills_their_blanks_and_plan_text()
    {
        var (layout, plan) = PlanReader.Read(Both, year: null);

        Assert.Equal(PlanLayout.TabSeparated, layout);
        Assert.Equal("样例区2026年政务公开工作要点", plan.Title);
        Assert.Equal(["1", "2"], plan.Items.Select(i => i.Number));
        Assert.Equal(3, plan.Items.Sum(i => i.Tasks.Count));
        var first = plan.Items[0];
        Assert.Equal("重大决策预公开。年底前编制重大决策事项目录。", first.PlanText);
        // Blank 责任单位 cells come from the prose; a blank deadline cell takes the prose's (年底前).
        Assert.All(first.Tasks, t => Assert.Equal("各街道", t.Responsible));
        Assert.Equal(new DateOnly(2026, 12, 31), first.Tasks[1].Deadline.Deadlines.Single().Due);
        // The prose item the table leaves out is reported, not imported.
        var warning = Assert.Single(plan.Warnings);
        Assert.Equal(("number", 5), (warning.Field, warning.Line));
        Assert.Contains("item 3 ('会议开放') has no row in the decomposition table", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_items_match_prose_items_by_title_even_when_numbered_differently()
    {
        var table = new PlanDocument("表", 2026,
        [
            new PlanItem("7", "政策解读", string.Empty, 10, [new PlanTask(10, "发布解读。", string.Empty, string.Empty, ChineseDeadlines.Read(string.Empty, 2026))]),
        ], []);

        var plan = PlanReader.Combine(table, "1.重大决策预公开。（牵头单位：区司法局）\n2.政策解读。同步部署。（牵头单位：区政府办；完成时限：9月底）", 2026);

        var item = Assert.Single(plan.Items);
        Assert.Equal("政策解读。同步部署。", item.PlanText);
        Assert.Equal("区政府办", item.Tasks[0].Lead);
        Assert.Equal(new DateOnly(2026, 9, 30), item.Tasks[0].Deadline.Deadlines.Single().Due);
    }

    [Theory]
    [InlineData("沈阳市2020年政务公开工作要点任务分解表", "沈阳市2020年政务公开工作要点")]
    [InlineData("附件：演示市2026年政务公开工作要点任务分解表", "演示市2026年政务公开工作要点")]
    [InlineData("附件1 样例局2026年政务公开重点任务分解表", "样例局2026年政务公开")]
    [InlineData("2026年政务公开工作要点责任分工", "2026年政务公开工作要点")]
    [InlineData("抚顺县 2020 年政务公开工作要点", "抚顺县 2020 年政务公开工作要点")]
    [InlineData("任务分解表", "任务分解表")]
    public void A_tables_title_names_the_plan_it_decomposes(string title, string plan) =>
        Assert.Equal(plan, PlanReader.PlanName(title));
}
