using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace Supervision.Host.Reports;

/// <summary>A share (0..1) shown as a percentage in a workbook and as a number in CSV.</summary>
public readonly record struct Percent(double Value);

/// <summary>A sheet of an export: its name, its column headings, and rows of cells (text, numbers, days, percentages, or blank).</summary>
public sealed record ExportTable(string Name, IReadOnlyList<string> Headings, IReadOnlyList<IReadOnlyList<object?>> Rows);

/// <summary>
/// Writes exports as <c>.xlsx</c> (DocumentFormat.OpenXml: one sheet per table under a title row, bold frozen and
/// filtered heading row, numbers as numbers, days as dates, rates as percentages, printed A4 landscape one page wide
/// with the title and headings on every page and numbered pages) and as <c>.csv</c> (RFC 4180, UTF-8 with a byte order mark so
/// Excel on Chinese Windows reads it). Text that a spreadsheet would take for a formula (starting with <c>=</c>,
/// <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return) is written with a leading apostrophe in CSV, and always as
/// plain text in the workbook, so a department named <c>=HYPERLINK(…)</c> stays a name.
/// </summary>
public static class Exports
{
    /// <summary>The widest a column is made (in characters; Chinese ones count twice): longer text wraps in its cell.</summary>
    public const double MaxColumnWidth = 36;

    /// <summary>
    /// Writes the tables as a workbook that reads on screen and prints: each sheet headed by <paramref name="title"/>
    /// (the office and the period) and the sheet's name, its column headings frozen and filtered below, column widths
    /// from the content (long text wraps), days as dates; printed A4 landscape fitted to the page's width, the title and
    /// headings repeated on every page, page numbers in the footer.
    /// </summary>
    public static void WriteXlsx(Stream stream, IReadOnlyList<ExportTable> tables, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        using var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new S.Workbook();
        var styles = workbook.AddNewPart<WorkbookStylesPart>();
        var wrap = new S.Alignment { WrapText = true, Vertical = S.VerticalAlignmentValues.Top };
        styles.Stylesheet = new S.Stylesheet(
            new S.NumberingFormats(new S.NumberingFormat { NumberFormatId = 164, FormatCode = "yyyy-mm-dd" }) { Count = 1 },
            new S.Fonts(new S.Font(), new S.Font(new S.Bold()), new S.Font(new S.Bold(), new S.FontSize { Val = 14 })) { Count = 3 },
            new S.Fills(new S.Fill(new S.PatternFill { PatternType = S.PatternValues.None }), new S.Fill(new S.PatternFill { PatternType = S.PatternValues.Gray125 })) { Count = 2 },
            new S.Borders(new S.Border()) { Count = 1 },
            new S.CellFormats(
                new S.CellFormat((S.Alignment)wrap.CloneNode(true)) { ApplyAlignment = true },
                new S.CellFormat(new S.Alignment { WrapText = true, Vertical = S.VerticalAlignmentValues.Center }) { FontId = 1, ApplyFont = true, ApplyAlignment = true },
                new S.CellFormat((S.Alignment)wrap.CloneNode(true)) { NumberFormatId = 164, ApplyNumberFormat = true, ApplyAlignment = true },
                new S.CellFormat((S.Alignment)wrap.CloneNode(true)) { NumberFormatId = 10, ApplyNumberFormat = true, ApplyAlignment = true },
                new S.CellFormat { FontId = 2, ApplyFont = true })
            { Count = 5 });
        var sheets = workbook.Workbook.AppendChild(new S.Sheets());
        var names = new S.DefinedNames();
        uint id = 1;
        foreach (var table in tables)
        {
            var part = workbook.AddNewPart<WorksheetPart>();
            var sheetName = SheetName(table.Name);
            var last = ColumnName(Math.Max(1, table.Headings.Count));
            var data = new S.SheetData();
            // Row 1: what the sheet is (the office, the period, the table); row 2: the headings; the rows below.
            data.Append(new S.Row(Text(title is null ? table.Name : $"{title}  {table.Name}", 4)) { RowIndex = 1 });
            data.Append(new S.Row(table.Headings.Select(h => Text(h, 1))) { RowIndex = 2 });
            uint at = 3;
            foreach (var row in table.Rows)
            {
                data.Append(new S.Row(row.Select(Cell)) { RowIndex = at++ });
            }

            var columns = new S.Columns(table.Headings.Select((h, i) => new S.Column
            {
                Min = (uint)(i + 1),
                Max = (uint)(i + 1),
                Width = Math.Clamp(Math.Max(Width(h) * 0.6, table.Rows.Take(200).Select(r => i < r.Count ? Width(Display(r[i])) : 0).DefaultIfEmpty(0).Max()) + 2, 6, MaxColumnWidth),
                CustomWidth = true,
            }));
            var frozen = new S.SheetViews(new S.SheetView(new S.Pane { VerticalSplit = 2, TopLeftCell = "A3", ActivePane = S.PaneValues.BottomLeft, State = S.PaneStateValues.Frozen }) { WorkbookViewId = 0 });
            var range = $"$A$2:${last}${Math.Max(2, at - 1)}";
            part.Worksheet = new S.Worksheet(
                new S.SheetProperties(new S.PageSetupProperties { FitToPage = true }),
                frozen,
                columns,
                data,
                new S.AutoFilter { Reference = range.Replace("$", string.Empty, StringComparison.Ordinal) },
                new S.PageMargins { Left = 0.4, Right = 0.4, Top = 0.5, Bottom = 0.6, Header = 0.3, Footer = 0.3 },
                new S.PageSetup { PaperSize = 9, Orientation = S.OrientationValues.Landscape, FitToWidth = 1, FitToHeight = 0 },
                new S.HeaderFooter(new S.OddFooter($"&L{FooterText(title)}&C第 &P 页，共 &N 页&R{FooterText(table.Name)}")));
            var sheetIndex = id - 1;
            sheets.Append(new S.Sheet { Id = workbook.GetIdOfPart(part), SheetId = id++, Name = sheetName });
            var quoted = "'" + sheetName.Replace("'", "''", StringComparison.Ordinal) + "'";
            names.Append(new S.DefinedName($"{quoted}!{range}") { Name = "_xlnm._FilterDatabase", LocalSheetId = sheetIndex, Hidden = true });
            names.Append(new S.DefinedName($"{quoted}!$1:$2") { Name = "_xlnm.Print_Titles", LocalSheetId = sheetIndex });
        }

        workbook.Workbook.Append(names);
        workbook.Workbook.Save();
    }

