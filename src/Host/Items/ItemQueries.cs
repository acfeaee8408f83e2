using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

/// <summary>
/// What <see cref="ItemSearch"/> looks for; null fields do not filter. With <see cref="Departments"/>, the light,
/// seriously-overdue, paused, step, due-day and open conditions apply to those departments' assignments (what the
/// board counts: a task is red for the department whose assignment is red); without, to the item.
/// </summary>
public sealed record ItemFilter(
    Supervision.Engine.Items.ItemKind? Kind = null,
    IReadOnlyCollection<long>? Departments = null,
    Supervision.Engine.Items.Light? Light = null,
    string? Step = null,
    DateOnly? DueBefore = null,
    DateOnly? DueAfter = null,
    string? Text = null,
    bool? Paused = null,
    bool? Open = null,
    bool? SeriouslyOverdue = null,
    Supervision.Engine.Items.Light? StepLight = null);

/// <summary>
/// Finds items by filter within the departments a user may see, newest first, a page at a time. Two ways in, chosen
/// per request from the kept board counts (<see cref="BoardCounts"/>) as statistics: a department filter whose
/// departments own few assignments is answered from those assignments (an index range per department, then the page
/// of item ids); anything broader walks the items newest first, and its total is counted up to
/// <see cref="CountLimit"/> (said as "at least") rather than over hundreds of thousands of rows.
/// </summary>
public sealed class ItemSearch(Database database, BoardCounts boardCounts)
{
    /// <summary>Totals above this are reported as "more than" (the page itself is exact).</summary>
    public const int CountLimit = 10_000;

    /// <summary>Below this many assignments (by the kept counts) a department filter is answered from the assignments.</summary>
    private const long FewAssignments = 50_000;

    // The distinct items among the matching assignments: their number and the page of ids. The one place the two
    // providers differ here.
    private readonly Func<System.Data.Common.DbConnection, string, DynamicParameters, CancellationToken, Task<(long Total, long[] Ids)>> hits =
        database.Provider == DatabaseProvider.PostgreSql ? HitsAtOnceAsync : HitsInTwoAsync;

    public async Task<ItemSearchResult> SearchAsync(ItemFilter filter, IReadOnlyCollection<long>? scope, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await database.OpenAsync(cancellationToken);
        if (filter.Departments is { } departments && string.IsNullOrWhiteSpace(filter.Text) && (scope is null || departments.All(scope.Contains))
            && await AssignmentsOfAsync(connection, departments, filter, cancellationToken) < FewAssignments)
        {
            return await FromAssignmentsAsync(connection, filter, page, pageSize, cancellationToken);
        }

        var where = new List<string>();
        var p = new DynamicParameters();
        if (scope is not null)
        {
            where.Add($"({database.Dialect.InList("department_id", "@scope")} OR EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = items.id AND {database.Dialect.InList("a.department_id", "@scope")}))");
            p.Add("scope", scope.ToArray());
        }

        void Add(string clause, string name, object? value)
        {
            where.Add(clause);
            p.Add(name, value);
        }

        if (filter.Kind is { } kind) Add("kind = @kind", "kind", Supervision.Engine.Items.ItemKinds.Code(kind));
        if (filter.Departments is not null)
        {
            // The same conditions, on one assignment of those departments.
            where.Add($"EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = items.id AND {string.Join(" AND ", AssignmentConditions(filter, p, withKind: false))})");
        }
        else
        {
            if (filter.Light is { } light) Add("light = @light", "light", Supervision.Engine.Items.Lights.Code(light));
            if (filter.SeriouslyOverdue is { } serious) Add("seriously_overdue = @serious", "serious", serious);
            if (filter.Step is { } step) Add("step = @step", "step", step);
            if (filter.DueBefore is { } before) Add("due_on <= @dueBefore", "dueBefore", before);
            if (filter.DueAfter is { } after) Add("due_on >= @dueAfter", "dueAfter", after);
            if (filter.Paused is { } paused) Add("paused = @paused", "paused", paused);
            if (filter.Open is { } open) where.Add(open ? "closed_at IS NULL" : "closed_at IS NOT NULL");
            if (filter.StepLight is { } stepLight) Add("step_light = @stepLight", "stepLight", Supervision.Engine.Items.Lights.Code(stepLight));
        }

        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            // Titles and kind-specific fields (applicant, content, plan) as entered; LIKE with escaped wildcards.
            Add(database.Dialect.TextMatch(string.Empty, "@text"), "text", SqlDialect.ContainsPattern(filter.Text));
        }

