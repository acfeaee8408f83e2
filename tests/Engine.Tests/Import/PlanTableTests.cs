using Supervision.Engine.Deadlines;
using Supervision.Engine.Import;

namespace Supervision.Engine.Tests.Import;

public sealed class PlanTableTests
{
    // The layout of a city's decomposition table, in the project's own words: header repeated after a page break,
    // section headings, numbered items, continuation rows, a row broken over two lines, two deadlines in one cell.
    private const string Sample = """
        样例市2021年政务公开工作要点任务分解表

        事项名称	主要任务	牵头部门	责任单位	完成时限
        一、加强重点领域信息公开				
        1. 公开权责清单	在门户网站更新权责清单。	市委编办 市政府办公室	区县（市）政府 市政府各部门	9月底
        	更新机构职能信息。	市政府办公室	区县（市）政府	12月底
        	编写机构职能目录。		区县（市）政府	
        2．完善公众参与	健全公众列席会议制度。	市政府办公室	区县（市）政府	12月底 9月底
        	邀请群众代表列席会议。			

        项目名称	主要任务	牵头部门	责任单位	完成时限
        二、加强政策解读				
        3. 提高解读质量	多种形式解读政策，9月10日前报送解读清单。	市政府新闻办		
        		市政府办公室	市政府有关部门	
        4. 回应社会关切	召开新闻发布会回应关切。	市政府新闻办	区县（市）政府	视情况而定
        """;

