namespace Supervision.Engine.Import;

/// <summary>Which of the plan layouts a document was read as.</summary>
public enum PlanLayout
{
    /// <summary>A table with tab-separated cells, one row per line (copied out of Excel or Word).</summary>
    TabSeparated,

    /// <summary>A table flattened one cell per line (a Word table pasted as text).</summary>
    CellPerLine,

    /// <summary>Numbered paragraphs ending in （牵头单位：…；责任单位：…）.</summary>
    Prose,

    /// <summary>A table given as rows of cells (a workbook, a Word table, a CSV file).</summary>
    Table,
}

/// <summary>
/// Reads a plan whatever its layout: a tab-separated table, a table one cell per line, or prose; the layout that
/// yields items is the one used, tables first. A document holding both the prose plan and its decomposition table
/// yields one set of tasks: the table's rows, enriched from the prose (<see cref="Combine"/>).
/// </summary>
public static class PlanReader
{
    /// <summary>Reads a plan given as text.</summary>
    public static (PlanLayout Layout, PlanDocument Plan) Read(string text, int? year)
    {
        ArgumentNullException.ThrowIfNull(text);
        var table = PlanTable.Read(PlanTable.TabSeparated(text), year);
        if (table.Items.Count > 0)
        {
            return (PlanLayout.TabSeparated, Combine(table, ProseBefore(text, table.Items.Min(i => i.Line)), year));
        }

        var title = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && (l.Contains('年') || l.Contains('表')));
        var cells = PlanTable.Read(PlanTable.CellStream(text), year, title);
        if (cells.Items.Count > 0)
        {
            return (PlanLayout.CellPerLine, Combine(cells, ProseBefore(text, cells.Items.Min(i => i.Line)), year));
        }

        return (PlanLayout.Prose, PlanProse.Read(text, year));
    }

    /// <summary>
    /// Reads a document given as its paragraphs (outside tables) and its table rows (a Word document): the table's
    /// rows, enriched from the paragraphs' prose plan when there is one; the prose alone when no table holds a plan.
    /// </summary>
    public static (PlanLayout Layout, PlanDocument Plan) Read(string paragraphs, IReadOnlyList<TableRow> tableRows, int? year)
    {
        ArgumentNullException.ThrowIfNull(paragraphs);
        ArgumentNullException.ThrowIfNull(tableRows);
        var title = paragraphs.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && l.Contains('年') && (l.Contains("要点") || l.Contains('表') || l.Contains("计划")));
        var table = PlanTable.Read(tableRows, year, title);
        if (table.Items.Count > 0)
        {
            return (PlanLayout.Table, Combine(table, paragraphs, year));
        }

        var (layout, plan) = Read(paragraphs, year);
        if (tableRows.Count > 0 && plan.Items.Count == 0)
        {
            // Neither the tables nor the text held a plan: say why the tables did not.
            return (PlanLayout.Table, table);
        }

        return (layout, plan);
    }

    /// <summary>
    /// The table's items enriched from the prose plan in the same document: each table item matched to the prose item
    /// of the same title (or, failing that, the same number when both number alike) gets the prose paragraph as its
    /// plan text, and the prose's units and deadline fill the cells its rows leave blank. Prose items without a row in
    /// the table are reported, not imported: the table is what the plan decomposed.
    /// </summary>
    public static PlanDocument Combine(PlanDocument table, string prose, int? year)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(prose);
        var plan = PlanProse.Read(prose, year ?? (table.Year > 0 ? table.Year : null));
        if (plan.Items.Count == 0)
        {
            return table;
        }

        var unmatched = plan.Items.ToList();
        var sameNumbering = plan.Items.Count == table.Items.Count;
        var items = new List<PlanItem>();
        foreach (var item in table.Items)
        {
            var match = unmatched.FirstOrDefault(p => SameTitle(p.Title, item.Title))
                ?? (sameNumbering ? unmatched.FirstOrDefault(p => p.Number == item.Number) : null);
            if (match is null)
            {
                items.Add(item);
                continue;
            }

            unmatched.Remove(match);
            var source = match.Tasks[0];
            items.Add(item with
            {
                PlanText = source.Text,
                Tasks = item.Tasks.Select(t => t with
                {
                    Lead = t.Lead.Length > 0 ? t.Lead : source.Lead,
                    Responsible = t.Responsible.Length > 0 ? t.Responsible : source.Responsible,
                    Deadline = t.Deadline.Blank ? source.Deadline : t.Deadline,
                }).ToList(),
            });
        }

        var warnings = table.Warnings.ToList();
        warnings.AddRange(unmatched.Select(p => new ImportWarning(p.Line, "number",
            $"the plan's item {p.Number} ('{p.Title}') has no row in the decomposition table: not imported (the table is what the plan decomposed)")));
        return table with { Title = plan.Title ?? table.Title, Items = items, Warnings = warnings };
    }

    /// <summary>
    /// The plan a title names: a decomposition table's title without its 任务分解表 (or 责任分工, 分工方案), so the plan
    /// and its table, imported from either file, are one plan (<c>XX市2026年政务公开工作要点任务分解表</c> →
    /// <c>XX市2026年政务公开工作要点</c>); an annex's <c>附件：</c> or <c>附件1</c> left off.
    /// </summary>
    public static string PlanName(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        var name = System.Text.RegularExpressions.Regex.Replace(title.Trim(), @"^附件\s*\d*\s*[:：]?\s*", string.Empty);
        foreach (var suffix in (string[])["重点任务分解表", "目标任务分解表", "任务分解表", "责任分工方案", "任务分工方案", "责任分工", "分解表", "责任分解"])
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length + 4)
            {
                return name[..^suffix.Length].TrimEnd('的', ' ', '　');
            }
        }

        return name;
    }

    // The text above the table: where a plan's prose stands when the table is its annex.
    private static string ProseBefore(string text, int firstItemLine) =>
        string.Join('\n', text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Take(Math.Max(0, firstItemLine - 1)));

    private static bool SameTitle(string a, string b)
    {
        var (x, y) = (Plain(a), Plain(b));
        return x.Length > 0 && y.Length > 0 && (x == y || (Math.Min(x.Length, y.Length) >= 4 && (x.StartsWith(y, StringComparison.Ordinal) || y.StartsWith(x, StringComparison.Ordinal))));
    }

    private static string Plain(string text) => new(text.Where(char.IsLetterOrDigit).ToArray());
}