    // Header and footer text treat & as a code: written doubled.
    private static string FooterText(string? text) => (text ?? string.Empty).Replace("&", "&&", StringComparison.Ordinal);

    // 1 → A, 27 → AA.
    private static string ColumnName(int number)
    {
        var name = string.Empty;
        for (; number > 0; number = (number - 1) / 26)
        {
            name = (char)('A' + ((number - 1) % 26)) + name;
        }

        return name;
    }

    public static void WriteCsv(TextWriter writer, ExportTable table)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(table);
        writer.Write(string.Join(',', table.Headings.Select(h => Quote(Guard(h)))));
        writer.Write("\r\n");
        foreach (var row in table.Rows)
        {
            writer.Write(string.Join(',', row.Select(c => c switch
            {
                null => string.Empty,
                string s => Quote(Guard(s)),
                _ => Quote(Display(c)),
            })));
            writer.Write("\r\n");
        }
    }

    /// <summary>The CSV as bytes, UTF-8 with a byte order mark.</summary>
    public static byte[] CsvBytes(ExportTable table)
    {
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true))
        {
            WriteCsv(writer, table);
        }

        return buffer.ToArray();
    }

    /// <summary>Text a spreadsheet would run as a formula, defused with a leading apostrophe.</summary>
    public static string Guard(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
    }

    private static S.Cell Cell(object? value) => value switch
    {
        null => new S.Cell(),
        string s => Text(s, 0),
        DateOnly d => new S.Cell { CellValue = new S.CellValue(d.ToDateTime(TimeOnly.MinValue).ToOADate().ToString(CultureInfo.InvariantCulture)), StyleIndex = 2 },
        Percent p => new S.Cell { CellValue = new S.CellValue(p.Value.ToString("R", CultureInfo.InvariantCulture)), DataType = S.CellValues.Number, StyleIndex = 3 },
        IConvertible n => new S.Cell { CellValue = new S.CellValue(Convert.ToDouble(n, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture)), DataType = S.CellValues.Number },
        _ => Text(value.ToString() ?? string.Empty, 0),
    };

    // Inline text, never a formula: the cell has no formula element whatever the text says.
    private static S.Cell Text(string text, uint style) =>
        new() { DataType = S.CellValues.InlineString, InlineString = new S.InlineString(new S.Text(Clean(text)) { Space = SpaceProcessingModeValues.Preserve }), StyleIndex = style };

    // XML cannot hold most control characters; a workbook cell holds at most 32,767 characters.
    private static string Clean(string text)
    {
        var clean = new string(text.Where(c => c is '\t' or '\n' or '\r' || !char.IsControl(c)).ToArray());
        return clean.Length <= 32_767 ? clean : clean[..32_767];
    }

    private static string Display(object? value) => value switch
    {
        null => string.Empty,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Percent p => p.Value.ToString("0.####", CultureInfo.InvariantCulture),
        double x => x.ToString("0.##", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    // Chinese characters take two columns' width.
    private static double Width(string text) => text.Sum(c => c > 0x2E80 ? 2.0 : 1.0);

    // Sheet names: at most 31 characters, none of : \ / ? * [ ].
    private static string SheetName(string name)
    {
        var clean = new string(name.Where(c => c is not (':' or '\\' or '/' or '?' or '*' or '[' or ']')).ToArray());
        return clean.Length <= 31 ? clean : clean[..31];
    }
}
