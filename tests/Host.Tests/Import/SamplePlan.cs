using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Import;

/// <summary>
/// The project's own sample plan (invented, for 演示市, the demo's city): the prose plan (工作要点) and its task
/// decomposition table (任务分解表). <c>seeds/plans/sample-plan.docx</c> holds both, as offices circulate them (the
/// table as the annex, the items numbered by Word's automatic numbering); <c>seeds/plans/sample-plan.xlsx</c> holds the
/// table alone. Item 2's 责任单位 is left blank in the table: from the .docx it is filled in from the prose.
/// </summary>
internal static class SamplePlan
{
    public const string Title = "演示市2026年政务公开工作要点";
    public const string TableTitle = "演示市2026年政务公开工作要点任务分解表";

    private static readonly string[] Header = ["序号", "主要任务", "牵头单位", "责任单位", "完成时限"];

    // Section headings (one cell) and task rows (number, task, lead, responsible, time); continuation rows leave the number empty.
    public static readonly string[][] Rows =
    [
        ["一、深化重点领域信息公开"],
        ["1.行政执法信息公开", "全面公开行政执法主体、权限、程序和结果，执法决定作出之日起7个工作日内公开。", "市司法局", "市政府各部门", "长期坚持"],
        ["", "完成行政执法公示平台数据核查。", "", "", "11月底前"],
        ["2.教育领域信息公开", "公开义务教育招生范围、招生条件和学校情况。", "市教育局", "", "8月底"],
        ["3.自然资源信息公开", "及时公开土地征收批复和征地补偿标准。", "市自然资源局", "各区政府", "实时"],
        ["", "完成国土空间规划公开专栏建设。", "", "", "12月10日前"],
        ["二、加强政策解读和回应关切"],
        ["4.政策解读", "重要政策文件与解读材料同步组织、同步审签、同步部署。", "市政府办公室", "市政府各部门", "长期坚持"],
        ["5.卫生健康信息公开", "公开医疗机构执业信息和行政处罚决定。", "市卫健委", "市司法局", "11月30日"],
        ["", "新规出台后及时开展配套政策解读。", "", "", "新规出台后1个月内"],
        ["三、夯实政务公开基础"],
        ["6.依申请公开办理", "开展依申请公开答复文书质量检查。", "市司法局 市政府办公室", "各区政府", "12月底 11月25日"],
        ["", "清理规范依申请公开办理流程。", "", "", ""],
        ["7.政府信息公开年度报告", "编制并公开2026年政府信息公开工作年度报告。", "市政府办公室", "市政府各部门", "2027年1月31日前"],
    ];

    // The prose plan: section headings in list 2 (一、), items in list 1 (1.), each ending in its units.
    private static readonly (string Text, int List)[] Prose =
    [
        ("深化重点领域信息公开", 2),
        ("行政执法信息公开。全面推行行政执法公示制度，规范执法信息公开的内容、程序和时限。（牵头单位：市司法局；责任单位：市政府各部门）", 1),
        ("教育领域信息公开。做好义务教育招生信息公开，回应家长关切。（牵头单位：市教育局；责任单位：各区政府）", 1),
        ("自然资源信息公开。及时准确公开土地征收、国土空间规划等信息。（牵头单位：市自然资源局；责任单位：各区政府）", 1),
        ("加强政策解读和回应关切", 2),
        ("政策解读。坚持政策文件与解读材料同步组织、同步审签、同步部署。（牵头单位：市政府办公室；责任单位：市政府各部门）", 1),
        ("卫生健康信息公开。公开医疗机构执业和处罚信息，做好新规解读。（牵头单位：市卫健委；责任单位：市司法局）", 1),
        ("夯实政务公开基础", 2),
        ("依申请公开办理。规范办理流程，提升答复质量。（牵头单位：市司法局、市政府办公室；责任单位：各区政府）", 1),
        ("政府信息公开年度报告。按时编制并公开年度报告。（牵头单位：市政府办公室；责任单位：市政府各部门）", 1),
    ];

    /// <summary>Writes both files into <paramref name="folder"/>; returns their paths (xlsx, docx).</summary>
    public static (string Workbook, string Document) Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var workbook = Path.Combine(folder, "sample-plan.xlsx");
        var document = Path.Combine(folder, "sample-plan.docx");
        OfficeFiles.Workbook(workbook, [[TableTitle], Header, .. Rows]);
        var blocks = new List<object> { new WordParagraph(Title), new WordParagraph("演示市人民政府办公室　2026年3月1日") };
        blocks.AddRange(Prose.Select(p => new WordParagraph(p.Text, p.List)));
        blocks.Add(new WordParagraph("附件：" + TableTitle));
        var tableRows = new List<IReadOnlyList<string>> { Header };
        var spans = new Dictionary<(int, int), int>();
        foreach (var row in Rows)
        {
            if (row.Length == 1)
            {
                spans[(tableRows.Count, 0)] = Header.Length;
            }

            tableRows.Add(row);
        }

        blocks.Add(new WordTable(tableRows, spans));
        OfficeFiles.WordDocument(document, blocks);
        return (workbook, document);
    }
}
