using System.Globalization;
using System.Text;
using ExcelDataReader;
using Supervision.Engine.Import;

namespace Supervision.Host.Documents;

/// <summary>
/// The rows of a workbook (<c>.xlsx</c> or <c>.xls</c>), every sheet in order, as the plan reader takes them: each
/// row's cells as text (numbers in invariant form, so <c>2020.6</c> stays <c>2020.6</c>; dates as <c>2020年6月30日</c>;
/// formulas by their values as last computed, never evaluated), numbered by row from 1 across the workbook; at most
/// <c>maxColumns</c> columns read (a plan has a handful). A file that is not a workbook, a zip bomb, more than
/// <c>maxRows</c> rows, a cell longer than <c>maxCell</c> characters or holding a control character is refused with
/// the reason.
/// </summary>
public static class Spreadsheets
{
    static Spreadsheets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static IReadOnlyList<TableRow> Read(byte[] content, string file, int maxRows, int maxColumns, int maxCell)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length >= 4 && content[0] == (byte)'P' && content[1] == (byte)'K')
        {
            ZipGuard.Check(content, file);
        }

        var rows = new List<TableRow>();
        try
        {
            using var reader = ExcelReaderFactory.CreateReader(new MemoryStream(content, writable: false));
            var line = 0;
            do
            {
                while (reader.Read())
                {
                    if (++line > maxRows)
                    {
                        throw new InvalidDataException($"{file}: more than {maxRows:N0} rows; a work plan has hundreds — not imported");
                    }

                    var cells = new string[Math.Min(reader.FieldCount, maxColumns)];
                    for (var i = 0; i < cells.Length; i++)
                    {
                        cells[i] = reader.GetValue(i) switch
                        {
                            null => string.Empty,
                            DateTime d => string.Create(CultureInfo.InvariantCulture, $"{d.Year}年{d.Month}月{d.Day}日"),
                            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                            var other => other.ToString() ?? string.Empty,
                        };
                        if (cells[i].Length > maxCell)
                        {
                            throw new InvalidDataException($"{file}: row {line}, column {i + 1}: a cell of {cells[i].Length:N0} characters (at most {maxCell:N0})");
                        }

                        // Workbooks escape control characters (_x0000_) and the reader restores them: refused like text's.
                        if (Supervision.Engine.TypedText.FirstControl(cells[i]) is var control and >= 0)
                        {
                            throw new InvalidDataException($"{file}: row {line}, column {i + 1}: control character U+{(int)cells[i][control]:X4} at character {control + 1}; a plan holds text, tabs and line breaks only — remove it and import again");
                        }
                    }

                    if (cells.All(c => c.Length == 0))
                    {
                        continue;
                    }

                    rows.Add(new TableRow(line, cells));
                }
            }
            while (reader.NextResult());
        }
        catch (Exception e) when ((e is ExcelDataReader.Exceptions.ExcelReaderException or InvalidDataException or IOException or NotSupportedException or ArgumentException or FormatException or System.Xml.XmlException)
            && !e.Message.StartsWith(file, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{file}: not a readable workbook ({e.Message})", e);
        }

        return rows;
    }
}
