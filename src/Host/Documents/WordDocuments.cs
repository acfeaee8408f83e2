using System.Globalization;
using System.Text;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using Supervision.Engine.Import;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Supervision.Host.Documents;

/// <summary>A Word document as the plan reader takes it: its paragraphs outside tables and its tables' rows.</summary>
/// <param name="Paragraphs">
/// The text outside tables, one line per paragraph, with an empty line standing for each table row, so that line N
/// of this text and a table row numbered N are the document's N-th paragraph or row.
/// </param>
/// <param name="Rows">Every table row in document order, its cells' paragraphs joined by line breaks.</param>
public sealed record WordContent(string Paragraphs, IReadOnlyList<TableRow> Rows);

/// <summary>
/// Reads a <c>.docx</c> (DocumentFormat.OpenXml): paragraphs and tables in document order, content controls opened,
/// tracked deletions left out; automatic numbering written out as Word shows it (<c>1.</c>, <c>（一）</c>, <c>一、</c>),
/// since plans number their items that way and the readers look for the numbers; a cell spanning several grid
/// columns padded with empty cells so columns stay under their headers. Rows are counted, and a document with more
/// than <c>maxRows</c> paragraphs and rows, more than <see cref="MaxElements"/> XML elements, or a paragraph or cell of
/// more than <c>maxCell</c> characters is refused. The counting is done on the XML as a stream before the document
/// is loaded as objects (some 200 bytes an element, and a 10 MB file may hold a hundred million), so a refused
/// document costs one pass over its XML, not gigabytes.
/// </summary>
public static class WordDocuments
{
    /// <summary>The most XML elements a document's body may hold: a plan of thousands of table rows holds a few hundred thousand.</summary>
    public const int MaxElements = 1_000_000;

