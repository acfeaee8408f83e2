using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Cli;

/// <summary>The <c>report</c> subcommand: the same statistics as the API, as JSON, CSV or a workbook.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class ReportCommandTests
{
    [Fact]
    public async Task Report_prints_statistics_as_json_and_csv_writes_workbooks_and_names_bad_options()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);
        var folder = Path.GetDirectoryName(database.Path)!;
        foreach (var args in new[]
        {
            new[] { "migrate" },
            ["departments", "add", "市政府办公室"],
            ["departments", "add", "市司法局", "--parent", "市政府办公室"],
            ["departments", "add", "市教育局", "--parent", "市政府办公室"],
            ["users", "add", "--name", "zhao", "--role", "supervisor", "--department", "市政府办公室"],
        })
        {
            var (code, _, error) = await CliRunner.RunAsync(args);
            Assert.True(code == 0, error);
        }

        // Two tasks assigned today (the command runs on the system clock), due at the end of next year: green whenever
        // this runs. The justice bureau leads both, the education bureau shares one.
        var plan = Path.Combine(folder, "plan.csv");
        await File.WriteAllTextAsync(plan, "样例市政务公开工作要点任务分解表\n序号,主要任务,牵头单位,责任单位,完成时限\n1.公开指南,更新公开指南。,市司法局,市教育局,12月底\n2.公开目录,更新公开目录。,市司法局,,12月底\n");
        var nextYear = (DateTime.UtcNow.Year + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var imported = await CliRunner.RunAsync("import", plan, "--as", "zhao", "--year", nextYear);
        Assert.True(imported.Code == 0, imported.Error + imported.Output);

        var (jsonCode, json, jsonError) = await CliRunner.RunAsync("report");
        var (csvCode, csv, _) = await CliRunner.RunAsync("report", "--format", "csv", "--table", "scores", "--department", "市教育局");
        var book = Path.Combine(folder, "统计.xlsx");
        var (xlsxCode, xlsx, xlsxError) = await CliRunner.RunAsync("report", "--format", "xlsx", "--output", book);
        var ledger = Path.Combine(folder, "台账.xlsx");
        var (ledgerCode, _, ledgerError) = await CliRunner.RunAsync("report", "--ledger", "--format", "xlsx", "--output", ledger);
        var (noFile, _, noFileError) = await CliRunner.RunAsync("report", "--format", "xlsx");
        var (badDay, _, badDayError) = await CliRunner.RunAsync("report", "--from", "2025-02-30");
        var (badFormat, _, badFormatError) = await CliRunner.RunAsync("report", "--format", "pdf");

        Assert.True(jsonCode == 0, jsonError);
        using var report = JsonDocument.Parse(json);
        var justice = report.RootElement.GetProperty("departments").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "市司法局");
        Assert.Equal(2, justice.GetProperty("own").GetProperty("received").GetInt32());
        Assert.Equal(2, justice.GetProperty("own").GetProperty("openGreen").GetInt32());
        Assert.Equal(3, report.RootElement.GetProperty("totals").GetProperty("received").GetInt32());
        Assert.Equal(100, justice.GetProperty("score").GetProperty("total").GetDouble());
        Assert.Equal(0, csvCode);
        Assert.StartsWith("部门,细则（样例考核细则（政务公开时效））,计数,分值\r\n市教育局,基础分,,100\r\n", csv, StringComparison.Ordinal);
        Assert.True(xlsxCode == 0, xlsxError);
        Assert.Contains("统计.xlsx: statistics", xlsx, StringComparison.Ordinal);
        using (var document = SpreadsheetDocument.Open(book, false))
        {
            Assert.Equal(["部门统计", "考核得分", "按流程", "按计划", "按任务事项"], document.WorkbookPart!.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().Select(s => s.Name!.Value));
        }

        Assert.True(ledgerCode == 0, ledgerError);
        using (var document = SpreadsheetDocument.Open(ledger, false))
        {
            var sheet = (WorksheetPart)document.WorkbookPart!.GetPartById(document.WorkbookPart.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().First().Id!);
            // A title row, a heading row and one row per department's share: justice twice, education once; printed
            // A4 landscape one page wide with the title and headings on every page.
            Assert.Equal(5, sheet.Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Row>().Count());
            var setup = sheet.Worksheet.GetFirstChild<DocumentFormat.OpenXml.Spreadsheet.PageSetup>()!;
            Assert.Equal((9u, DocumentFormat.OpenXml.Spreadsheet.OrientationValues.Landscape, 1u, 0u), (setup.PaperSize!.Value, setup.Orientation!.Value, setup.FitToWidth!.Value, setup.FitToHeight!.Value));
            Assert.Contains(document.WorkbookPart.Workbook.DefinedNames!.Elements<DocumentFormat.OpenXml.Spreadsheet.DefinedName>(), n => n.Name == "_xlnm.Print_Titles" && n.Text.EndsWith("!$1:$2", StringComparison.Ordinal));
        }

        Assert.Equal((2, 2, 2), (noFile, badDay, badFormat));
        Assert.Contains("--output", noFileError, StringComparison.Ordinal);
        Assert.Contains("--from: '2025-02-30' is not a day (yyyy-MM-dd)", badDayError, StringComparison.Ordinal);
        Assert.Contains("--format: 'pdf' is not json, xlsx or csv.", badFormatError, StringComparison.Ordinal);
    }
}
