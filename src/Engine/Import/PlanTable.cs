using System.Globalization;
using System.Text.RegularExpressions;

namespace Supervision.Engine.Import;

/// <summary>A row of a table as a reader found it: its cells and the line (or row number) it started on.</summary>
public sealed record TableRow(int Line, IReadOnlyList<string> Cells);

/// <summary>Something in a document that was kept but not understood, or looks wrong; where, which field, what.</summary>
public sealed record ImportWarning(int Line, string Field, string Message);

/// <summary>One task row of a plan item (主要任务): its text, units and deadline as written and as read.</summary>
public sealed record PlanTask(int Line, string Text, string Lead, string Responsible, DeadlineReading Deadline);

/// <summary>
/// A numbered item of a plan (事项): its number, title, section, and task rows; <see cref="PlanText"/> is the item's
/// paragraph in the plan's prose when the document holds both the plan and its decomposition table.
/// </summary>
public sealed record PlanItem(string Number, string Title, string Section, int Line, IReadOnlyList<PlanTask> Tasks, string? PlanText = null)
{
    /// <summary>Every lead unit named in the item's rows, in order, once each.</summary>
    public IReadOnlyList<string> Lead => Tasks.Select(t => t.Lead).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Every responsible unit cell of the item's rows, in order, once each.</summary>
    public IReadOnlyList<string> Responsible => Tasks.Select(t => t.Responsible).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>A plan read: its title, year, items and warnings.</summary>
public sealed record PlanDocument(string? Title, int Year, IReadOnlyList<PlanItem> Items, IReadOnlyList<ImportWarning> Warnings);

/// <summary>
/// Reads a task decomposition table (任务分解表) given as rows of cells, whatever the file it came from: the header row
/// (<c>事项名称</c>/<c>项目名称</c>/<c>序号</c>, <c>主要任务</c>/<c>任务内容</c>/<c>贯彻举措</c>, <c>牵头部门</c>/<c>牵头单位</c>,
/// <c>责任单位</c>, <c>完成时限</c>/<c>时间节点</c>) found wherever it is and skipped where it repeats on every page;
/// section headings (<c>一、</c>, <c>（一）</c>); items numbered <c>1.</c> / <c>1．</c> / <c>1、</c>; continuation rows with
/// an empty first column that are further tasks of the item above (their empty unit cells take the item's first
/// row's, their empty time cell the nearest one above: cells merged down over the item's rows); rows with nothing but more text continuing the row above. A deadline cell holding as many deadlines as the
/// item has rows without one is shared out in order (one per task); otherwise a task keeps all it was given.
/// </summary>
public static partial class PlanTable
{
    private static readonly string[][] Headers =
    [
        ["事项名称", "项目名称", "序号", "事项"],
        ["主要任务", "任务内容", "贯彻举措", "重点任务", "工作任务", "具体任务"],
        ["牵头部门", "牵头单位"],
        ["责任单位", "责任部门", "配合单位"],
        ["完成时限", "时间节点", "完成时间", "时限要求"],
    ];

    private static readonly string[] Fields = ["number", "task", "lead", "responsible", "deadline"];

    /// <summary>Reads the rows; <paramref name="year"/> overrides the year found in the title (or is needed when there is none).</summary>
    public static PlanDocument Read(IReadOnlyList<TableRow> rows, int? year, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var warnings = new List<ImportWarning>();
        title ??= rows.Select(r => r.Cells.Where(c => c.Trim().Length > 0).ToList()).FirstOrDefault(c => c.Count == 1 && TitleYear().IsMatch(c[0]))?[0].Trim();
        var planYear = year ?? (title is not null && TitleYear().Match(title) is { Success: true } m ? int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture) : 0);
        if (planYear == 0)
        {
            warnings.Add(new ImportWarning(rows.Count > 0 ? rows[0].Line : 1, "year", "the plan year is in neither the title nor --year; deadlines without a year cannot be dated"));
        }

