using System.Globalization;
using System.Text;
using ExcelDataReader;
using Supervision.Engine.Import;

namespace Supervision.Host.Import;

/// <summary>
/// The rows of a workbook (<c>.xlsx</c> or <c>.xls</c>), every sheet in order, as the plan reader takes them: each
/// row's cells as text (numbers in invariant form, so <c>2020.6</c> stays <c>2020.6</c>; dates as <c>2020年6月30日</c>;
/// formulas by their computed values), numbered by row from 1 across the workbook. A file that is not a workbook
/// is refused with the reason.
/// </summary>
public static class Spreadsheets
{
    static Spreadsheets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static IReadOnlyList<TableRow> Read(Stream stream, string file)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var rows = new List<TableRow>();
        try
        {
            using var reader = ExcelReaderFactory.CreateReader(stream);
            var line = 0;
            do
            {
                while (reader.Read())
                {
                    line++;
                    var cells = new string[reader.FieldCount];
                    for (var i = 0; i < cells.Length; i++)
                    {
                        cells[i] = reader.GetValue(i) switch
                        {
                            null => string.Empty,
                            DateTime d => string.Create(CultureInfo.InvariantCulture, $"{d.Year}年{d.Month}月{d.Day}日"),
                            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                            var other => other.ToString() ?? string.Empty,
                        };
                    }

                    rows.Add(new TableRow(line, cells));
                }
            }
            while (reader.NextResult());
        }
        catch (Exception e) when (e is ExcelDataReader.Exceptions.ExcelReaderException or InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"{file}: not a readable workbook ({e.Message})", e);
        }

        return rows;
    }
}
