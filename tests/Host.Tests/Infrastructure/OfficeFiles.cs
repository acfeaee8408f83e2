using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>A paragraph of a Word document: its text, and the automatic numbering list and level it belongs to, if any.</summary>
public sealed record WordParagraph(string Text, int? List = null, int Level = 0);

/// <summary>A table of a Word document: rows of cells; a cell's lines become its paragraphs; a span over grid columns.</summary>
public sealed record WordTable(IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyDictionary<(int Row, int Cell), int>? Spans = null);

/// <summary>
/// Writes real Office files with DocumentFormat.OpenXml, as Excel and Word would save them: workbooks with strings,
/// numbers, dates (serial numbers with a date style) and formulas with their cached values; Word documents with
/// paragraphs, automatic numbering (list 1: <c>%1.</c> decimal; list 2: <c>%1、</c> Chinese counting) and tables.
/// </summary>
public static class OfficeFiles
{
    /// <summary>A cell holding a formula and the value Excel last computed for it.</summary>
    public sealed record Formula(string Expression, string CachedText);

    public static void Workbook(string path, IReadOnlyList<object[]> rows, string sheetName = "任务分解")
    {
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new S.Workbook();
        var styles = workbook.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = new S.Stylesheet(
            new S.Fonts(new S.Font()),
            new S.Fills(new S.Fill()),
            new S.Borders(new S.Border()),
            new S.CellFormats(new S.CellFormat(), new S.CellFormat { NumberFormatId = 14, ApplyNumberFormat = true }));
        var sheetPart = workbook.AddNewPart<WorksheetPart>();
        var data = new S.SheetData();
        foreach (var values in rows)
        {
            var row = new S.Row();
            foreach (var value in values)
            {
                row.Append(value switch
                {
                    null => new S.Cell(),
                    double n => new S.Cell { CellValue = new S.CellValue(n.ToString(CultureInfo.InvariantCulture)), DataType = S.CellValues.Number },
                    DateTime d => new S.Cell { CellValue = new S.CellValue(d.ToOADate().ToString(CultureInfo.InvariantCulture)), StyleIndex = 1 },
                    Formula f => new S.Cell { CellFormula = new S.CellFormula(f.Expression), CellValue = new S.CellValue(f.CachedText), DataType = S.CellValues.String },
                    _ => new S.Cell { DataType = S.CellValues.InlineString, InlineString = new S.InlineString(new S.Text((string)value) { Space = SpaceProcessingModeValues.Preserve }) },
                });
            }

            data.Append(row);
        }

        sheetPart.Worksheet = new S.Worksheet(data);
        workbook.Workbook.AppendChild(new S.Sheets(new S.Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = sheetName }));
    }

    /// <summary>A Word document of paragraphs and tables, in order.</summary>
    public static void WordDocument(string path, IEnumerable<object> blocks)
    {
        using var document = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = document.AddMainDocumentPart();
        var numbering = main.AddNewPart<NumberingDefinitionsPart>();
        numbering.Numbering = new W.Numbering(
            Abstract(1, W.NumberFormatValues.Decimal, "%1."),
            Abstract(2, W.NumberFormatValues.ChineseCounting, "%1、"),
            new W.NumberingInstance(new W.AbstractNumId { Val = 1 }) { NumberID = 1 },
            new W.NumberingInstance(new W.AbstractNumId { Val = 2 }) { NumberID = 2 });
        var body = new W.Body();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case WordParagraph p:
                    body.Append(Paragraph(p));
                    break;
                case WordTable t:
                    body.Append(Table(t));
                    break;
                default:
                    throw new ArgumentException($"not a paragraph or table: {block}", nameof(blocks));
            }
        }

        main.Document = new W.Document(body);
    }

    private static W.AbstractNum Abstract(int id, W.NumberFormatValues format, string text) =>
        new(new W.Level(new W.StartNumberingValue { Val = 1 }, new W.NumberingFormat { Val = format }, new W.LevelText { Val = text }) { LevelIndex = 0 }) { AbstractNumberId = id };

    private static W.Paragraph Paragraph(WordParagraph p)
    {
        var paragraph = new W.Paragraph();
        if (p.List is { } list)
        {
            paragraph.Append(new W.ParagraphProperties(new W.NumberingProperties(new W.NumberingLevelReference { Val = p.Level }, new W.NumberingId { Val = list })));
        }

        paragraph.Append(new W.Run(new W.Text(p.Text) { Space = SpaceProcessingModeValues.Preserve }));
        return paragraph;
    }

    private static W.Table Table(WordTable t)
    {
        var columns = t.Rows.Max(r => r.Count);
        var table = new W.Table(
            new W.TableProperties(new W.TableBorders(
                new W.TopBorder { Val = W.BorderValues.Single, Size = 4 }, new W.BottomBorder { Val = W.BorderValues.Single, Size = 4 },
                new W.InsideHorizontalBorder { Val = W.BorderValues.Single, Size = 4 }, new W.InsideVerticalBorder { Val = W.BorderValues.Single, Size = 4 })),
            new W.TableGrid(Enumerable.Range(0, columns).Select(_ => new W.GridColumn { Width = "1800" })));
        for (var r = 0; r < t.Rows.Count; r++)
        {
            var row = new W.TableRow();
            for (var c = 0; c < t.Rows[r].Count; c++)
            {
                var cell = new W.TableCell();
                if (t.Spans is not null && t.Spans.TryGetValue((r, c), out var span))
                {
                    cell.Append(new W.TableCellProperties(new W.GridSpan { Val = span }));
                }

                foreach (var line in t.Rows[r][c].Split('\n'))
                {
                    cell.Append(new W.Paragraph(new W.Run(new W.Text(line) { Space = SpaceProcessingModeValues.Preserve })));
                }

                row.Append(cell);
            }

            table.Append(row);
        }

        return table;
    }
}