        var clause = where.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", where);
        p.Add("limit", pageSize);
        p.Add("offset", (page - 1L) * pageSize);   // in 64 bits: page 2147483647 wrapped round to the first page
        p.Add("countLimit", CountLimit + 1);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM (SELECT 1 FROM items {clause} LIMIT @countLimit) counted", p, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<InstanceStore.ItemRow>(new CommandDefinition(
            $"SELECT {InstanceStore.ItemColumns} FROM items {clause} ORDER BY id DESC LIMIT @limit OFFSET @offset", p, cancellationToken: cancellationToken));
        return new ItemSearchResult(rows.Select(r => r.ToItem()).ToList(), Math.Min(total, CountLimit), total > CountLimit);
    }

    /// <summary>How many assignments the departments own (open ones only when the filter asks for open), by the kept counts.</summary>
    private async Task<long> AssignmentsOfAsync(System.Data.Common.DbConnection connection, IReadOnlyCollection<long> departments, ItemFilter filter, CancellationToken cancellationToken)
    {
        var kind = filter.Kind is { } k ? Supervision.Engine.Items.ItemKinds.Code(k) : null;
        var counts = await boardCounts.ReadAsync(connection, departments, kind, cancellationToken);
        return counts.Sum(c => c.Green + c.Yellow + c.Red + (filter.Open == true ? 0 : c.DoneOnTime + c.DoneLate));
    }

    /// <summary>The page from the departments' assignments: the distinct item ids matching, newest first, then those items.</summary>
    private async Task<ItemSearchResult> FromAssignmentsAsync(System.Data.Common.DbConnection connection, ItemFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        var p = new DynamicParameters();
        var on = string.Join(" AND ", AssignmentConditions(filter, p, withKind: true));
        p.Add("limit", pageSize);
        p.Add("offset", (page - 1L) * pageSize);   // in 64 bits: page 2147483647 wrapped round to the first page
        var (total, ids) = await hits(connection, on, p, cancellationToken);
        if (ids.Length == 0)
        {
            return new ItemSearchResult([], total, false);
        }

        var rows = await connection.QueryAsync<InstanceStore.ItemRow>(new CommandDefinition(
            $"SELECT {InstanceStore.ItemColumns} FROM items WHERE {database.Dialect.InList("id", "@ids")} ORDER BY id DESC", new { ids }, cancellationToken: cancellationToken));
        return new ItemSearchResult(rows.Select(r => r.ToItem()).ToList(), total, false);
    }

    // PostgreSQL: one pass over the assignments for both the total and the page.
    private static Task<(long Total, long[] Ids)> HitsAtOnceAsync(System.Data.Common.DbConnection connection, string on, DynamicParameters p, CancellationToken cancellationToken) =>
        connection.QuerySingleAsync<(long, long[])>(new CommandDefinition(
            $"""
            WITH hits AS MATERIALIZED (SELECT DISTINCT a.item_id FROM assignments a WHERE {on})
            SELECT (SELECT count(*) FROM hits), ARRAY(SELECT item_id FROM hits ORDER BY item_id DESC LIMIT @limit OFFSET @offset)
            """, p, cancellationToken: cancellationToken));

    // SQLite (no arrays): the total, then the page.
    private static async Task<(long Total, long[] Ids)> HitsInTwoAsync(System.Data.Common.DbConnection connection, string on, DynamicParameters p, CancellationToken cancellationToken)
    {
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(DISTINCT a.item_id) FROM assignments a WHERE {on}", p, cancellationToken: cancellationToken));
        var ids = (await connection.QueryAsync<long>(new CommandDefinition(
            $"SELECT DISTINCT a.item_id FROM assignments a WHERE {on} ORDER BY a.item_id DESC LIMIT @limit OFFSET @offset", p, cancellationToken: cancellationToken))).ToArray();
        return (total, ids);
    }

    /// <summary>The filter's conditions on one assignment (alias <c>a</c>) of its departments, parameters added to <paramref name="p"/>.</summary>
    private List<string> AssignmentConditions(ItemFilter filter, DynamicParameters p, bool withKind)
    {
        var on = new List<string> { database.Dialect.InList("a.department_id", "@departments") };
        p.Add("departments", filter.Departments!.ToArray());
        if (withKind && filter.Kind is { } kind) { on.Add("a.kind = @kind"); p.Add("kind", Supervision.Engine.Items.ItemKinds.Code(kind)); }
        if (filter.Light is { } l) { on.Add("a.light = @light"); p.Add("light", Supervision.Engine.Items.Lights.Code(l)); }
        if (filter.SeriouslyOverdue is { } so) { on.Add("a.seriously_overdue = @serious"); p.Add("serious", so); }
        if (filter.Paused is { } pa) { on.Add("a.paused = @paused"); p.Add("paused", pa); }
        if (filter.Step is { } st) { on.Add("a.step = @step"); p.Add("step", st); }
        if (filter.DueBefore is { } db) { on.Add("a.due_on <= @dueBefore"); p.Add("dueBefore", db); }
        if (filter.DueAfter is { } da) { on.Add("a.due_on >= @dueAfter"); p.Add("dueAfter", da); }
        if (filter.Open is { } op) { on.Add(op ? "a.closed_at IS NULL" : "a.closed_at IS NOT NULL"); }
        if (filter.StepLight is { } sl) { on.Add("a.step_light = @stepLight"); p.Add("stepLight", Supervision.Engine.Items.Lights.Code(sl)); }
        return on;
    }
}

/// <summary>A page of items and how many match in all; when <see cref="TotalIsAtLeast"/>, at least that many.</summary>
public sealed record ItemSearchResult(IReadOnlyList<Supervision.Engine.Items.SupervisedItem> Items, long Total, bool TotalIsAtLeast);
