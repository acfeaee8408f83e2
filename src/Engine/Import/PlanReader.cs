namespace Supervision.Engine.Import;

/// <summary>Which of the plan layouts a text was read as.</summary>
public enum PlanLayout
{
    /// <summary>A table with tab-separated cells, one row per line (copied out of Excel or Word).</summary>
    TabSeparated,

    /// <summary>A table flattened one cell per line (a Word table pasted as text).</summary>
    CellPerLine,

    /// <summary>Numbered paragraphs ending in （牵头单位：…；责任单位：…）.</summary>
    Prose,
}

/// <summary>
/// Reads a plan given as text whatever its layout: a tab-separated table, a table one cell per line, or prose;
/// the layout that yields items is the one used (tables first: a document holding the prose plan and its
/// decomposition table yields the table's items, not both).
/// </summary>
public static class PlanReader
{
    public static (PlanLayout Layout, PlanDocument Plan) Read(string text, int? year)
    {
        ArgumentNullException.ThrowIfNull(text);
        var table = PlanTable.Read(PlanTable.TabSeparated(text), year);
        if (table.Items.Count > 0)
        {
            return (PlanLayout.TabSeparated, table);
        }

        var title = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && (l.Contains('年') || l.Contains('表')));
        var cells = PlanTable.Read(PlanTable.CellStream(text), year, title);
        if (cells.Items.Count > 0)
        {
            return (PlanLayout.CellPerLine, cells);
        }

        return (PlanLayout.Prose, PlanProse.Read(text, year));
    }
}
