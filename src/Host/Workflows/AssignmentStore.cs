using Dapper;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Storage;

namespace Supervision.Host.Workflows;

/// <summary>An assignment as stored: what one department owns of an item, with its cached deadline and light.</summary>
public sealed record Assignment
{
    public long Id { get; init; }
    public long ItemId { get; init; }
    public long DepartmentId { get; init; }
    public AssignmentRole Role { get; init; }
    public string Step { get; init; } = "";
    public Light Light { get; init; }
    public DateOnly? DueOn { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public bool Paused { get; init; }
    public bool SeriouslyOverdue { get; init; }
    public DateTimeOffset? NextChangeAt { get; init; }
    public string? Result { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
}

/// <summary>Assignments of items to departments.</summary>
public sealed class AssignmentStore(Database database, TimeProvider clock)
{
    private const string Columns =
        """
        id AS Id, item_id AS ItemId, department_id AS DepartmentId, role AS RoleCode, step AS Step, light AS LightCode, due_on AS DueOn,
        due_at AS DueAt, paused AS Paused, seriously_overdue AS SeriouslyOverdue, next_change_at AS NextChangeAt, result AS Result, closed_at AS ClosedAt
        """;

    /// <summary>An item's assignments, by id.</summary>
    public async Task<IReadOnlyList<Assignment>> ListAsync(long itemId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM assignments WHERE item_id = @itemId ORDER BY id", new { itemId }, cancellationToken: cancellationToken)))
            .Select(r => r.ToAssignment()).ToList();
    }

    internal static async Task<IReadOnlyList<Assignment>> ListAsync(UnitOfWork uow, long itemId, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<Row>(uow.Command($"SELECT {Columns} FROM assignments WHERE item_id = @itemId ORDER BY id", new { itemId }, cancellationToken)))
            .Select(r => r.ToAssignment()).ToList();

    internal async Task<long> AddAsync(UnitOfWork uow, long itemId, long departmentId, AssignmentRole role, string step, DeadlineSnapshot snapshot, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
            """
            INSERT INTO assignments (item_id, kind, department_id, role, step, light, due_on, due_at, paused, seriously_overdue, next_change_at, calendar_version, created_at, updated_at)
            VALUES (@itemId, (SELECT kind FROM items WHERE id = @itemId), @departmentId, @role, @step, @light, @DueOn, @DueAt, @Paused, @SeriouslyOverdue, @NextChangeAt, @CalendarVersion, @now, @now)
            RETURNING id
            """,
            new { itemId, departmentId, role = Code(role), step, light = snapshot.Light.Code(), snapshot.DueOn, snapshot.DueAt, snapshot.Paused, snapshot.SeriouslyOverdue, snapshot.NextChangeAt, snapshot.CalendarVersion, now },
            cancellationToken));
    }

    internal async Task UpdateAsync(UnitOfWork uow, long id, string step, long departmentId, DeadlineSnapshot snapshot, DateTimeOffset? closedAt, string? result, CancellationToken cancellationToken)
    {
        await uow.Connection.ExecuteAsync(uow.Command(
            """
            UPDATE assignments SET step = @step, department_id = @departmentId, light = @light, due_on = @DueOn, due_at = @DueAt, paused = @Paused,
                seriously_overdue = @SeriouslyOverdue, next_change_at = @NextChangeAt, calendar_version = @CalendarVersion,
                closed_at = @closedAt, result = @result, updated_at = @now
            WHERE id = @id
            """,
            new { id, step, departmentId, light = snapshot.Light.Code(), snapshot.DueOn, snapshot.DueAt, snapshot.Paused, snapshot.SeriouslyOverdue, snapshot.NextChangeAt, snapshot.CalendarVersion, closedAt, result, now = clock.GetUtcNow() },
            cancellationToken));
    }

    public static string Code(AssignmentRole role) => role switch
    {
        AssignmentRole.Lead => "lead",
        AssignmentRole.Responsible => "responsible",
        _ => "handling",
    };

    private sealed record Row
    {
        public long Id { get; init; }
        public long ItemId { get; init; }
        public long DepartmentId { get; init; }
        public string RoleCode { get; init; } = "";
        public string Step { get; init; } = "";
        public string LightCode { get; init; } = "";
        public DateOnly? DueOn { get; init; }
        public DateTimeOffset? DueAt { get; init; }
        public bool Paused { get; init; }
        public bool SeriouslyOverdue { get; init; }
        public DateTimeOffset? NextChangeAt { get; init; }
        public string? Result { get; init; }
        public DateTimeOffset? ClosedAt { get; init; }

        public Assignment ToAssignment() => new()
        {
            Id = Id,
            ItemId = ItemId,
            DepartmentId = DepartmentId,
            Role = RoleCode switch { "lead" => AssignmentRole.Lead, "responsible" => AssignmentRole.Responsible, _ => AssignmentRole.Handling },
            Step = Step,
            Light = Lights.Parse(LightCode),
            DueOn = DueOn,
            DueAt = DueAt,
            Paused = Paused,
            SeriouslyOverdue = SeriouslyOverdue,
            NextChangeAt = NextChangeAt,
            Result = Result,
            ClosedAt = ClosedAt,
        };
    }
}
