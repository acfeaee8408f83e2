using System.Globalization;
using System.IO.Compression;
using System.Text;
using Supervision.Host.Tests.Import;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Reliability;

/// <summary>A plan file made to break the importer, and what its refusal must say after the file's name.</summary>
public sealed record HostileFile(string Name, byte[] Content, string Expected)
{
    public override string ToString() => $"{Name} ({Content.Length:N0} bytes)";
}

/// <summary>
/// Hostile and broken plan files, generated: the sample plan's workbook and Word document cut at several points and
/// with bytes overwritten inside their compressed parts, files renamed to the wrong kind, zip bombs whose single part
/// inflates to gigabytes of XML, entity expansion (billion laughs) and external entities in a sheet and a document,
/// 100,000 rows as a workbook, a Word table and CSV, cells of megabytes, empty files, unknown extensions, text that is
/// neither UTF-8 nor GB18030 and text holding control characters. Made once per test run and shared.
/// </summary>
public static class HostileFiles
{
    /// <summary>What a zip bomb's part inflates to: 2 GiB of XML whitespace (about 2 MB deflated).</summary>
    public const long BombBytes = 2L * 1024 * 1024 * 1024;

    private static readonly Lazy<IReadOnlyList<HostileFile>> Generated = new(Generate);

    public static IReadOnlyList<HostileFile> All => Generated.Value;