    [Fact]
    public void A_decomposition_table_becomes_items_with_their_tasks_units_and_deadlines()
    {
        var plan = PlanTable.Read(PlanTable.TabSeparated(Sample), year: null);

        Assert.Equal("样例市2021年政务公开工作要点任务分解表", plan.Title);
        Assert.Equal(2021, plan.Year);
        Assert.Equal(["1", "2", "3", "4"], plan.Items.Select(i => i.Number));
        Assert.Equal(["公开权责清单", "完善公众参与", "提高解读质量", "回应社会关切"], plan.Items.Select(i => i.Title));
        Assert.Equal(["一、加强重点领域信息公开", "一、加强重点领域信息公开", "二、加强政策解读", "二、加强政策解读"], plan.Items.Select(i => i.Section));

        var first = plan.Items[0];
        Assert.Equal(3, first.Tasks.Count);
        Assert.Equal(["市委编办 市政府办公室", "市政府办公室"], first.Lead);
        // A continuation row's empty lead is the item's first row's; its empty time cell is the one above it, merged down.
        Assert.Equal("市委编办 市政府办公室", first.Tasks[2].Lead);
        Assert.Equal(new TimeLimit.MonthEnd(2021, 12), first.Tasks[2].Deadline.Earliest);
        Assert.Equal(new TimeLimit.MonthEnd(2021, 9), first.Tasks[0].Deadline.Earliest);

        // "12月底 9月底" over two task rows: one each, in order.
        Assert.Equal([new TimeLimit.MonthEnd(2021, 12), new TimeLimit.MonthEnd(2021, 9)], plan.Items[1].Tasks.Select(t => t.Deadline.Earliest));

        // A row with only units continues the row above; the deadline comes from the task's text.
        var third = plan.Items[2];
        Assert.Single(third.Tasks);
        Assert.Equal("市政府新闻办 市政府办公室", third.Tasks[0].Lead);
        Assert.Equal("市政府有关部门", third.Tasks[0].Responsible);
        Assert.Equal(new TimeLimit.FixedDate(new DateOnly(2021, 9, 10)), third.Tasks[0].Deadline.Earliest);

        // Not understood: kept as written, with a warning naming the line and field.
        Assert.Equal("视情况而定", plan.Items[3].Tasks[0].Deadline.Original);
        var warning = Assert.Single(plan.Warnings);
        Assert.Equal((15, "deadline"), (warning.Line, warning.Field));
        Assert.Contains("视情况而定", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_year_option_wins_and_without_any_year_the_plan_says_so()
    {
        var rows = PlanTable.TabSeparated("序号\t任务内容\t牵头单位\t责任单位\t时间节点\n1\t报送年报。\t法制科\t办公室\t2020.3\n");

        Assert.Equal(2022, PlanTable.Read(rows, year: 2022).Year);
        var unknown = PlanTable.Read(rows, year: null);
        Assert.Contains(unknown.Warnings, w => w.Field == "year");
        Assert.Equal("报送年报。", unknown.Items.Single().Title);
        Assert.Equal(new TimeLimit.MonthEnd(2020, 3), unknown.Items.Single().Tasks.Single().Deadline.Earliest);
    }

    [Fact]
    public void A_text_without_a_header_is_reported_not_guessed()
    {
        var plan = PlanTable.Read(PlanTable.TabSeparated("一些文字\n1. 一项工作\t9月底\n"), year: 2020);

        Assert.Empty(plan.Items);
        Assert.Contains(plan.Warnings, w => w.Field == "header");
    }
}

/// <summary>The real published decomposition table in ../shared/seed-documents (not part of the project's files).</summary>
[Trait("Requires", "SeedDocuments")]
public sealed class SeedDecompositionTableTests
{
    [Fact]
    public void A_citys_2020_table_reads_into_its_numbered_items_with_every_deadline_understood()
    {
        var plan = PlanTable.Read(PlanTable.TabSeparated(Repository.SeedDocument("000_466ecf843f936c06.txt")), year: null);

        Assert.Equal(2020, plan.Year);
        // The published table numbers two items 18: both are kept, and the importer says so; nothing else is doubtful.
        var expected = Enumerable.Range(1, plan.Items.Count - 1).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        expected.Insert(18, "18");
        Assert.Equal(expected, plan.Items.Select(i => i.Number));
        Assert.True(plan.Items.Count >= 20, $"{plan.Items.Count} items");
        var warning = Assert.Single(plan.Warnings);
        Assert.Equal((57, "number"), (warning.Line, warning.Field));
        Assert.Contains("item number 18 appears 2 times (lines 54, 57)", warning.Message, StringComparison.Ordinal);
        var first = plan.Items[0];
        Assert.Equal("加强权力配置信息公开", first.Title);
        Assert.Equal("一、进一步加强用权信息公开", first.Section);
        Assert.Equal(3, first.Tasks.Count);
        Assert.Equal(["市委编办 市政府办公室", "市政府办公室"], first.Lead);
        Assert.All(plan.Items, i => Assert.All(i.Tasks, t => Assert.NotEqual(string.Empty, t.Text)));
        // Item 8 writes "12月底 9月底" for its two tasks.
        var eight = plan.Items.Single(i => i.Number == "8");
        Assert.Equal([new TimeLimit.MonthEnd(2020, 12), new TimeLimit.MonthEnd(2020, 9)], eight.Tasks.Select(t => t.Deadline.Earliest));
    }
}

public sealed class CellStreamTests
{
    [Fact]
    public void A_table_pasted_one_field_per_line_reads_like_any_table()
    {
        const string text = "样例局2021年政务公开目标任务分解表\n\t序号\n\t任务内容\n\t牵头单位\n\t责任单位\n\t时间节点\n\n"
            + "\t1 \n\t对新规定开展专题宣传。 \n\t法制科\n\t各单位、各科室\n\t新规出台后1个月内\n\n"
            + "\t2 \n\t按时发布年报，\n并报送上级。\n\t办公室\n\t办公室\n\t2021.12\n2021.12\n";

        var plan = PlanTable.Read(PlanTable.CellStream(text), year: null, title: "样例局2021年政务公开目标任务分解表");

        Assert.Equal(2021, plan.Year);
        Assert.Equal(["1", "2"], plan.Items.Select(i => i.Number));
        Assert.Equal("对新规定开展专题宣传。", plan.Items[0].Tasks[0].Text);
        Assert.Equal(("法制科", "各单位、各科室"), (plan.Items[0].Tasks[0].Lead, plan.Items[0].Tasks[0].Responsible));
        Assert.Equal(Supervision.Engine.Import.DeadlineKind.Relative, plan.Items[0].Tasks[0].Deadline.Deadlines.Single().Kind);
        Assert.Equal("按时发布年报，并报送上级。", plan.Items[1].Tasks[0].Text);
        // The same date written twice in the cell is one deadline.
        Assert.Equal(new TimeLimit.MonthEnd(2021, 12), plan.Items[1].Tasks[0].Deadline.Deadlines.Single().Limit);
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void A_responsibility_split_with_merged_cells_and_names_broken_over_lines_reads_its_sections_and_units()
    {
        const string text = "样例区2021年政务公开工作要点责任分工\n\t重点任务\n\t贯彻举措\n\t牵头单位\n\t责任单位\n\n"
            + "\t一、加强用权公开\n\t（一）加强权力配置信息公开。\n"
            + "\t1．全面梳理行政权力，10月底前更新权责清单。\n\t党工委编办\n政务服务和大\n\n数据管理局\n\t管委会各部门\n各片区管理办公室\n\n各镇人民政府（街道办事处）\n\n\t\n\t\n"
            + "\t2．公开机构设置信息。\n\t党工委编办\n\t管委会各部门\n\n\t\n"
            + "\t（二）加强权力运行公开。\n\t1．健全公众参与机制。\n\t管委会办公室\n\t管委会各部门\n";

        var plan = PlanTable.Read(PlanTable.CellStream(text), year: 2021);

        Assert.Equal(["1", "2", "1"], plan.Items.Select(i => i.Number));
        Assert.Equal(["一、加强用权公开 （一）加强权力配置信息公开。", "一、加强用权公开 （一）加强权力配置信息公开。", "一、加强用权公开 （二）加强权力运行公开。"], plan.Items.Select(i => i.Section));
        var first = plan.Items[0].Tasks[0];
        Assert.Equal("党工委编办 政务服务和大数据管理局", first.Lead);
        Assert.Equal("管委会各部门 各片区管理办公室 各镇人民政府（街道办事处）", first.Responsible);
        Assert.Equal(new TimeLimit.MonthEnd(2021, 10), first.Deadline.Earliest);
        // Numbers restart in each subsection: not a repeat.
        Assert.Empty(plan.Warnings);
    }
}

[Trait("Requires", "SeedDocuments")]
public sealed class SeedCellStreamTests
{
    [Fact]
    public void A_bureaus_2020_target_breakdown_reads_34_rows_with_every_deadline_understood()
    {
        var plan = PlanTable.Read(PlanTable.CellStream(Repository.SeedDocument("004_853dcc8e64b86f58.txt")), year: null, title: "2020年局政务公开目标任务细化分解表");

        Assert.Equal(Enumerable.Range(1, 34).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), plan.Items.Select(i => i.Number));
        Assert.Empty(plan.Warnings);
        Assert.All(plan.Items, i => Assert.NotEqual(string.Empty, i.Tasks[0].Lead));
        Assert.Equal(Supervision.Engine.Import.DeadlineKind.Continuous, plan.Items[2].Tasks[0].Deadline.Deadlines.Single().Kind);
        Assert.Equal(new TimeLimit.MonthEnd(2020, 3), plan.Items[3].Tasks[0].Deadline.Earliest);
    }

    [Fact]
    public void A_districts_2020_responsibility_split_reads_its_sections_units_and_deadlines_from_the_text()
    {
        var plan = PlanTable.Read(PlanTable.CellStream(Repository.SeedDocument("002_7f8c1bad310276dd.txt")), year: 2020);

        Assert.True(plan.Items.Count >= 20, $"{plan.Items.Count} items");
        Assert.Empty(plan.Warnings);
        Assert.All(plan.Items, i => Assert.NotEqual(string.Empty, i.Tasks[0].Lead));
        var first = plan.Items[0].Tasks[0];
        Assert.Equal("党工委编办 政务服务和大数据管理局", first.Lead);
        Assert.Equal(new TimeLimit.MonthEnd(2020, 10), plan.Items[2].Tasks[0].Deadline.Earliest);
        Assert.Contains(plan.Items, i => i.Tasks[0].Deadline.Earliest == new TimeLimit.FixedDate(new DateOnly(2020, 6, 30)));
        Assert.Contains(plan.Items, i => i.Tasks[0].Deadline.Earliest == new TimeLimit.MonthEnd(2020, 11));
    }
}

[Trait("Requires", "SeedDocuments")]
public sealed class SeedLayoutDetectionTests
{
    [Theory]
    [InlineData("000_466ecf843f936c06.txt", PlanLayout.TabSeparated, 2020)]
    [InlineData("001_2e21125b0abb3128.txt", PlanLayout.Prose, 2020)]
    [InlineData("002_7f8c1bad310276dd.txt", PlanLayout.CellPerLine, 2020)]
    [InlineData("004_853dcc8e64b86f58.txt", PlanLayout.CellPerLine, 2020)]
    public void Each_published_plan_is_read_in_its_own_layout_with_its_year_from_the_title(string name, PlanLayout layout, int year)
    {
        var (found, plan) = PlanReader.Read(Repository.SeedDocument(name), year: null);

        Assert.Equal((layout, year), (found, plan.Year));
        Assert.True(plan.Items.Count >= 20, $"{plan.Items.Count} items");
        Assert.DoesNotContain(plan.Warnings, w => w.Field is "year" or "header" or "deadline");
    }
}
