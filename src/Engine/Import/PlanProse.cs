using System.Globalization;
using System.Text.RegularExpressions;

namespace Supervision.Engine.Import;

/// <summary>
/// Reads a plan written as prose (政务公开工作要点): section headings (<c>一、</c>), numbered items (<c>1.</c>, <c>1．</c>,
/// <c>1、</c>) whose first sentence is the title, ending in <c>（牵头单位：…；责任单位：…；完成时限：…）</c> with full- or
/// half-width punctuation (units may contain brackets of their own, <c>各区县（市）政府</c>). An item broken over several
/// lines is joined. Without a 完成时限 the deadlines written in the item's text count (<c>年底前</c>, <c>9月10日前</c>).
/// The year comes from the title (<c>抚顺县 2020 年政务公开工作要点</c>) unless given.
/// </summary>
public static partial class PlanProse
{
    public static PlanDocument Read(string text, int? year)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var warnings = new List<ImportWarning>();
        var title = lines.Select(l => l.Trim()).FirstOrDefault(l => PlanTitle().IsMatch(l));
        var planYear = year ?? (title is not null ? int.Parse(PlanTitle().Match(title).Groups["y"].Value, CultureInfo.InvariantCulture) : 0);
        if (planYear == 0)
        {
            warnings.Add(new ImportWarning(1, "year", "the plan year is in neither the title nor --year; deadlines without a year cannot be dated"));
        }

        var paragraphs = new List<(int Line, string Text, string Section)>();
        var section = string.Empty;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (Section().IsMatch(line) && !Numbered().IsMatch(line))
            {
                section = line;
                continue;
            }

            if (Numbered().IsMatch(line))
            {
                paragraphs.Add((i + 1, line, section));
            }
            else if (paragraphs.Count > 0 && !Units().IsMatch(paragraphs[^1].Text))
            {
                // The item goes on on the next line until its units close it.
                var last = paragraphs[^1];
                paragraphs[^1] = (last.Line, last.Text + line, last.Section);
            }
        }

        var items = new List<PlanItem>();
        foreach (var (line, paragraph, itemSection) in paragraphs)
        {
            var numbered = Numbered().Match(paragraph);
            var body = numbered.Groups["t"].Value.Trim();
            string lead = string.Empty, responsible = string.Empty, deadlineText = string.Empty;
            var units = Units().Match(body);
            if (units.Success)
            {
                body = body[..units.Index].Trim();
                foreach (var part in PartSeparator().Split(units.Groups["body"].Value))
                {
                    var pair = KeyValue().Match(part.Trim());
                    if (!pair.Success)
                    {
                        continue;
                    }

                    var value = pair.Groups["v"].Value.Trim();
                    switch (pair.Groups["k"].Value)
                    {
                        case "牵头单位" or "牵头部门":
                            lead = value;
                            break;
                        case "责任单位" or "责任部门" or "配合单位":
                            responsible = value;
                            break;
                        default:
                            deadlineText = value;
                            break;
                    }
                }
            }
            else
            {
                warnings.Add(new ImportWarning(line, "lead", "no （牵头单位：…；责任单位：…） at the end of the item"));
            }

            if (units.Success && lead.Length == 0)
            {
                warnings.Add(new ImportWarning(line, "lead", "no 牵头单位, only 责任单位: the responsible units will have to lead"));
            }

            var sentence = body.IndexOfAny(['。', '；']);
            var itemTitle = sentence > 0 ? body[..sentence] : body;
            var deadline = ChineseDeadlines.Read(deadlineText, planYear);
            if (deadlineText.Length == 0)
            {
                deadline = ChineseDeadlines.FindInText(body, planYear);
            }

            warnings.AddRange(deadline.Warnings.Select(w => new ImportWarning(line, "deadline", w)));
            items.Add(new PlanItem(numbered.Groups["n"].Value, itemTitle, itemSection, line, [new PlanTask(line, body, lead, responsible, deadline)]));
        }

        return new PlanDocument(title, planYear, items, warnings);
    }

    [GeneratedRegex(@"^(?<n>\d{1,3})\s*[.．、]\s*(?<t>.+)$")]
    private static partial Regex Numbered();

    [GeneratedRegex(@"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")]
    private static partial Regex Section();

    [GeneratedRegex(@"[（(]\s*(?<body>(?:牵头单位|牵头部门|责任单位)\s*[:：].*)[)）]\s*[。.]?\s*$")]
    private static partial Regex Units();

    [GeneratedRegex(@"[;；]")]
    private static partial Regex PartSeparator();

    [GeneratedRegex(@"^(?<k>牵头单位|牵头部门|责任单位|责任部门|配合单位|完成时限|完成时间|时间节点)\s*[:：]\s*(?<v>.*)$")]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"^[^\s，,。]{0,30}?\s*(?<y>20\d{2})\s*年\s*度?\s*政务公开工作要点$")]
    private static partial Regex PlanTitle();
}
