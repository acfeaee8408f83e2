using System.IO.Compression;
using System.Text;
using Supervision.Host.Import;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Import;

/// <summary>Plan files of every kind read into the same plan, and hostile or broken files refused plainly, before anything is written.</summary>
public sealed class PlanFilesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sv-planfiles-").FullName;

    static PlanFilesTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_sample_plan_in_seeds_is_what_the_generator_writes_and_both_files_hold_the_same_tasks()
    {
        var seeds = Path.Combine(RepositoryRoot.Path, "seeds", "plans");
        if (Environment.GetEnvironmentVariable("SUPERVISION_WRITE_SAMPLE_PLANS") == "1")
        {
            SamplePlan.Write(seeds);
        }

        var (freshBook, freshDocument) = SamplePlan.Write(_folder);
        var book = PlanFiles.Read(File.ReadAllBytes(Path.Combine(seeds, "sample-plan.xlsx")), "sample-plan.xlsx", null);
        var document = PlanFiles.Read(File.ReadAllBytes(Path.Combine(seeds, "sample-plan.docx")), "sample-plan.docx", null);

        // The committed files read exactly as freshly generated ones (regenerate with SUPERVISION_WRITE_SAMPLE_PLANS=1).
        Assert.Equal(Describe(PlanFiles.Read(File.ReadAllBytes(freshBook), "sample-plan.xlsx", null)), Describe(book));
        Assert.Equal(Describe(PlanFiles.Read(File.ReadAllBytes(freshDocument), "sample-plan.docx", null)), Describe(document));

        Assert.Equal("Workbook", book.Layout);
        Assert.Equal("Word table", document.Layout);
        Assert.Equal((2026, 7, 11), (book.Plan.Year, book.Plan.Items.Count, book.Plan.Items.Sum(i => i.Tasks.Count)));
        Assert.Equal((2026, 7, 11), (document.Plan.Year, document.Plan.Items.Count, document.Plan.Items.Sum(i => i.Tasks.Count)));
        Assert.Equal(SamplePlan.TableTitle, book.Plan.Title);
        Assert.Equal(SamplePlan.Title, document.Plan.Title);
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7"], document.Plan.Items.Select(i => i.Number));
        Assert.Equal(["一、深化重点领域信息公开", "二、加强政策解读和回应关切", "三、夯实政务公开基础"], document.Plan.Items.Select(i => i.Section).Distinct());

        // The document's prose enriches its table: every item carries its paragraph; item 2's blank 责任单位 comes from it.
        Assert.All(document.Plan.Items, i => Assert.StartsWith(i.Title, i.PlanText, StringComparison.Ordinal));
        Assert.All(book.Plan.Items, i => Assert.Null(i.PlanText));
        Assert.Equal("各区政府", document.Plan.Items[1].Tasks[0].Responsible);
        Assert.Equal(string.Empty, book.Plan.Items[1].Tasks[0].Responsible);
        Assert.DoesNotContain(document.Plan.Warnings, w => w.Message.Contains("no row in the decomposition table", StringComparison.Ordinal));

        // Deadlines as written: continuation rows take the item's units; "12月底 11月25日" is shared out over item 6's two rows.
        var rows = document.Plan.Items.SelectMany(i => i.Tasks.Select(t => (i.Number, t))).ToList();
        Assert.Equal("市司法局", rows[1].t.Lead);
        Assert.Equal(new DateOnly(2026, 11, 30), rows[1].t.Deadline.Deadlines.Single().Due);
        Assert.Equal(Engine.Import.DeadlineKind.Continuous, rows[3].t.Deadline.Deadlines.Single().Kind);
        Assert.Equal(Engine.Import.DeadlineKind.Relative, rows[7].t.Deadline.Deadlines.Single().Kind);
        Assert.Equal(new DateOnly(2026, 12, 31), rows[8].t.Deadline.Deadlines.Single().Due);
        Assert.Equal(new DateOnly(2026, 11, 25), rows[9].t.Deadline.Deadlines.Single().Due);
        Assert.Equal(new DateOnly(2027, 1, 31), rows[10].t.Deadline.Deadlines.Single().Due);
    }

    [Fact]
    public void Word_numbering_counts_as_Word_shows_it_and_a_prose_only_document_reads_as_prose()
    {
        var path = Path.Combine(_folder, "prose.docx");
        OfficeFiles.WordDocument(path,
        [
            new WordParagraph("样例县2026年政务公开工作要点"),
            new WordParagraph("推进决策公开", List: 2),
            new WordParagraph("重大决策预公开。年底前完成目录编制。（牵头单位：县司法局；责任单位：各乡镇）", List: 1),
            new WordParagraph("会议开放。（牵头单位：县政府办）", List: 1),
            new WordParagraph("优化公开平台", List: 2),
            new WordParagraph("网站集约化。9月10日前完成迁移。（牵头单位：县政府办；责任单位：各单位、各科室）", List: 1),
        ]);

        var read = PlanFiles.Read(File.ReadAllBytes(path), "prose.docx", null);

        Assert.Equal("Word Prose", read.Layout);
        Assert.Equal(2026, read.Plan.Year);
        Assert.Equal(["1", "2", "3"], read.Plan.Items.Select(i => i.Number));
        Assert.Equal(["一、推进决策公开", "一、推进决策公开", "二、优化公开平台"], read.Plan.Items.Select(i => i.Section));
        Assert.Equal(new DateOnly(2026, 12, 31), read.Plan.Items[0].Tasks[0].Deadline.Deadlines.Single().Due);
        Assert.Equal("各单位、各科室", read.Plan.Items[2].Tasks[0].Responsible);
    }

    [Fact]
    public void A_csv_table_keeps_quoted_commas_and_line_breaks_and_GB18030_text_is_read_as_Chinese_Windows_saves_it()
    {
        const string csv = "样例市2026年政务公开工作要点任务分解表\r\n序号,主要任务,牵头单位,责任单位,完成时限\r\n"
            + "1.公开权责清单,\"在门户网站更新权责清单，并\"\"同步\"\"公开调整情况。\",市司法局,\"市教育局\n市自然资源局\",9月底\r\n"
            + ",持续更新。,,,长期坚持\r\n";
        var utf8 = PlanFiles.Read(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray(), "plan.csv", null);
        var gb = PlanFiles.Read(Encoding.GetEncoding("GB18030").GetBytes(csv), "plan.csv", null);
        var text = PlanFiles.Read(Encoding.GetEncoding("GB18030").GetBytes("样例市2026年政务公开工作要点任务分解表\r\n序号\t主要任务\t牵头单位\t责任单位\t完成时限\r\n1.公开权责清单\t更新权责清单。\t市司法局\t\t9月底\r\n"), "plan.txt", null);

        Assert.Equal(("CSV", "UTF-8"), (utf8.Layout, utf8.Encoding));
        Assert.Equal(("CSV", "GB18030"), (gb.Layout, gb.Encoding));
        Assert.Equal("GB18030", text.Encoding);
        foreach (var plan in new[] { utf8.Plan, gb.Plan })
        {
            var item = Assert.Single(plan.Items);
            Assert.Equal("在门户网站更新权责清单，并\"同步\"公开调整情况。", item.Tasks[0].Text);
            Assert.Equal("市教育局\n市自然资源局", item.Tasks[0].Responsible);
            Assert.Equal(new DateOnly(2026, 9, 30), item.Tasks[0].Deadline.Deadlines.Single().Due);
            Assert.Equal(2, item.Tasks.Count);
        }

        Assert.Equal("公开权责清单", Assert.Single(text.Plan.Items).Title);
    }

    [Fact]
    public void A_workbook_formula_counts_by_the_value_Excel_computed_and_is_never_evaluated()
    {
        var path = Path.Combine(_folder, "formula.xlsx");
        OfficeFiles.Workbook(path,
        [
            ["样例市2026年政务公开工作要点任务分解表"],
            ["序号", "主要任务", "牵头单位", "责任单位", "完成时限"],
            ["1.公开指南", new OfficeFiles.Formula("CONCATENATE(\"更新\",\"公开指南\")", "更新公开指南"), "市司法局", new OfficeFiles.Formula("HYPERLINK(\"http://example.invalid\",\"市教育局\")", "市教育局"), "9月底"],
        ]);

        var task = Assert.Single(PlanFiles.Read(File.ReadAllBytes(path), "formula.xlsx", null).Plan.Items).Tasks.Single();

        Assert.Equal(("更新公开指南", "市教育局"), (task.Text, task.Responsible));
    }

    [Fact]
    public void Hostile_and_broken_files_are_refused_naming_the_file_and_why()
    {
        // A zip bomb: 300 MB of zeros deflates to a few hundred KB.
        var bomb = new MemoryStream();
        using (var archive = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var part = archive.CreateEntry("word/document.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 300; i++)
            {
                part.Write(zeros);
            }
        }

        var (_, document) = SamplePlan.Write(_folder);
        var whole = File.ReadAllBytes(document);
        var manyRows = new StringBuilder("序号,主要任务,牵头单位,责任单位,完成时限\n");
        for (var i = 1; i <= 100_000; i++)
        {
            manyRows.Append(i).Append(".任务,做一件事。,市司法局,,9月底\n");
        }

        var cases = new (byte[] Content, string Name, string Expected)[]
        {
            (bomb.ToArray(), "bomb.docx", "bomb.docx: the package inflates to more than 100 MB"),
            (bomb.ToArray(), "bomb.xlsx", "bomb.xlsx: the package inflates to more than 100 MB"),
            (whole[..(whole.Length / 2)], "truncated.docx", "truncated.docx: not a readable Office file"),
            ([0x50, 0x4B, 0x03, 0x04, 1, 2, 3], "corrupt.xlsx", "corrupt.xlsx: not a readable Office file"),
            ("not a workbook"u8.ToArray(), "text.xlsx", "text.xlsx: not a readable workbook"),
            (Encoding.UTF8.GetBytes(manyRows.ToString()), "many.csv", "many.csv: more than 10,000 rows"),
            ("序号,主要任务\n1.,\"unclosed,x\n"u8.ToArray(), "quote.csv", "quote.csv: line 2, column 2: a quoted field is never closed"),
            ([0xD0, 0xCF, 0x11, 0xE0], "old.doc", "old.doc: .doc is an older binary format; save it as .docx"),
            ([], "empty.txt", "empty.txt: the file is empty"),
            (new byte[PlanFiles.MaxBytes + 1], "huge.txt", "huge.txt: 10.0 MB; a plan file is at most 10 MB"),
            ([0xFF, 0xFE, 0x00, 0x01, 0x02], "binary.txt", "binary.txt: neither UTF-8 nor GB18030 text"),
            ("x"u8.ToArray(), "plan.pdf", "plan.pdf: .pdf files are not plans this importer reads"),
        };

        foreach (var (content, name, expected) in cases)
        {
            var e = Record.Exception(() => PlanFiles.Read(content, name, null));
            Assert.True(e is InvalidDataException && e.Message.StartsWith(expected, StringComparison.Ordinal), $"{name}: {e?.GetType().Name}: {e?.Message}");
        }
    }

    [Fact]
    public void A_workbook_of_100000_rows_is_refused_without_reading_it_all()
    {
        var rows = new List<object[]> { new object[] { "序号", "主要任务", "牵头单位", "责任单位", "完成时限" } };
        rows.AddRange(Enumerable.Range(1, 100_000).Select(i => new object[] { $"{i}.任务", "做一件事。", "市司法局", "", "9月底" }));
        var path = Path.Combine(_folder, "many.xlsx");
        OfficeFiles.Workbook(path, rows);

        var e = Assert.Throws<InvalidDataException>(() => PlanFiles.Read(File.ReadAllBytes(path), "many.xlsx", null));

        Assert.StartsWith("many.xlsx: more than 10,000 rows", e.Message, StringComparison.Ordinal);
    }

    private static string Describe(PlanFileRead read) => string.Join("\n", read.Plan.Items.SelectMany(i => i.Tasks.Select(t =>
        $"{i.Section}|{i.Number}|{i.Title}|{t.Text}|{t.Lead}|{t.Responsible}|{t.Deadline.Original}|{string.Join(",", t.Deadline.Deadlines)}|{i.PlanText}")))
        + "\n" + string.Join("\n", read.Plan.Warnings);
}
