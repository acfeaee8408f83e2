using System.Data.Common;
using Dapper;
using Supervision.Engine.Organisation;
using Supervision.Host.Storage;

namespace Supervision.Host.People;

/// <summary>Departments with their aliases; a name or alias identifies at most one department.</summary>
public sealed class DepartmentStore(Database database, TimeProvider clock)
{
    private KeptDirectory? _kept;

    /// <summary>Adds a department with its aliases in one transaction; returns it with its id.</summary>
    public async Task<Department> AddAsync(Department department, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(department);
        await using var uow = await database.BeginAsync(cancellationToken);
        var added = await AddInAsync(uow, department, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return added;
    }

    /// <summary>Adds a department inside a caller's transaction (an import creating the units it names).</summary>
    internal async Task<Department> AddInAsync(UnitOfWork uow, Department department, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(department);
        var name = department.Name.Trim();
        var aliases = department.Aliases.Select(a => a.Trim()).Where(a => a.Length > 0 && a != name).Distinct(StringComparer.Ordinal).ToList();
        var taken = (await uow.Connection.QueryAsync<string>(uow.Command(
            $"SELECT name FROM department_names WHERE {database.Dialect.InList("name", "@names")}", new { names = aliases.Prepend(name).ToArray() }, cancellationToken))).AsList();
        if (taken.Count > 0)
        {
            throw new DuplicateNameException($"Department name or alias already in use: {string.Join(", ", taken)}.");
        }

        long id;
        try
        {
            id = await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
                "INSERT INTO departments (name, parent_id, created_at) VALUES (@name, @ParentId, @now) RETURNING id",
                new { name, department.ParentId, now = clock.GetUtcNow() },
                cancellationToken));
            var names = aliases.Select(a => new { name = a, id, isAlias = true }).Prepend(new { name, id, isAlias = false });
            await uow.Connection.ExecuteAsync(uow.Command(
                "INSERT INTO department_names (name, department_id, is_alias) VALUES (@name, @id, @isAlias)", names, cancellationToken));
        }
        catch (DbException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Someone else took one of the names between our check and our insert (PostgreSQL, several writers).
            throw new DuplicateNameException($"Department name or alias already in use: {string.Join(", ", aliases.Prepend(name))}.");
        }

