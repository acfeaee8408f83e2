using Dapper;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Storage;

namespace Supervision.Host.Workflows;

/// <summary>A definition version as recorded in <c>workflow_definitions</c>: its content hash and the content itself.</summary>
internal sealed record RecordedDefinition
{
    public string Id { get; init; } = "";
    public int Version { get; init; }
    public string ContentHash { get; init; } = "";
    public string Content { get; init; } = "";
}

/// <summary>Every definition version ever loaded (<c>workflow_definitions</c>), inside the loader's transaction.</summary>
internal static class DefinitionStore
{
    /// <summary>Every recorded version.</summary>
    public static async Task<List<RecordedDefinition>> RecordedAsync(UnitOfWork uow, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<RecordedDefinition>(uow.Command(
            "SELECT id AS Id, version AS Version, content_hash AS ContentHash, content AS Content FROM workflow_definitions", null, cancellationToken))).AsList();

    /// <summary>Records a version first loaded now (nothing when another loader recorded it meanwhile).</summary>
    public static Task RecordAsync(UnitOfWork uow, WorkflowDefinition definition, string content, DateTimeOffset now, CancellationToken cancellationToken) =>
        uow.Connection.ExecuteAsync(uow.Command(
            """
            INSERT INTO workflow_definitions (id, version, kind, content_hash, content, first_loaded_at)
            VALUES (@Id, @Version, @kind, @ContentHash, @content, @now)
            ON CONFLICT (id, version) DO NOTHING
            """,
            new { definition.Id, definition.Version, kind = definition.Kind.Code(), definition.ContentHash, content, now },
            cancellationToken));
}