        int[]? columns = null;
        var items = new List<(string Number, string Title, string Section, int Line, List<(int Line, string Text, string Lead, string Responsible, string Deadline)> Rows)>();
        var section = string.Empty;
        foreach (var row in rows)
        {
            var cells = row.Cells.Select(c => c.Trim()).ToList();
            if (cells.All(c => c.Length == 0))
            {
                continue;
            }

            if (HeaderColumns(cells) is { } found)
            {
                columns = found;
                continue;
            }

            if (columns is null)
            {
                continue;
            }

            string Cell(int field) => columns[field] >= 0 && columns[field] < cells.Count ? cells[columns[field]] : string.Empty;
            var first = Cell(0);
            var (task, lead, responsible, deadline) = (Cell(1), Cell(2), Cell(3), Cell(4));
            var rest = new[] { task, lead, responsible, deadline };
            if (first.Length > 0 && rest.All(c => c.Length == 0) && Section().IsMatch(first))
            {
                section = SubSection().IsMatch(first) && section.Length > 0 ? $"{section.Split(' ')[0]} {first}" : first;
                continue;
            }

            var numbered = Numbered().Match(first);
            if (first.Length > 0 && numbered.Success)
            {
                var number = numbered.Groups["n"].Value;
                var itemTitle = numbered.Groups["t"].Value.Trim();
                items.Add((number, itemTitle.Length > 0 ? itemTitle : task, section, row.Line, [(row.Line, task, lead, responsible, deadline)]));
                continue;
            }

            if (items.Count == 0)
            {
                warnings.Add(new ImportWarning(row.Line, first.Length > 0 ? "number" : "task", $"row before the first numbered item ignored: '{string.Join(" | ", cells.Where(c => c.Length > 0))}'"));
                continue;
            }

            var current = items[^1].Rows;
            if (first.Length > 0)
            {
                // Text in the number column that is no number: the item's title broken over lines.
                var item = items[^1];
                items[^1] = item with { Title = item.Title + first };
            }

            if (task.Length > 0)
            {
                current.Add((row.Line, task, lead, responsible, deadline));
            }
            else if (rest.Any(c => c.Length > 0))
            {
                // Cells broken over several lines: more of the row above.
                var last = current[^1];
                current[^1] = (last.Line, last.Text, Join(last.Lead, lead), Join(last.Responsible, responsible), Join(last.Deadline, deadline));
            }
        }

        if (columns is null)
        {
            warnings.Add(new ImportWarning(rows.Count > 0 ? rows[0].Line : 1, "header", "no header row found (事项名称/序号, 主要任务/任务内容, 牵头单位, 责任单位, 完成时限/时间节点)"));
        }

        // Numbering runs through the document unless it starts again at 1 (per section, as some plans do).
        var perSection = items.Skip(1).Any(i => i.Number == "1");
        foreach (var repeated in items.GroupBy(i => (perSection ? i.Section : string.Empty, i.Number)).Where(g => g.Count() > 1))
        {
            // Published plans do number two items alike; both are kept (a task is known by its text too).
            warnings.Add(new ImportWarning(repeated.Skip(1).First().Line, Fields[0],
                $"item number {repeated.Key.Number} appears {repeated.Count()} times (lines {string.Join(", ", repeated.Select(i => i.Line))}); each is kept as its own item"));
        }

        var result = new List<PlanItem>();
        foreach (var (number, itemTitle, itemSection, line, itemRows) in items)
        {
            var head = itemRows[0];
            var deadlines = itemRows.Select(r => r.Deadline).ToList();
            // "12月底 9月底" on the first row and nothing on the others: one deadline per task row, in order.
            var firstReading = ChineseDeadlines.Read(head.Deadline, planYear);
            if (itemRows.Count > 1 && firstReading.Deadlines.Count == itemRows.Count && firstReading.Warnings.Count == 0 && deadlines.Skip(1).All(d => d.Length == 0))
            {
                deadlines = firstReading.Deadlines.Select(d => d.Text).ToList();
            }

            var tasks = new List<PlanTask>();
            for (var i = 0; i < itemRows.Count; i++)
            {
                var r = itemRows[i];
                var reading = ChineseDeadlines.Read(deadlines[i], planYear);
                if (reading.Blank && deadlines[i].Length == 0)
                {
                    var inText = ChineseDeadlines.FindInText(r.Text, planYear);
                    if (inText.Deadlines.Count > 0)
                    {
                        reading = inText;
                    }
                    else if (deadlines.Take(i).LastOrDefault(d => d.Length > 0) is { } above)
                    {
                        // A further row of the item with its time cell blank: the cell above was merged down over it
                        // (Word and Excel keep a merged cell's text in its first row), so that time holds for it too.
                        reading = ChineseDeadlines.Read(above, planYear) with { Warnings = [] };
                    }
                }

                warnings.AddRange(reading.Warnings.Select(w => new ImportWarning(r.Line, Fields[4], w)));
                if (reading.Deadlines.Count > 1 && reading.Deadlines.Count(d => d.Kind == DeadlineKind.Dated) > 1)
                {
                    warnings.Add(new ImportWarning(r.Line, Fields[4], $"'{reading.Original}' holds several dates for one task; the earliest is its deadline"));
                }

                tasks.Add(new PlanTask(r.Line, r.Text, r.Lead.Length > 0 ? r.Lead : head.Lead, r.Responsible.Length > 0 ? r.Responsible : head.Responsible, reading));
            }

            result.Add(new PlanItem(number, itemTitle, itemSection, line, tasks));
        }

        return new PlanDocument(title, planYear, result, warnings);
    }

    /// <summary>Rows of a tab-separated text (a table copied out of Word or Excel), numbered by line from 1.</summary>
    public static IReadOnlyList<TableRow> TabSeparated(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select((line, i) => new TableRow(i + 1, line.Split('\t'))).ToList();
    }