        return department with { Id = id, Name = name, Aliases = aliases };
    }

    /// <summary>
    /// Renames, moves and re-aliases a department inside a caller's transaction. Its <c>ParentId</c>: the new
    /// parent (null: the top); a move that would put the department under itself is refused. Names and aliases stay
    /// unique across every department (409 naming the one taken).
    /// </summary>
    internal async Task<Department> UpdateInAsync(UnitOfWork uow, Department changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(changed);
        var all = await ListAsync(uow, cancellationToken);
        var parents = all.ToDictionary(d => d.Id, d => d.ParentId);
        for (var above = changed.ParentId; above is { } up; above = parents.GetValueOrDefault(up))
        {
            if (up == changed.Id)
            {
                throw new Supervision.Engine.Workflows.WorkflowRefusedException(Supervision.Engine.Workflows.RefusalKind.Rule,
                    $"parent: '{all.First(d => d.Id == changed.ParentId).Name}' is {(changed.ParentId == changed.Id ? "the department itself" : "below it")}; a department cannot be put under itself");
            }
        }

        var name = changed.Name.Trim();
        var aliases = changed.Aliases.Select(a => a.Trim()).Where(a => a.Length > 0 && a != name).Distinct(StringComparer.Ordinal).ToList();
        var taken = (await uow.Connection.QueryAsync<string>(uow.Command(
            $"SELECT name FROM department_names WHERE department_id <> @id AND {database.Dialect.InList("name", "@names")}", new { id = changed.Id, names = aliases.Prepend(name).ToArray() }, cancellationToken))).AsList();
        if (taken.Count > 0)
        {
            throw new DuplicateNameException($"Department name or alias already in use: {string.Join(", ", taken)}.");
        }

        await uow.Connection.ExecuteAsync(uow.Command("UPDATE departments SET name = @name, parent_id = @parent WHERE id = @id", new { name, parent = changed.ParentId, id = changed.Id }, cancellationToken));
        await uow.Connection.ExecuteAsync(uow.Command("DELETE FROM department_names WHERE department_id = @id", new { id = changed.Id }, cancellationToken));
        await uow.Connection.ExecuteAsync(uow.Command(
            "INSERT INTO department_names (name, department_id, is_alias) VALUES (@name, @id, @isAlias)",
            aliases.Select(a => new { name = a, id = changed.Id, isAlias = true }).Prepend(new { name, id = changed.Id, isAlias = false }), cancellationToken));
        return changed with { Name = name, Aliases = aliases };
    }

    /// <summary>What refers to a department (by what, how many); empty when it may be deleted.</summary>
    internal static async Task<IReadOnlyList<string>> ReferencesInAsync(UnitOfWork uow, long id, CancellationToken cancellationToken)
    {
        var counts = await uow.Connection.QuerySingleAsync<(long Children, long People, long Items, long Assignments, long Channels, long Groups, long Circulations, long Counts, long Displays)>(uow.Command(
            """
            SELECT (SELECT count(*) FROM departments WHERE parent_id = @id), (SELECT count(*) FROM users WHERE department_id = @id),
                   (SELECT count(*) FROM items WHERE department_id = @id), (SELECT count(*) FROM assignments WHERE department_id = @id),
                   (SELECT count(*) FROM notice_channels WHERE department_id = @id), (SELECT count(*) FROM department_groups WHERE department_id = @id),
                   (SELECT count(*) FROM circulations WHERE office_department_id = @id),
                   (SELECT count(*) FROM light_daily WHERE department_id = @id) + (SELECT count(*) FROM board_counts WHERE department_id = @id),
                   (SELECT count(*) FROM display_links WHERE department_id = @id AND revoked_at IS NULL)
            """, new { id }, cancellationToken));
        return new (long Count, string What)[]
            {
                (counts.Children, "departments below it"), (counts.People, "people"), (counts.Items, "items"), (counts.Assignments, "assignments"),
                (counts.Channels, "notice channels"), (counts.Groups, "group memberships"), (counts.Circulations, "circulations"), (counts.Counts, "recorded light counts"),
                (counts.Displays, "display links"),
            }
            .Where(c => c.Count > 0).Select(c => $"{c.Count} {c.What}").ToList();
    }

    /// <summary>Deletes a department nothing refers to, inside a caller's transaction (its names go with it).</summary>
    internal static async Task DeleteInAsync(UnitOfWork uow, long id, CancellationToken cancellationToken)
    {
        await uow.Connection.ExecuteAsync(uow.Command("DELETE FROM department_names WHERE department_id = @id", new { id }, cancellationToken));
        // Revoked display links only remember it; live ones would have kept it from being deleted.
        await uow.Connection.ExecuteAsync(uow.Command("DELETE FROM display_links WHERE department_id = @id AND revoked_at IS NOT NULL", new { id }, cancellationToken));
        await uow.Connection.ExecuteAsync(uow.Command("DELETE FROM departments WHERE id = @id", new { id }, cancellationToken));
    }

    /// <summary>The department with this id, or null.</summary>
    public async Task<Department?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await ListAsync(cancellationToken);
        return _kept?.ById.GetValueOrDefault(id);
    }

    /// <summary>The department going by this name or alias, or null.</summary>
    public async Task<Department?> FindByNameAsync(string nameOrAlias, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nameOrAlias);
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await LoadAsync(connection,
            "WHERE d.id = (SELECT department_id FROM department_names WHERE name = @name)",
            new { name = nameOrAlias.Trim() }, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Every department, ordered by name: kept in memory and reloaded only when the directory's version
    /// (moved by the database on every change of departments or their names, whoever makes it) has moved.</summary>
    public async Task<IReadOnlyList<Department>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // The version is read before the rows: what is loaded is at least as new as the version it is kept under.
        var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition(DirectoryVersionSql, cancellationToken: cancellationToken));
        var kept = _kept;
        if (kept is not null && kept.Version == version)
        {
            return kept.Departments;
        }

        var loaded = (await LoadAsync(connection, string.Empty, null, cancellationToken)).ToList().AsReadOnly();
        _kept = new KeptDirectory(version, loaded, loaded.ToDictionary(d => d.Id));
        return loaded;
    }

    /// <summary>The directory's version, moved by the database on every change of departments or their names (a
    /// query other stores may send in their own batches; see <see cref="ListAsync(UnitOfWork, long, CancellationToken)"/>).</summary>
    internal const string DirectoryVersionSql = "SELECT version FROM directory_version WHERE id = 1";

    private sealed record KeptDirectory(long Version, IReadOnlyList<Department> Departments, IReadOnlyDictionary<long, Department> ById);

    /// <summary>Every department as a caller's transaction sees them: the kept directory when the transaction sees
    /// the version it was kept under (no change since, made here or elsewhere), else read in the transaction (an
    /// import creates departments and their tasks in one transaction; its own changes moved the version).</summary>
    internal async Task<IReadOnlyList<Department>> ListAsync(UnitOfWork uow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        var version = await uow.Connection.ExecuteScalarAsync<long>(uow.Command(DirectoryVersionSql, null, cancellationToken));
        return await ListAsync(uow, version, cancellationToken);
    }

    /// <summary>Every department as a caller's transaction sees them, the directory's version already read in it.</summary>
    internal async Task<IReadOnlyList<Department>> ListAsync(UnitOfWork uow, long version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        var kept = _kept;
        return kept is not null && kept.Version == version
            ? kept.Departments
            : await LoadAsync(uow.Connection, string.Empty, null, cancellationToken, uow.Transaction);
    }

    /// <summary>The groups plans name (各区县（市）政府 → its member departments' names).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GroupsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GroupsAsync(connection, null, cancellationToken);
    }

    /// <summary>The groups as a caller's transaction sees them.</summary>
    internal static Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GroupsAsync(UnitOfWork uow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        return GroupsAsync(uow.Connection, uow.Transaction, cancellationToken);
    }

    /// <summary>Sets a group's members (replacing any it had), in one transaction.</summary>
    public async Task SetGroupAsync(string name, IReadOnlyCollection<long> members, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("a group has at least one member", nameof(members));
        }

        await using var uow = await database.BeginAsync(cancellationToken);
        await SetGroupInAsync(uow, name, members, cancellationToken);
        await uow.CommitAsync(cancellationToken);
    }

    /// <summary>The groups each department belongs to (department id → group names).</summary>
    public Task<IReadOnlyDictionary<long, IReadOnlyList<string>>> MembershipsAsync(CancellationToken cancellationToken) =>
        database.InTransactionAsync(uow => MembershipsInAsync(uow, cancellationToken), cancellationToken);

    /// <summary>The groups each department belongs to (department id → group names), as a caller's transaction sees them.</summary>
    internal static async Task<IReadOnlyDictionary<long, IReadOnlyList<string>>> MembershipsInAsync(UnitOfWork uow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        var rows = await uow.Connection.QueryAsync<(string Group, long Member)>(uow.Command(
            "SELECT name, department_id FROM department_groups", null, cancellationToken));
        return rows.GroupBy(r => r.Member).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Group).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>Makes a department a member of exactly <paramref name="groups"/> (a group left without members is gone),
    /// inside a caller's transaction.</summary>
    internal static async Task SetMembershipsInAsync(UnitOfWork uow, long departmentId, IReadOnlyCollection<string> groups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(groups);
        await uow.Connection.ExecuteAsync(uow.Command("DELETE FROM department_groups WHERE department_id = @departmentId", new { departmentId }, cancellationToken));
        await uow.Connection.ExecuteAsync(uow.Command(
            "INSERT INTO department_groups (name, department_id) VALUES (@name, @departmentId)",
            groups.Select(g => g.Trim()).Where(g => g.Length > 0).Distinct(StringComparer.Ordinal).Select(name => new { name, departmentId }), cancellationToken));
    }

    /// <summary>Sets a group's members inside a caller's transaction (loading a directory file).</summary>
    internal static async Task SetGroupInAsync(UnitOfWork uow, string name, IReadOnlyCollection<long> members, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(members);
        await uow.Connection.ExecuteAsync(uow.Command("DELETE FROM department_groups WHERE name = @name", new { name = name.Trim() }, cancellationToken));
        await uow.Connection.ExecuteAsync(uow.Command(
            "INSERT INTO department_groups (name, department_id) VALUES (@name, @id)", members.Distinct().Select(id => new { name = name.Trim(), id }), cancellationToken));
    }

    /// <summary>
    /// Loads a directory file in one transaction: each department not yet present is created (with its aliases, under
    /// its parent), ones already present (by name or alias) are left as they are, and each group is set to its
    /// members. Returns the names created and those already present.
    /// </summary>
    public Task<(IReadOnlyList<string> Created, IReadOnlyList<string> Present)> LoadAsync(Supervision.Engine.Import.DirectoryContents directory, CancellationToken cancellationToken) =>
        database.InTransactionAsync(uow => LoadInAsync(uow, directory, cancellationToken), cancellationToken);

    /// <summary><see cref="LoadAsync(Supervision.Engine.Import.DirectoryContents, CancellationToken)"/> inside a caller's transaction.</summary>
    internal async Task<(IReadOnlyList<string> Created, IReadOnlyList<string> Present)> LoadInAsync(UnitOfWork uow, Supervision.Engine.Import.DirectoryContents directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(directory);
        var created = new List<string>();
        var present = new List<string>();
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var d in await ListAsync(uow, cancellationToken))
        {
            ids[d.Name] = d.Id;
            foreach (var alias in d.Aliases)
            {
                ids[alias] = d.Id;
            }
        }

        foreach (var entry in directory.Departments)
        {
            if (ids.TryGetValue(entry.Name, out var existing))
            {
                present.Add(entry.Name);
                continue;
            }

            var added = await AddInAsync(uow, new Department { Name = entry.Name, Aliases = entry.Aliases, ParentId = entry.Parent is null ? null : ids[entry.Parent] }, cancellationToken);
            ids[added.Name] = added.Id;
            foreach (var alias in added.Aliases)
            {
                ids[alias] = added.Id;
            }

            created.Add(entry.Name);
        }

        foreach (var (group, members) in directory.Groups)
        {
            await SetGroupInAsync(uow, group, members.Select(m => ids[m]).ToList(), cancellationToken);
        }

        return (created, present);
    }

    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GroupsAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string Group, string Member)>(new CommandDefinition(
            "SELECT g.name, d.name FROM department_groups g JOIN departments d ON d.id = g.department_id ORDER BY g.name, d.name",
            transaction: transaction, cancellationToken: cancellationToken));
        return rows.GroupBy(r => r.Group, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Member).ToList(), StringComparer.Ordinal);
    }

    private static async Task<IReadOnlyList<Department>> LoadAsync(DbConnection connection, string where, object? parameters, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        var rows = await connection.QueryAsync<(long Id, string Name, long? ParentId, string? Alias)>(new CommandDefinition(
            $"""
            SELECT d.id, d.name, d.parent_id, n.name
            FROM departments d LEFT JOIN department_names n ON n.department_id = d.id AND n.is_alias = @isAlias
            {where}
            ORDER BY d.name, n.name
            """,
            new DynamicParameters(parameters).Also("isAlias", true),
            transaction,
            cancellationToken: cancellationToken));
        return rows
            .GroupBy(r => r.Id)
            .Select(g => new Department
            {
                Id = g.Key,
                Name = g.First().Name,
                ParentId = g.First().ParentId,
                Aliases = g.Where(r => r.Alias is not null).Select(r => r.Alias!).ToList(),
            })
            .ToList();
    }
}

/// <summary>The department tree as the stores list it.</summary>
public static class DepartmentTree
{
    /// <summary>A department and every department below it.</summary>
    public static HashSet<long> Subtree(this IReadOnlyList<Department> all, long root)
    {
        ArgumentNullException.ThrowIfNull(all);
        var set = new HashSet<long> { root };
        var grew = true;
        while (grew)
        {
            grew = false;
            foreach (var d in all.Where(d => d.ParentId is { } p && set.Contains(p) && !set.Contains(d.Id)))
            {
                grew |= set.Add(d.Id);
            }
        }

        return set;
    }
}

internal static class DynamicParametersExtensions
{
    public static DynamicParameters Also(this DynamicParameters parameters, string name, object? value)
    {
        parameters.Add(name, value);
        return parameters;
    }
}
