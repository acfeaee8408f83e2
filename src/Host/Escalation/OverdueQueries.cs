using Dapper;
using Supervision.Engine.Items;
using Supervision.Host.Storage;

namespace Supervision.Host.Escalation;

/// <summary>An open assignment the nightly run looks at for urging: red and running, with its item's title.</summary>
internal sealed record OverdueAssignment
{
    public long AssignmentId { get; init; }
    public long ItemId { get; init; }
    public long DepartmentId { get; init; }
    public string LightCode { get; init; } = "";
    public bool Paused { get; init; }
    public bool SeriouslyOverdue { get; init; }
    public DateOnly? DueOn { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public string Title { get; init; } = "";

    public Light Light => Lights.Parse(LightCode);
}

/// <summary>An open assignment whose step or pause limit has passed, with its item's title and pinned definition.</summary>
internal sealed record PastStepLimit
{
    public long AssignmentId { get; init; }
    public long ItemId { get; init; }
    public long DepartmentId { get; init; }
    public string? StepLightCode { get; init; }
    public DateOnly? StepDueOn { get; init; }
    public string? StepBasis { get; init; }
    public string Title { get; init; } = "";
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }

    public Light? StepLight => StepLightCode is null ? null : Lights.Parse(StepLightCode);
}

/// <summary>The nightly run's reads: open assignments in chunks along their primary key, inside the caller's transaction.</summary>
internal static class OverdueQueries
{
    /// <summary>Up to <paramref name="chunk"/> red, running, open assignments after id <paramref name="after"/>, by id.</summary>
    public static async Task<List<OverdueAssignment>> OverdueAsync(UnitOfWork uow, long after, int chunk, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<OverdueAssignment>(uow.Command(
            """
            SELECT a.id AS AssignmentId, a.item_id AS ItemId, a.department_id AS DepartmentId, a.light AS LightCode, a.paused AS Paused,
                   a.seriously_overdue AS SeriouslyOverdue, a.due_on AS DueOn, a.due_at AS DueAt, i.title AS Title
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE a.id > @after AND a.closed_at IS NULL AND a.light = 'red' AND a.paused = @no
            ORDER BY a.id
            LIMIT @chunk
            """,
            new { after, no = false, chunk }, cancellationToken))).AsList();

    /// <summary>Up to <paramref name="chunk"/> open assignments after id <paramref name="after"/> whose step light is red
    /// (paused or not), by id.</summary>
    public static async Task<List<PastStepLimit>> PastStepLimitAsync(UnitOfWork uow, long after, int chunk, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<PastStepLimit>(uow.Command(
            """
            SELECT a.id AS AssignmentId, a.item_id AS ItemId, a.department_id AS DepartmentId, a.step_light AS StepLightCode, a.step_due_on AS StepDueOn,
                   a.step_basis AS StepBasis, i.title AS Title, i.definition_id AS DefinitionId, i.definition_version AS DefinitionVersion
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE a.id > @after AND a.closed_at IS NULL AND a.step_light = 'red'
            ORDER BY a.id
            LIMIT @chunk
            """,
            new { after, chunk }, cancellationToken))).AsList();
}