    /// <summary>A valid workbook of a plan's header and the given task rows.</summary>
    public static byte[] Workbook(IEnumerable<object[]> rows)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sv-hostile-{Guid.NewGuid():N}.xlsx");
        try
        {
            OfficeFiles.Workbook(path, [["样例市2026年政务公开工作要点任务分解表"], ["序号", "主要任务", "牵头单位", "责任单位", "完成时限"], .. rows]);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static List<HostileFile> Generate()
    {
        var folder = Directory.CreateTempSubdirectory("sv-hostile-").FullName;
        try
        {
            var (bookPath, documentPath) = SamplePlan.Write(folder);
            var book = File.ReadAllBytes(bookPath);
            var document = File.ReadAllBytes(documentPath);
            var files = new List<HostileFile>();

            // Cut at several points: inside the first part, mid-file, inside the central directory, one byte short.
            foreach (var (content, extension) in new[] { (book, "xlsx"), (document, "docx") })
            {
                foreach (var at in new[] { 30, content.Length / 4, content.Length / 2, content.Length - 60, content.Length - 1 })
                {
                    files.Add(new($"truncated-{at}.{extension}", content[..at], "not a readable"));
                }

                files.Add(new($"corrupt-part.{extension}", Overwrite(content, extension == "xlsx" ? "sheet1.xml" : "document.xml"), "not a readable"));
                files.Add(new($"corrupt-directory.{extension}", CorruptDirectory(content), "not a readable"));
            }

            // Renamed to the wrong kind.
            files.Add(new("text-renamed.xlsx", Encoding.UTF8.GetBytes("序号,主要任务,牵头单位\n1.公开,做一件事。,市司法局\n"), "not a readable workbook"));
            files.Add(new("pdf-renamed.docx", Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"), "not a readable Office file"));
            files.Add(new("document-renamed.xlsx", document, "not a readable workbook"));
            files.Add(new("workbook-renamed.docx", book, "not a readable Word document"));
            files.Add(new("workbook-as.csv", book, "neither UTF-8 nor GB18030 text"));

            // Zip bombs: one part inflating to gigabytes of whitespace inside otherwise valid XML.
            files.Add(new("bomb.xlsx", Replace(book, "sheet1.xml", s => Bomb(s, "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>", "</sheetData></worksheet>")),
                "the package inflates to more than 100 MB"));
            files.Add(new("bomb.docx", Replace(document, "document.xml", s => Bomb(s, "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>", "</w:body></w:document>")),
                "the package inflates to more than 100 MB"));
            files.Add(new("many-parts.xlsx", ManyParts(book, 5_000), "the package holds 5006 parts (at most 2000)"));

            // Entity expansion and external entities: refused, never expanded or fetched.
            files.Add(new("laughs.xlsx", Replace(book, "sheet1.xml", s => Write(s, Laughs("worksheet", "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol9;</t></is></c></row></sheetData>"))), "not a readable workbook"));
            files.Add(new("laughs.docx", Replace(document, "document.xml", s => Write(s, Laughs("w:document", "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body>"))), "not a readable Word document"));
            files.Add(new("external.docx", Replace(document, "document.xml", s => Write(s,
                "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>")),
                "not a readable Word document"));

            // 100,000 rows: a plan has hundreds; the documented limit is 10,000.
            files.Add(new("rows-100000.xlsx", Workbook(Enumerable.Range(1, 100_000).Select(i => new object[] { $"{i}.任务", "做一件事。", "市司法局", "", "9月底" })),
                "more than 10,000 rows"));
            files.Add(new("rows-100000.csv", Encoding.UTF8.GetBytes("序号,主要任务,牵头单位,责任单位,完成时限\n"
                + string.Concat(Enumerable.Range(1, 100_000).Select(i => $"{i}.任务,做一件事。,市司法局,,9月底\n"))), "more than 10,000 rows"));
            files.Add(new("rows-100000.docx", WordRows(100_000), "more than 10,000 paragraphs and table rows"));

            files.Add(new("elements.docx", Replace(document, "document.xml", s => Write(s, "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p>"
                + string.Concat(Enumerable.Repeat("<w:r/>", 1_500_000)) + "</w:p></w:body></w:document>")), "more than 1,000,000 XML elements"));

            // Huge single cells and lines.
            var huge = new string('长', 3_000_000);
            files.Add(new("huge-cell.xlsx", Workbook([["1.任务", huge, "市司法局", "", "9月底"]]), "row 3, column 2: a cell of 3,000,000 characters"));
            files.Add(new("huge-cell.csv", Encoding.UTF8.GetBytes($"序号,主要任务,牵头单位\n1.任务,{huge},市司法局\n"), "line 2, column 2: a cell of more than 20,000 characters"));
            files.Add(new("huge-line.txt", Encoding.UTF8.GetBytes($"样例市2026年政务公开工作要点\n1.{huge}（牵头单位：市司法局）\n"), "line 2: a line of more than 20,000 characters"));
            files.Add(new("huge-paragraph.docx", Replace(document, "document.xml", s => Write(s, "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>"
                + $"<w:p><w:r><w:t>样例市2026年政务公开工作要点</w:t></w:r></w:p><w:p><w:r><w:t>1.{huge}</w:t></w:r></w:p></w:body></w:document>")), "line 2: a paragraph of 3,000,002 characters"));
            files.Add(new("wide.csv", Encoding.UTF8.GetBytes("序号" + new string(',', 1_000_000) + "\n"), "line 1: more than 64 columns"));

            // Empty, unknown and older kinds.
            foreach (var name in new[] { "empty.xlsx", "empty.docx", "empty.csv" })
            {
                files.Add(new(name, [], "the file is empty"));
            }

            files.Add(new("plan.pdf", Encoding.ASCII.GetBytes("%PDF-1.7\n"), ".pdf files are not plans this importer reads"));
            files.Add(new("plan.xlsm", book, ".xlsm files are not plans this importer reads"));
            files.Add(new("plan.doc", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], ".doc is an older binary format"));

            // Text that is not text, or holds control characters.
            files.Add(new("invalid-utf8.csv", [.. Encoding.UTF8.GetBytes("序号,主要任务\n1.公开,"), 0xC3, 0x28, 0xFF, 0xFE, (byte)'\n'], "neither UTF-8 nor GB18030 text"));
            files.Add(new("nul.csv", Encoding.UTF8.GetBytes("序号,主要任务,牵头单位,责任单位,完成时限\n1.公开指南,更新\0指南。,市司法局,,9月底\n"), "line 2, character 10: control character U+0000"));
            files.Add(new("bell.txt", Encoding.UTF8.GetBytes("样例市2026年政务公开工作要点\n\n1.公开指南。更新\u0007指南。（牵头单位：市司法局）\n"), "line 3, character 10: control character U+0007"));
            files.Add(new("nul-cell.xlsx", Workbook([["1.公开指南", "更新_x0000_指南。", "市司法局", "", "9月底"]]), "row 3, column 2: control character U+0000"));
            return files;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // A copy of a package with the part whose name ends in `suffix` written anew.
    private static byte[] Replace(byte[] package, string suffix, Action<Stream> write) => Rewrite(package, (entry, target) =>
    {
        if (!entry.FullName.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }

        using var stream = target.CreateEntry(entry.FullName, CompressionLevel.SmallestSize).Open();
        write(stream);
        return true;
    });

    private static byte[] ManyParts(byte[] package, int extra) => Rewrite(package, (entry, target) =>
    {
        if (entry.FullName == "[Content_Types].xml")
        {
            for (var i = 0; i < extra; i++)
            {
                target.CreateEntry($"customXml/item{i}.xml", CompressionLevel.Fastest).Open().Dispose();
            }
        }

        return false;
    });

    private static byte[] Rewrite(byte[] package, Func<ZipArchiveEntry, ZipArchive, bool> replace)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                if (replace(entry, target))
                {
                    continue;
                }

                using var from = entry.Open();
                using var to = target.CreateEntry(entry.FullName, CompressionLevel.Optimal).Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));

    private static void Bomb(Stream stream, string start, string end)
    {
        Write(stream, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + start);
        var spaces = new byte[4 * 1024 * 1024];
        Array.Fill(spaces, (byte)' ');
        for (var written = 0L; written < BombBytes; written += spaces.Length)
        {
            stream.Write(spaces);
        }

        Write(stream, end);
    }

    // The billion laughs: ten levels of ten references each, a gigabyte of "lol" once expanded.
    private static string Laughs(string root, string ns, string body)
    {
        var dtd = new StringBuilder($"<?xml version=\"1.0\"?><!DOCTYPE {root} [<!ENTITY lol \"lol\">");
        for (var level = 1; level <= 9; level++)
        {
            var previous = level == 1 ? "lol" : $"lol{level - 1}";
            dtd.Append(CultureInfo.InvariantCulture, $"<!ENTITY lol{level} \"{string.Concat(Enumerable.Repeat($"&{previous};", 10))}\">");
        }

        var prefix = root.Contains(':', StringComparison.Ordinal) ? ":" + root.Split(':')[0] : string.Empty;
        return dtd.Append(CultureInfo.InvariantCulture, $"]><{root} xmlns{prefix}=\"{ns}\">{body}</{root}>").ToString();
    }

    // Overwrites 64 bytes in the middle of a part's compressed data (found through its local header).
    private static byte[] Overwrite(byte[] package, string suffix)
    {
        var copy = (byte[])package.Clone();
        var name = Encoding.ASCII.GetBytes(suffix);
        for (var i = 0; i + 30 < copy.Length; i++)
        {
            if (copy[i] == 0x50 && copy[i + 1] == 0x4B && copy[i + 2] == 3 && copy[i + 3] == 4)
            {
                var compressed = BitConverter.ToInt32(copy, i + 18);
                var nameLength = BitConverter.ToUInt16(copy, i + 26);
                var extraLength = BitConverter.ToUInt16(copy, i + 28);
                if (copy.AsSpan(i + 30, nameLength).EndsWith(name))
                {
                    var data = i + 30 + nameLength + extraLength;
                    Array.Fill(copy, (byte)0xA5, data + (compressed / 2) - 32, 64);
                    return copy;
                }
            }
        }

        throw new InvalidOperationException($"no part {suffix}");
    }

    // Overwrites the central directory's first entry header, so the package's table of contents is garbage.
    private static byte[] CorruptDirectory(byte[] package)
    {
        var copy = (byte[])package.Clone();
        for (var i = copy.Length - 22; i >= 0; i--)
        {
            if (copy[i] == 0x50 && copy[i + 1] == 0x4B && copy[i + 2] == 5 && copy[i + 3] == 6)
            {
                var directory = BitConverter.ToInt32(copy, i + 16);
                Array.Fill(copy, (byte)0x5A, directory, 46);
                return copy;
            }
        }

        throw new InvalidOperationException("no central directory");
    }

    private static byte[] WordRows(int rows)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sv-hostile-{Guid.NewGuid():N}.docx");
        try
        {
            var table = new List<IReadOnlyList<string>> { new[] { "序号", "主要任务", "牵头单位", "责任单位", "完成时限" } };
            table.AddRange(Enumerable.Range(1, rows).Select(i => (IReadOnlyList<string>)[$"{i}.任务", "做一件事。", "市司法局", "", "9月底"]));
            OfficeFiles.WordDocument(path, [new WordParagraph("样例市2026年政务公开工作要点任务分解表"), new WordTable(table)]);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
