using Supervision.Engine.Import;

namespace Supervision.Host.Documents;

/// <summary>
/// Rows of a CSV text (RFC 4180): fields separated by commas (or semicolons or tabs, whichever the first line holds
/// most of), quoted fields holding separators, doubled quotes and line breaks; each row numbered by the line it
/// starts on. An unclosed quote, a row of more than <c>maxColumns</c> fields or a cell of more than <c>maxCell</c>
/// characters is an error naming its line (and column).
/// </summary>
public static class CsvRows
{
    private static readonly char[] Separators = [',', ';', '\t'];

    public static IReadOnlyList<TableRow> Read(string text, string file, int maxRows, int maxColumns, int maxCell)
    {
        ArgumentNullException.ThrowIfNull(text);
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        var firstLine = end >= 0 ? text[..end] : text;
        var separator = Separators.MaxBy(c => firstLine.Count(x => x == c));
        var rows = new List<TableRow>();
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var line = 1;
        var rowLine = 1;
        var quoted = false;
        var quoteLine = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        cell.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    if (c != '\r')
                    {
                        cell.Append(c);
                    }
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = true;
                quoteLine = line;
            }
            else if (c == separator)
            {
                cells.Add(Cell());
            }
            else if (c == '\n')
            {
                cells.Add(Cell());
                Row();
                line++;
                rowLine = line;
            }
            else if (c != '\r')
            {
                cell.Append(c);
            }

            if (cell.Length > maxCell)
            {
                throw new InvalidDataException($"{file}: line {rowLine}, column {cells.Count + 1}: a cell of more than {maxCell:N0} characters");
            }
        }

        if (quoted)
        {
            throw new InvalidDataException($"{file}: line {quoteLine}, column {cells.Count + 1}: a quoted field is never closed");
        }

        if (cell.Length > 0 || cells.Count > 0)
        {
            cells.Add(Cell());
            Row();
        }

        return rows;

        string Cell()
        {
            if (cells.Count >= maxColumns)
            {
                throw new InvalidDataException($"{file}: line {rowLine}: more than {maxColumns} columns; a plan's table has a handful — not imported");
            }

            var value = cell.ToString();
            cell.Clear();
            return value;
        }

        void Row()
        {
            if (rows.Count >= maxRows)
            {
                throw new InvalidDataException($"{file}: more than {maxRows:N0} rows; a work plan has hundreds — not imported");
            }

            rows.Add(new TableRow(rowLine, cells.ToList()));
            cells.Clear();
        }
    }
}