    /// <summary>
    /// Rows of a table flattened to text one cell per line (a Word table pasted as text): every line that starts with
    /// a tab starts a cell, other lines continue it; the header cells come first; then each numbered cell (<c>1</c>,
    /// <c>1．…</c>) starts a row whose following cells are, in the header's order, the task (unless the number cell
    /// holds it), the units and the time, and heading cells (<c>一、</c>, <c>（一）</c>) are sections. A unit cell's lines are
    /// separate units, except a line cut inside a name (<c>政务服务和大</c> / <c>数据管理局</c>), which is joined to the next.
    /// </summary>
    public static IReadOnlyList<TableRow> CellStream(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cells = new List<(int Line, List<string> Lines)>();
        var number = 0;
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            number++;
            if (raw.StartsWith('\t'))
            {
                cells.Add((number, [raw.Trim()]));
            }
            else if (cells.Count > 0 && raw.Trim().Length > 0)
            {
                cells[^1].Lines.Add(raw.Trim());
            }
        }

        var rows = new List<TableRow>();
        var header = new List<string>();
        var at = 0;
        while (at < cells.Count && Headers.Any(names => names.Contains(string.Concat(cells[at].Lines).Replace(" ", string.Empty, StringComparison.Ordinal))))
        {
            header.Add(string.Concat(cells[at].Lines).Replace(" ", string.Empty, StringComparison.Ordinal));
            at++;
        }

        if (header.Count == 0)
        {
            return rows;
        }

        // The canonical columns the reader below understands.
        rows.Add(new TableRow(cells[0].Line, ["序号", "任务内容", "牵头单位", "责任单位", "时间节点"]));
        int Field(string[] names) => header.FindIndex(names.Contains);
        var (taskAt, leadAt, responsibleAt, timeAt, numberAt) = (Field(Headers[1]), Field(Headers[2]), Field(Headers[3]), Field(Headers[4]), Field(Headers[0]));
        var order = new (string Name, int At)[] { ("task", taskAt), ("lead", leadAt), ("responsible", responsibleAt), ("time", timeAt) }
            .Where(c => c.At >= 0 && c.At > numberAt).OrderBy(c => c.At).Select(c => c.Name).ToList();
        for (; at < cells.Count; at++)
        {
            var (line, lines) = cells[at];
            var first = lines[0];
            if (first.Length == 0)
            {
                continue;
            }

            var numbered = Numbered().Match(first);
            if (!numbered.Success)
            {
                if (Section().IsMatch(first))
                {
                    rows.Add(new TableRow(line, [string.Concat(lines), string.Empty, string.Empty, string.Empty, string.Empty]));
                }

                continue;
            }

            var values = new Dictionary<string, string> { ["task"] = string.Empty, ["lead"] = string.Empty, ["responsible"] = string.Empty, ["time"] = string.Empty };
            var inline = numbered.Groups["t"].Value.Trim() + string.Concat(lines.Skip(1));
            var wanted = new Queue<string>(order);
            if (inline.Length > 0)
            {
                values["task"] = inline;
                wanted = new Queue<string>(order.Where(o => o != "task"));
            }

            while (wanted.Count > 0 && at + 1 < cells.Count && !Numbered().IsMatch(cells[at + 1].Lines[0]) && !(Section().IsMatch(cells[at + 1].Lines[0]) && wanted.Peek() == "task"))
            {
                at++;
                var field = wanted.Dequeue();
                var cellLines = cells[at].Lines.Where(l => l.Length > 0).ToList();
                values[field] = field is "lead" or "responsible" ? Units(cellLines) : field == "time" ? string.Join(" ", cellLines) : string.Concat(cellLines);
            }

            rows.Add(new TableRow(line, [numbered.Groups["n"].Value, values["task"], values["lead"], values["responsible"], values["time"]]));
        }

        return rows;
    }

    // A unit cell's lines: one unit each, except a line cut inside a name, joined to the next.
    private static string Units(List<string> lines)
    {
        var units = new List<string>();
        var pending = string.Empty;
        foreach (var line in lines)
        {
            pending += line;
            if (UnitEnd().IsMatch(pending))
            {
                units.Add(pending);
                pending = string.Empty;
            }
        }

        if (pending.Length > 0)
        {
            units.Add(pending);
        }

        return string.Join(" ", units);
    }

    private static int[]? HeaderColumns(List<string> cells)
    {
        var columns = Headers.Select(names => cells.FindIndex(c => names.Contains(c.Replace(" ", string.Empty, StringComparison.Ordinal)))).ToArray();
        // A header names at least the task and one of the unit or time columns.
        return columns[1] >= 0 && (columns[2] >= 0 || columns[4] >= 0) ? columns : null;
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + " " + b;

    [GeneratedRegex(@"^(?<n>\d{1,3})(?:\s*[.．、]\s*(?<t>.*)|\s*)$")]
    private static partial Regex Numbered();

    [GeneratedRegex(@"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")]
    private static partial Regex Section();

    [GeneratedRegex(@"^（[一二三四五六七八九十]+）")]
    private static partial Regex SubSection();

    [GeneratedRegex(@"(局|办|委|会|部|部门|室|处|科|所|队|院|站|中心|公司|组|府|厅|馆|校|团|社|行|区|县|市|镇|乡|街道|）|\))$")]
    private static partial Regex UnitEnd();

    [GeneratedRegex(@"(?<y>20\d{2})\s*年")]
    private static partial Regex TitleYear();
}
