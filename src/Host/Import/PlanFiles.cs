using System.Text;
using Supervision.Engine.Import;

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
                var (csv, csvEncoding) = Text(content, file);
                return new PlanFileRead("CSV", csvEncoding, PlanTable.Read(CsvRows.Read(csv, file, MaxRows, MaxColumns, MaxCell), year));
            case ".txt" or ".tsv" or "":
                var (text, encoding) = Text(content, file);
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

    /// <summary>UTF-8 (with or without a byte order mark), else GB18030 as Chinese Windows saves text; anything else
    /// (or a control character) refused with an <see cref="InvalidDataException"/> naming the file.</summary>
    internal static (string Text, string Encoding) Text(byte[] content, string file)
    {
        try
        {
            var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content).TrimStart('\uFEFF');
            CheckControls(utf8, file);
            return (utf8, "UTF-8");
        }
        catch (DecoderFallbackException)
        {
        }

        try
        {
            var gb = Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            var text = gb.GetString(content);
            if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            {
                throw new DecoderFallbackException("control characters");
            }

            return (text, "GB18030");
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{file}: neither UTF-8 nor GB18030 text (a binary file?); save it as UTF-8 text and import again");
        }
    }

    // A control character in text is a binary file or a paste gone wrong: refused at its line and character.
    private static void CheckControls(string text, string file)
    {
        var at = Supervision.Engine.TypedText.FirstControl(text);
        if (at >= 0)
        {
            var (line, character) = Position(text, at);
            throw new InvalidDataException($"{file}: line {line}, character {character}: control character U+{(int)text[at]:X4}; a plan holds text, tabs and line breaks only — remove it and import again");
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

    private static (int Line, int Character) Position(string text, int index)
    {
        var lineStart = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        var line = 1 + text.AsSpan(0, lineStart).Count('\n');
        return (line, index - lineStart + 1);
    }
}
