using Supervision.Engine.Calendars;
using Supervision.Host.Documents;

namespace Supervision.Host.Calendars;

/// <summary>
/// The State Council's holiday notice as an office has it: text (UTF-8, or GB18030 as Chinese Windows saves it) or a
/// Word document (.docx, one line per paragraph, automatic numbering such as 一、 written out). Reading a file changes
/// nothing; <see cref="HolidayNotice.Parse"/> does the reading of the text.
/// </summary>
public static class NoticeFiles
{
    /// <summary>A notice is a page of text; a megabyte is far beyond any.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The extensions read.</summary>
    public static readonly string[] Extensions = [".txt", ".docx"];

    /// <summary>The notice read from a file's content: the parsed year, or an exception naming the file (bad file) or
    /// each line (<see cref="HolidayNoticeException"/>).</summary>
    public static HolidayNotice Read(byte[] content, string file)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(file);
        return HolidayNotice.Parse(Text(content, file));
    }

    /// <summary>The notice's text, one line per line or paragraph.</summary>
    public static string Text(byte[] content, string file)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(file);
        if (content.Length == 0)
        {
            throw new InvalidDataException($"{file}: the file is empty");
        }

        if (content.Length > MaxBytes)
        {
            throw new InvalidDataException($"{file}: {content.Length / 1024.0 / 1024:0.0} MB; a holiday notice is a page of text (at most {MaxBytes / 1024 / 1024} MB)");
        }

        var extension = Path.GetExtension(file).ToLowerInvariant();
        return extension switch
        {
            ".docx" => WordDocuments.Read(content, file, maxRows: 2_000, maxCell: 20_000).Paragraphs,
            ".txt" or "" => TextFiles.Text(content, file).Text,
            ".doc" or ".wps" => throw new InvalidDataException($"{file}: {extension} is an older binary format; save the notice as .docx or .txt"),
            _ => throw new InvalidDataException($"{file}: {extension} files are not read as notices ({string.Join(", ", Extensions)})"),
        };
    }

    /// <summary>A notice as <c>calendar notice --json</c> and the administration's preview show it: the year, title,
    /// source, every day off and make-up working day, and each section with its line.</summary>
    public static NoticeView Describe(HolidayNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        return new NoticeView(notice.Year, notice.Title, notice.Source, notice.Holidays.Select(Day).ToList(), notice.Workdays.Select(Day).ToList(),
            notice.Sections.Select(s => new NoticeSectionView(s.Line, s.Name, s.NameEn, Day(s.From), Day(s.To), s.Workdays.Select(Day).ToList())).ToList());
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A holiday notice as read: its year, title and source line, every day off and make-up working day
/// (yyyy-MM-dd), and each holiday's section with the line it was read from.</summary>
public sealed record NoticeView(int Year, string Title, string Source, IReadOnlyList<string> Holidays, IReadOnlyList<string> Workdays, IReadOnlyList<NoticeSectionView> Sections);

/// <summary>One holiday of a notice: the line, its name in Chinese and English, its days off and its make-up working days.</summary>
public sealed record NoticeSectionView(int Line, string Name, string NameEn, string From, string To, IReadOnlyList<string> Workdays);