    private const string Main = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    public static WordContent Read(byte[] content, string file, int maxRows, int maxCell)
    {
        ArgumentNullException.ThrowIfNull(content);
        ZipGuard.Check(content, file);
        try
        {
            using var document = WordprocessingDocument.Open(new MemoryStream(content, writable: false), false);
            var main = document.MainDocumentPart ?? throw new InvalidDataException($"{file}: a Word package without a document body");
            Scan(main, file, maxRows);
            var body = main.Document?.Body
                ?? throw new InvalidDataException($"{file}: a Word package without a document body");
            var reader = new Reader(main, file, maxRows, maxCell);
            reader.Walk(body);
            return new WordContent(reader.Text.ToString(), reader.Rows);
        }
        catch (Exception e) when (e is OpenXmlPackageException or System.Xml.XmlException or IOException or FormatException or NotSupportedException or ArgumentException
            || (e is InvalidDataException && !e.Message.StartsWith(file, StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"{file}: not a readable Word document ({e.Message})", e);
        }
    }

    // Counts what the reader below would count (paragraphs outside tables, rows of top-level tables) and every element,
    // streaming, before the document is loaded whole.
    private static void Scan(MainDocumentPart part, string file, int maxRows)
    {
        using var stream = part.GetStream(FileMode.Open, FileAccess.Read);
        using var xml = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true });
        var (elements, lines, tables, paragraphs) = (0, 0, 0, 0);
        while (xml.Read())
        {
            var word = xml.NamespaceURI == Main;
            if (xml.NodeType == XmlNodeType.Element)
            {
                if (++elements > MaxElements)
                {
                    throw new InvalidDataException($"{file}: the document holds more than {MaxElements:N0} XML elements; a work plan has far fewer — not imported");
                }

                var counted = word && paragraphs == 0 && ((xml.LocalName == "p" && tables == 0) || (xml.LocalName == "tr" && tables == 1));
                if (counted && ++lines > maxRows)
                {
                    throw new InvalidDataException($"{file}: more than {maxRows:N0} paragraphs and table rows; a work plan has hundreds — not imported");
                }

                if (word && !xml.IsEmptyElement)
                {
                    tables += xml.LocalName == "tbl" ? 1 : 0;
                    paragraphs += xml.LocalName == "p" ? 1 : 0;
                }
            }
            else if (xml.NodeType == XmlNodeType.EndElement && word)
            {
                tables -= xml.LocalName == "tbl" ? 1 : 0;
                paragraphs -= xml.LocalName == "p" ? 1 : 0;
            }
        }
    }

    private sealed class Reader(MainDocumentPart part, string file, int maxRows, int maxCell)
    {
        private readonly Numbering numbering = new(part);
        private int line;

        public StringBuilder Text { get; } = new();

        public List<TableRow> Rows { get; } = [];

        public void Walk(OpenXmlElement container)
        {
            foreach (var element in container.ChildElements)
            {
                switch (element)
                {
                    case W.Paragraph p:
                        Next();
                        var text = Paragraph(p, inCell: false);
                        if (text.Length > maxCell)
                        {
                            throw new InvalidDataException($"{file}: line {line}: a paragraph of {text.Length:N0} characters (at most {maxCell:N0})");
                        }

                        Text.Append(text).Append('\n');
                        break;
                    case W.Table t:
                        Table(t);
                        break;
                    case W.SdtBlock or W.SdtContentBlock or W.CustomXmlBlock:
                        Walk(element);
                        break;
                    default:
                        break;
                }
            }
        }

        private void Table(W.Table table)
        {
            foreach (var row in table.Elements<W.TableRow>())
            {
                Next();
                Text.Append('\n');
                var cells = new List<string>();
                foreach (var cell in row.Elements<W.TableCell>())
                {
                    var text = Cell(cell);
                    if (text.Length > maxCell)
                    {
                        throw new InvalidDataException($"{file}: row {line}, column {cells.Count + 1}: a cell of {text.Length:N0} characters (at most {maxCell:N0})");
                    }

                    cells.Add(text);
                    var span = cell.TableCellProperties?.GridSpan?.Val?.Value ?? 1;
                    for (var i = 1; i < Math.Min(span, 64); i++)
                    {
                        cells.Add(string.Empty);
                    }
                }

                Rows.Add(new TableRow(line, cells));
            }
        }

        private string Cell(W.TableCell cell)
        {
            var lines = new List<string>();
            foreach (var element in cell.Descendants().Where(e => e is W.Paragraph && !e.Ancestors<W.Paragraph>().Any()))
            {
                var text = Paragraph((W.Paragraph)element, inCell: true);
                if (text.Length > 0)
                {
                    lines.Add(text);
                }
            }

            return string.Join('\n', lines);
        }

        private string Paragraph(W.Paragraph paragraph, bool inCell)
        {
            var text = new StringBuilder(numbering.Label(paragraph));
            foreach (var run in paragraph.Descendants())
            {
                switch (run)
                {
                    case W.Text t when !t.Ancestors<W.DeletedRun>().Any():
                        text.Append(t.Text);
                        break;
                    case W.TabChar:
                        text.Append(inCell ? ' ' : '\t');
                        break;
                    case W.Break or W.CarriageReturn:
                        // A line broken inside a paragraph: in a cell, separate lines (units one per line); in prose, the sentence goes on.
                        text.Append(inCell ? "\n" : string.Empty);
                        break;
                    case W.NoBreakHyphen:
                        text.Append('-');
                        break;
                    default:
                        break;
                }
            }

            return text.ToString().Trim();
        }

        private void Next()
        {
            if (++line > maxRows)
            {
                throw new InvalidDataException($"{file}: more than {maxRows:N0} paragraphs and table rows; a work plan has hundreds — not imported");
            }
        }
    }

    // Word's automatic numbering, counted as Word counts it: one counter per list and level, deeper levels starting
    // again when a shallower one moves on; the level's text pattern (%1.) and number format (decimal, 一二三).
    private sealed class Numbering
    {
        private readonly Dictionary<int, (int AbstractId, Dictionary<int, int> StartOverrides)> instances = [];
        private readonly Dictionary<int, Dictionary<int, W.Level>> abstracts = [];
        private readonly Dictionary<string, (int Id, int Level)> styles = [];
        private readonly Dictionary<int, int[]> counters = [];

        public Numbering(MainDocumentPart part)
        {
            var numbering = part.NumberingDefinitionsPart?.Numbering;
            if (numbering is not null)
            {
                foreach (var definition in numbering.Elements<W.AbstractNum>())
                {
                    if (definition.AbstractNumberId?.Value is { } id)
                    {
                        abstracts[id] = definition.Elements<W.Level>().Where(l => l.LevelIndex?.Value is not null).GroupBy(l => l.LevelIndex!.Value).ToDictionary(g => g.Key, g => g.First());
                    }
                }

                foreach (var instance in numbering.Elements<W.NumberingInstance>())
                {
                    if (instance.NumberID?.Value is { } id && instance.AbstractNumId?.Val?.Value is { } abstractId)
                    {
                        var overrides = instance.Elements<W.LevelOverride>()
                            .Where(o => o.LevelIndex?.Value is not null && o.StartOverrideNumberingValue?.Val?.Value is not null)
                            .ToDictionary(o => o.LevelIndex!.Value, o => o.StartOverrideNumberingValue!.Val!.Value);
                        instances[id] = (abstractId, overrides);
                    }
                }
            }

            foreach (var style in part.StyleDefinitionsPart?.Styles?.Elements<W.Style>() ?? [])
            {
                var properties = style.StyleParagraphProperties?.NumberingProperties;
                if (style.StyleId?.Value is { } styleId && properties?.NumberingId?.Val?.Value is { } id)
                {
                    styles[styleId] = (id, properties.NumberingLevelReference?.Val?.Value ?? 0);
                }
            }
        }

        public string Label(W.Paragraph paragraph)
        {
            var properties = paragraph.ParagraphProperties;
            var direct = properties?.NumberingProperties;
            (int Id, int Level)? numbered = direct?.NumberingId?.Val?.Value is { } id
                ? (id, direct.NumberingLevelReference?.Val?.Value ?? 0)
                : properties?.ParagraphStyleId?.Val?.Value is { } style && styles.TryGetValue(style, out var fromStyle) ? fromStyle : null;
            if (numbered is not { } n || n.Id == 0 || !instances.TryGetValue(n.Id, out var instance) || !abstracts.TryGetValue(instance.AbstractId, out var levels)
                || !levels.TryGetValue(n.Level, out var level) || n.Level is < 0 or > 8)
            {
                return string.Empty;
            }

            if (!counters.TryGetValue(n.Id, out var count))
            {
                count = new int[9];
                counters[n.Id] = count;
            }

            int Start(int at) => instance.StartOverrides.TryGetValue(at, out var s) ? s : levels.TryGetValue(at, out var l) ? l.StartNumberingValue?.Val?.Value ?? 1 : 1;
            count[n.Level] = count[n.Level] == 0 ? Start(n.Level) : count[n.Level] + 1;
            for (var deeper = n.Level + 1; deeper < count.Length; deeper++)
            {
                count[deeper] = 0;
            }

            var pattern = level.LevelText?.Val?.Value ?? string.Empty;
            if (level.NumberingFormat?.Val?.Value == W.NumberFormatValues.Bullet || pattern.Length == 0)
            {
                return string.Empty;
            }

            var label = new StringBuilder(pattern);
            for (var at = 0; at <= n.Level; at++)
            {
                var format = levels.TryGetValue(at, out var l) ? l.NumberingFormat?.Val?.Value : null;
                label.Replace($"%{at + 1}", Format(count[at] == 0 ? Start(at) : count[at], format));
            }

            return label.ToString();
        }

        private static string Format(int value, W.NumberFormatValues? format)
        {
            if (format == W.NumberFormatValues.ChineseCounting || format == W.NumberFormatValues.ChineseCountingThousand
                || format == W.NumberFormatValues.TaiwaneseCounting
                || format == W.NumberFormatValues.TaiwaneseCountingThousand || format == W.NumberFormatValues.ChineseLegalSimplified)
            {
                return Chinese(value);
            }

            if (format == W.NumberFormatValues.DecimalFullWidth || format == W.NumberFormatValues.DecimalFullWidth2)
            {
                return new string(value.ToString(CultureInfo.InvariantCulture).Select(c => (char)(c - '0' + '０')).ToArray());
            }

            return value.ToString(CultureInfo.InvariantCulture);
        }

        private static string Chinese(int value)
        {
            const string digits = "〇一二三四五六七八九";
            if (value is <= 0 or >= 100)
            {
                return value.ToString(CultureInfo.InvariantCulture);
            }

            return value < 10 ? digits[value].ToString()
                : value < 20 ? "十" + (value % 10 == 0 ? string.Empty : digits[value % 10].ToString())
                : digits[value / 10] + "十" + (value % 10 == 0 ? string.Empty : digits[value % 10].ToString());
        }
    }
}
