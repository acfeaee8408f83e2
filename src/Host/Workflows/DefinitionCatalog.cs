using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Storage;

namespace Supervision.Host.Workflows;

/// <summary>Definitions that cannot be used; <see cref="Problems"/> lists each with file, JSON path and message.</summary>
public sealed class DefinitionLoadException(IReadOnlyList<DefinitionProblem> problems)
    : Exception("Workflow definitions have problems:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<DefinitionProblem> Problems { get; } = problems;
}

/// <summary>A definition with the file it came from and that file's text.</summary>
public sealed record DefinitionFile(WorkflowDefinition Definition, string File, string Content);

/// <summary>
/// The workflow definitions in force. Reads every <c>*.json</c> of the workflows folder (except <c>schema.json</c>;
/// none over <see cref="MaxFileBytes"/>), checks each, and records each version with its content hash in
/// <c>workflow_definitions</c>: a version whose file changed after it was first loaded is refused (give it a new
/// number), and every version ever loaded stays
/// available for the items pinned to it, even after its file moved on. A reload that finds problems keeps the
/// definitions in force and reports the problems.
/// </summary>
public sealed class DefinitionCatalog(Database database, TimeProvider clock, string directory)
{
    /// <summary>The largest definition file read: the shipped ones are a few KB; a larger file is reported, not read.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    private volatile IReadOnlyDictionary<(string Id, int Version), WorkflowDefinition> _byVersion = new Dictionary<(string, int), WorkflowDefinition>();
    private volatile IReadOnlyDictionary<string, WorkflowDefinition> _latest = new Dictionary<string, WorkflowDefinition>();

    /// <summary>The folder definitions are read from.</summary>
    public string Directory { get; } = directory;

    /// <summary>The newest version of each definition found in the folder.</summary>
    public IReadOnlyCollection<WorkflowDefinition> Latest => _latest.Values.ToList();

    /// <summary>The newest version of a definition, or null.</summary>
    public WorkflowDefinition? LatestOf(string id) => _latest.GetValueOrDefault(id);

    /// <summary>The newest definition for a kind of item with this id (null id: the standard one, disclosure-request or supervision-task, when loaded; else the first of that kind by id).</summary>
    public WorkflowDefinition? For(ItemKind kind, string? id = null) =>
        id is null
            ? (LatestOf(kind == ItemKind.Request ? "disclosure-request" : "supervision-task") is { } standard && standard.Kind == kind
                ? standard
                : _latest.Values.Where(d => d.Kind == kind).OrderBy(d => d.Id, StringComparer.Ordinal).FirstOrDefault())
            : LatestOf(id) is { } d && d.Kind == kind ? d : null;

    /// <summary>A definition at the version an item is pinned to; throws when that version was never loaded.</summary>
    public WorkflowDefinition Get(string id, int version) =>
        _byVersion.GetValueOrDefault((id, version)) ?? throw new KeyNotFoundException($"Workflow definition {id} v{version} is not known.");

    /// <summary>Reads and checks the files without recording anything (the <c>definitions validate</c> subcommand).</summary>
    public static (IReadOnlyList<DefinitionFile> Definitions, IReadOnlyList<DefinitionProblem> Problems) ReadFolder(string directory)
    {
        var problems = new List<DefinitionProblem>();
        var definitions = new List<DefinitionFile>();
        if (!System.IO.Directory.Exists(directory))
        {
            return ([], [new DefinitionProblem(directory, "$", "folder not found")]);
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*.json").Where(f => Path.GetFileName(f) != "schema.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var size = new FileInfo(file).Length;
            if (size > MaxFileBytes)
            {
                problems.Add(new DefinitionProblem(name, "$", $"a file of {size / 1024.0 / 1024:0.0} MB; a definition is at most {MaxFileBytes / 1024 / 1024} MB (not read)"));
                continue;
            }

            var content = File.ReadAllText(file);
            var (definition, fileProblems) = DefinitionLoader.Load(content, name);
            problems.AddRange(fileProblems);
            if (definition is null)
            {
                continue;
            }

            if (definitions.FirstOrDefault(d => d.Definition.Id == definition.Id && d.Definition.Version == definition.Version) is { } twin)
            {
                problems.Add(new DefinitionProblem(name, "$.version", $"{definition.Key} is also defined by {twin.File}; each version lives in one file"));
                continue;
            }

            definitions.Add(new DefinitionFile(definition, name, content));
        }

        if (definitions.Count == 0 && problems.Count == 0)
        {
            problems.Add(new DefinitionProblem(directory, "$", "no workflow definitions found"));
        }

        return (definitions, problems);
    }

    /// <summary>
    /// Loads the folder, checks it against the versions recorded before, records new versions, and makes the result
    /// current. Throws <see cref="DefinitionLoadException"/> (and keeps what was current) when anything is wrong.
    /// </summary>
    public async Task<IReadOnlyList<WorkflowDefinition>> LoadAsync(CancellationToken cancellationToken)
    {
        var (definitions, problems) = ReadFolder(Directory);
        var list = problems.ToList();
        await using var uow = await database.BeginAsync(cancellationToken);
        var recorded = await DefinitionStore.RecordedAsync(uow, cancellationToken);
        foreach (var (definition, file, _) in definitions)
        {
            var before = recorded.FirstOrDefault(r => r.Id == definition.Id && r.Version == definition.Version);
            if (before is not null && before.ContentHash != definition.ContentHash)
            {
                list.Add(new DefinitionProblem(file, "$.version",
                    $"{definition.Key} was changed after it was first loaded; items already run on the old content, so give the changed definition a new version number"));
            }
        }

        if (list.Count > 0)
        {
            throw new DefinitionLoadException(list);
        }

        var now = clock.GetUtcNow();
        foreach (var (definition, _, content) in definitions.Where(d => !recorded.Any(r => r.Id == d.Definition.Id && r.Version == d.Definition.Version)))
        {
            await DefinitionStore.RecordAsync(uow, definition, content, now, cancellationToken);
        }

        await uow.CommitAsync(cancellationToken);

        // Older versions no longer in the folder stay available for the items pinned to them.
        var byVersion = definitions.ToDictionary(d => (d.Definition.Id, d.Definition.Version), d => d.Definition);
        foreach (var old in recorded.Where(r => !byVersion.ContainsKey((r.Id, r.Version))))
        {
            var (definition, _) = DefinitionLoader.Load(old.Content, $"workflow_definitions {old.Id} v{old.Version}");
            if (definition is not null)
            {
                byVersion[(definition.Id, definition.Version)] = definition;
            }
        }

        _byVersion = byVersion;
        _latest = definitions.Select(d => d.Definition).GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.MaxBy(d => d.Version)!);
        return definitions.Select(d => d.Definition).ToList();
    }
}
