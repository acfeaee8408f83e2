using System.Text;
using Supervision.Engine.Import;
using Supervision.Host.Documents;

namespace Supervision.Host.Import;

/// <summary>A plan file as read: the layout it was read as, the text encoding (for text files), and the plan.</summary>
public sealed record PlanFileRead(string Layout, string? Encoding, PlanDocument Plan);

/// <summary>
/// Reads a plan from a file's bytes whatever its kind, by its name's extension: workbooks (<c>.xlsx</c>, <c>.xls</c>),
/// Word documents (<c>.docx</c>: tables and numbered paragraphs), CSV, and text (<c>.txt</c>, <c>.tsv</c>, UTF-8 or,
/// as Chinese Windows saves it, GB18030). Hostile or broken files end in an <see cref="InvalidDataException"/> whose
/// message names the file and, where there is one, the line and field: more than <see cref="MaxBytes"/>, zip bombs,
/// more than <see cref="MaxRows"/> rows or <see cref="MaxColumns"/> columns, cells (and lines of text) over
/// <see cref="MaxCell"/> characters, control characters other than tabs and line breaks (U+0000 cannot even be stored
/// in PostgreSQL text), corrupt packages. Reading never writes anything.
/// </summary>
public static class PlanFiles
{
    public const int MaxBytes = 10 * 1024 * 1024;
    public const int MaxRows = 10_000;
    public const int MaxColumns = 64;
    public const int MaxCell = 20_000;

    public static readonly string[] Extensions = [".xlsx", ".xls", ".docx", ".csv", ".tsv", ".txt"];

    static PlanFiles() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static PlanFileRead Read(byte[] content, string file, int? year)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(file);
        if (content.Length > MaxBytes)
        {
            throw new InvalidDataException($"{file}: {content.Length / 1024.0 / 1024:0.0} MB; a plan file is at most {MaxBytes / 1024 / 1024} MB");
        }

        if (content.Length == 0)
        {
            throw new InvalidDataException($"{file}: the file is empty");
        }

        if (year is { } y && y is < 2000 or > 2099)
        {
            throw new InvalidDataException($"year: {y} is not 2000 to 2099");
        }

        var extension = Path.GetExtension(file).ToLowerInvariant();
        switch (extension)
        {
            case ".xlsx" or ".xls":
                return new PlanFileRead("Workbook", null, PlanTable.Read(Spreadsheets.Read(content, file, MaxRows, MaxColumns, MaxCell), year));
            case ".docx":
                var word = WordDocuments.Read(content, file, MaxRows, MaxCell);
                var (layout, plan) = PlanReader.Read(word.Paragraphs, word.Rows, year);
                return new PlanFileRead(layout == PlanLayout.Table ? "Word table" : $"Word {layout}", null, plan);
            case ".csv":
                var (csv, csvEncoding) = TextFiles.Text(content, file);
                return new PlanFileRead("CSV", csvEncoding, PlanTable.Read(CsvRows.Read(csv, file, MaxRows, MaxColumns, MaxCell), year));
            case ".txt" or ".tsv" or "":
                var (text, encoding) = TextFiles.Text(content, file);
                if (text.Count(c => c == '\n') > MaxRows)
                {
                    throw new InvalidDataException($"{file}: more than {MaxRows:N0} lines; a work plan has hundreds — not imported");
                }

                CheckLines(text, file);

                var read = PlanReader.Read(text, year);
                return new PlanFileRead(read.Layout.ToString(), encoding, read.Plan);
            case ".doc" or ".wps" or ".et":
                throw new InvalidDataException($"{file}: {extension} is an older binary format; save it as .docx (or its table as .xlsx) and import that");
            default:
                throw new InvalidDataException($"{file}: {extension} files are not plans this importer reads ({string.Join(", ", Extensions)})");
        }
    }

    // Text plans are read line by line; a line longer than a cell may be is not a plan's line.
    private static void CheckLines(string text, string file)
    {
        var start = 0;
        for (var line = 1; start <= text.Length; line++)
        {
            var end = text.IndexOf('\n', start);
            var length = (end < 0 ? text.Length : end) - start;
            if (length > MaxCell)
            {
                throw new InvalidDataException($"{file}: line {line}: a line of more than {MaxCell:N0} characters ({length:N0}); a plan's paragraph is far shorter — not imported");
            }

            if (end < 0)
            {
                break;
            }

            start = end + 1;
        }
    }

}
