using System.Text.Json;
using Supervision.Engine.Organisation;

namespace Supervision.Engine.Import;

/// <summary>A department directory file that cannot be used; <see cref="Problems"/> lists every problem with its JSON path.</summary>
public sealed class UnitDirectoryFileException(string file, IReadOnlyList<string> problems)
    : Exception($"{file}: {string.Join(Environment.NewLine + "  ", problems.Prepend(string.Empty)).TrimStart()}")
{
    public string File { get; } = file;

    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>One department of a directory file: its name, other names, and the department above it (by name).</summary>
public sealed record DirectoryEntry(string Name, IReadOnlyList<string> Aliases, string? Parent);

/// <summary>A directory file read: departments in file order (parents before children) and groups by name.</summary>
public sealed record DirectoryContents(IReadOnlyList<DirectoryEntry> Departments, IReadOnlyDictionary<string, IReadOnlyList<string>> Groups)
{
    /// <summary>The directory for matching plan cells, with ids given by <paramref name="idOf"/> (e.g. the stored departments').</summary>
    public UnitDirectory ToDirectory(Func<string, long> idOf)
    {
        ArgumentNullException.ThrowIfNull(idOf);
        return new UnitDirectory(Departments.Select(d => new Department { Id = idOf(d.Name), Name = d.Name, Aliases = d.Aliases }), Groups);
    }
}

/// <summary>
/// Reads the department directory format of <c>seeds/departments/</c> (described by <c>directory.schema.json</c>):
/// departments with aliases and parents, and the generic groups plans name (<c>各区县（市）政府</c>) with their
/// members. Every problem is reported at once with its JSON path: a missing name, a name or alias used twice, a
/// parent or group member that is not in the file, a parent given after its child.
/// </summary>
public static class UnitDirectoryFile
{
    public static DirectoryContents Parse(string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new UnitDirectoryFileException(file, [$"not valid JSON (line {e.LineNumber + 1}): {e.Message}"]);
        }

        using (document)
        {
            var problems = new List<string>();
            var departments = new List<DirectoryEntry>();
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("departments", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new UnitDirectoryFileException(file, ["$.departments: missing or not an array"]);
            }

            var index = 0;
            foreach (var element in list.EnumerateArray())
            {
                var path = $"$.departments[{index++}]";
                var name = Text(element, "name");
                if (string.IsNullOrWhiteSpace(name))
                {
                    problems.Add($"{path}.name: missing");
                    continue;
                }

                var aliases = new List<string>();
                if (element.TryGetProperty("aliases", out var a))
                {
                    if (a.ValueKind != JsonValueKind.Array || a.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(x.GetString())))
                    {
                        problems.Add($"{path}.aliases: must be a list of names");
                    }
                    else
                    {
                        aliases.AddRange(a.EnumerateArray().Select(x => x.GetString()!.Trim()));
                    }
                }

                foreach (var (used, field) in aliases.Select((x, i) => (x, $"{path}.aliases[{i}]")).Prepend((name.Trim(), $"{path}.name")))
                {
                    if (!names.TryAdd(used, field))
                    {
                        problems.Add($"{field}: '{used}' is already used at {names[used]}");
                    }
                }

                var parent = Text(element, "parent");
                if (parent is not null && !departments.Any(d => d.Name == parent))
                {
                    problems.Add($"{path}.parent: '{parent}' is not a department listed before this one");
                }

                departments.Add(new DirectoryEntry(name.Trim(), aliases, parent));
            }

            var groups = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (root.TryGetProperty("groups", out var g))
            {
                if (g.ValueKind != JsonValueKind.Object)
                {
                    problems.Add("$.groups: must map each group's name to its members");
                }
                else
                {
                    foreach (var group in g.EnumerateObject())
                    {
                        var path = $"$.groups['{group.Name}']";
                        if (group.Value.ValueKind != JsonValueKind.Array || group.Value.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                        {
                            problems.Add($"{path}: must be a list of department names");
                            continue;
                        }

                        var members = group.Value.EnumerateArray().Select(x => x.GetString()!.Trim()).ToList();
                        problems.AddRange(members.Select((m, i) => (m, i)).Where(x => !names.ContainsKey(x.m)).Select(x => $"{path}[{x.i}]: '{x.m}' is not a department or alias in this file"));
                        groups[group.Name] = members;
                    }
                }
            }

            return problems.Count > 0 ? throw new UnitDirectoryFileException(file, problems) : new DirectoryContents(departments, groups);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
