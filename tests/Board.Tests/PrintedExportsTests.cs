using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Supervision.Board.Tests;

/// <summary>
/// The workbooks offices print, opened in a real spreadsheet program: LibreOffice Calc (headless) prints the demo's
/// ledger and statistics to PDF, and poppler reads the pages back. Every page is A4 landscape and as wide as one sheet
/// (each carries the sheet's title row, which sits in the first column: a sheet split across pages by its columns
/// would leave pages without it), the headings are repeated on every page, and the pages are numbered.
/// </summary>
[Trait("Requires", "LibreOffice")]
[Collection(SharedBoard.Name)]
public sealed partial class PrintedExportsTests(BoardFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData("ledger", "台账", "事项编号")]
    [InlineData("statistics", "统计", null)]
    public async Task A_workbook_prints_on_a4_landscape_one_sheet_wide_with_its_title_and_headings_on_every_page(string export, string what, string? heading)
    {
        using var api = await fixture.ApiAsync("zhao");
        var year = DateTime.Now.Year;
        var bytes = await api.GetByteArrayAsync(new Uri($"/api/reports/{export}.xlsx?from={year}-01-01&to={year}-12-31", UriKind.Relative));
        var work = Directory.CreateTempSubdirectory("supervision-print-");
        try
        {
            var workbook = Path.Combine(work.FullName, $"{export}.xlsx");
            await File.WriteAllBytesAsync(workbook, bytes);
            await RunAsync("soffice", $"-env:UserInstallation=file://{work.FullName}/profile", "--headless", "--convert-to", "pdf", "--outdir", work.FullName, workbook);
            var pdf = Path.Combine(work.FullName, $"{export}.pdf");
            var info = await RunAsync("pdfinfo", pdf);
            var pages = int.Parse(PagesLine().Match(info).Groups[1].Value, CultureInfo.InvariantCulture);
            output.WriteLine($"{export}: {pages} pages");
            Assert.Contains("841.89 x 595.", info, StringComparison.Ordinal);
            var title = $"演示市人民政府办公室{what}（{year}-01-01至{year}-12-31）";
            for (var page = 1; page <= pages; page++)
            {
                var text = await RunAsync("pdftotext", "-f", page.ToString(CultureInfo.InvariantCulture), "-l", page.ToString(CultureInfo.InvariantCulture), pdf, "-");
                Assert.True(text.Contains(title, StringComparison.Ordinal), $"page {page} of {pages} has no title row: split by its columns?\n{text[..Math.Min(300, text.Length)]}");
                Assert.Contains($"第 {page} 页，共", text, StringComparison.Ordinal);
                if (heading is not null)
                {
                    Assert.Contains(heading, text, StringComparison.Ordinal);
                }
            }

            // The ledger's sheet of 45 rows and its steps, the statistics' five sheets: a page or a few each, not 16.
            Assert.True(pages <= (export == "ledger" ? 6 : 7), $"{pages} pages");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    [GeneratedRegex(@"Pages:\s+(\d+)")]
    private static partial Regex PagesLine();
}
