using Dapper;
using Npgsql;
using NpgsqlTypes;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

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
    public DateTimeOffset? StepEnteredAt { get; init; }
    public Light? StepLight { get; init; }
    public DateOnly? StepDueOn { get; init; }
    public DateTimeOffset? StepNextChangeAt { get; init; }
    public string? StepBasis { get; init; }

    /// <summary>The step limit's state as stored.</summary>
    public StepState StepState => new(StepLight, StepDueOn, StepNextChangeAt, StepBasis);

    /// <summary>The deadline and light as stored, taken as computed on calendar version <paramref name="calendarVersion"/>.</summary>
    public DeadlineSnapshot Snapshot(int calendarVersion) => DeadlineSnapshot.Of(DueOn, DueAt, Light, SeriouslyOverdue, Paused, NextChangeAt, calendarVersion);
}

/// <summary>Assignments of items to departments.</summary>
public sealed class AssignmentStore(Database database, TimeProvider clock)
{
    private const string Columns =
        """
        id AS Id, item_id AS ItemId, department_id AS DepartmentId, role AS RoleCode, step AS Step, light AS LightCode, due_on AS DueOn,
        due_at AS DueAt, paused AS Paused, seriously_overdue AS SeriouslyOverdue, next_change_at AS NextChangeAt, result AS Result, closed_at AS ClosedAt,
        step_entered_at AS StepEnteredAt, step_light AS StepLightCode, step_due_on AS StepDueOn, step_next_change_at AS StepNextChangeAt, step_basis AS StepBasis
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

    /// <summary>The assignments of several items at once, by item, inside a caller's transaction.</summary>
    internal async Task<Dictionary<long, List<Assignment>>> ListManyAsync(UnitOfWork uow, IReadOnlyCollection<long> itemIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, List<Assignment>>();
        foreach (var ids in itemIds.Chunk(1000))
        {
            foreach (var row in await uow.Connection.QueryAsync<Row>(uow.Command(
                $"SELECT {Columns} FROM assignments WHERE {database.Dialect.InList("item_id", "@ids")} ORDER BY item_id, id", new { ids }, cancellationToken)))
            {
                if (!result.TryGetValue(row.ItemId, out var list))
                {
                    result[row.ItemId] = list = [];
                }

                list.Add(row.ToAssignment());
            }
        }

        return result;
    }

    /// <summary>Stores fresh snapshots (deadline, light, next change) of several assignments: on PostgreSQL in one
    /// statement, on SQLite one by one (in-process, under the write lock).</summary>
    internal async Task UpdateSnapshotsAsync(UnitOfWork uow, IReadOnlyList<(Assignment Stored, DeadlineSnapshot Fresh)> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 0)
        {
            return;
        }

        if (uow.Connection is not NpgsqlConnection postgres)
        {
            foreach (var (a, snapshot) in updates)
            {
                await UpdateAsync(uow, a.Id, a.Step, a.DepartmentId, snapshot, a.ClosedAt, a.Result, cancellationToken);
            }

            return;
        }

        await using var command = new NpgsqlCommand(
            """
            UPDATE assignments a SET light = v.light, due_on = v.due_on, due_at = v.due_at, paused = v.paused, seriously_overdue = v.serious,
                   next_change_at = v.next_change_at, calendar_version = v.calendar_version, updated_at = @now
            FROM unnest(@id, @light, @due_on, @due_at, @paused, @serious, @next_change_at, @calendar_version)
                 AS v(id, light, due_on, due_at, paused, serious, next_change_at, calendar_version)
            WHERE a.id = v.id
            """, postgres, (NpgsqlTransaction)uow.Transaction);
        var fresh = updates.Select(u => u.Fresh).ToList();
        command.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = updates.Select(u => u.Stored.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("light", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = fresh.Select(f => f.Light.Code()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("due_on", NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = fresh.Select(f => f.DueOn).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("due_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = fresh.Select(f => f.DueAt?.UtcDateTime).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("paused", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = fresh.Select(f => f.Paused).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("serious", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = fresh.Select(f => f.SeriouslyOverdue).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("next_change_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = fresh.Select(f => f.NextChangeAt?.UtcDateTime).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("calendar_version", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = fresh.Select(f => f.CalendarVersion).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = clock.GetUtcNow().UtcDateTime });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal async Task<long> AddAsync(UnitOfWork uow, long itemId, long departmentId, AssignmentRole role, string step, DeadlineSnapshot snapshot, CancellationToken cancellationToken, StepState? stepState = null)
    {
        var now = clock.GetUtcNow();
        return await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
            """
            INSERT INTO assignments (item_id, kind, department_id, role, step, light, due_on, due_at, paused, seriously_overdue, next_change_at, calendar_version, created_at, updated_at,
                                     step_entered_at, step_light, step_due_on, step_next_change_at, step_basis)
            VALUES (@itemId, (SELECT kind FROM items WHERE id = @itemId), @departmentId, @role, @step, @light, @DueOn, @DueAt, @Paused, @SeriouslyOverdue, @NextChangeAt, @CalendarVersion, @now, @now,
                    @now, @stepLight, @stepDueOn, @stepNext, @stepBasis)
            RETURNING id
            """,
            new
            {
                itemId, departmentId, role = Code(role), step, light = snapshot.Light.Code(), snapshot.DueOn, snapshot.DueAt, snapshot.Paused, snapshot.SeriouslyOverdue, snapshot.NextChangeAt, snapshot.CalendarVersion, now,
                stepLight = stepState?.Light?.Code(), stepDueOn = stepState?.DueOn, stepNext = stepState?.NextChangeAt, stepBasis = stepState?.Basis,
            },
            cancellationToken));
    }

    internal async Task UpdateAsync(UnitOfWork uow, long id, string step, long departmentId, DeadlineSnapshot snapshot, DateTimeOffset? closedAt, string? result, CancellationToken cancellationToken, StepState? stepState = null)
    {
        // With the step limit's state when the caller has it (an action), in the same statement.
        var steps = stepState is null ? string.Empty : ", step_light = @stepLight, step_due_on = @stepDueOn, step_next_change_at = @stepNext, step_basis = @stepBasis";
        await uow.Connection.ExecuteAsync(uow.Command(
            $"""
            UPDATE assignments SET step_entered_at = CASE WHEN step = @step THEN step_entered_at ELSE @now END,
                step = @step, department_id = @departmentId, light = @light, due_on = @DueOn, due_at = @DueAt, paused = @Paused,
                seriously_overdue = @SeriouslyOverdue, next_change_at = @NextChangeAt, calendar_version = @CalendarVersion,
                closed_at = @closedAt, result = @result, updated_at = @now{steps}
            WHERE id = @id
            """,
            new
            {
                id, step, departmentId, light = snapshot.Light.Code(), snapshot.DueOn, snapshot.DueAt, snapshot.Paused, snapshot.SeriouslyOverdue, snapshot.NextChangeAt, snapshot.CalendarVersion,
                closedAt, result, now = clock.GetUtcNow(), stepLight = stepState?.Light?.Code(), stepDueOn = stepState?.DueOn, stepNext = stepState?.NextChangeAt, stepBasis = stepState?.Basis,
            },
            cancellationToken));
    }

    /// <summary>Stores the step limits' states of several assignments (what changed only).</summary>
    internal static Task UpdateStepStatesAsync(UnitOfWork uow, IReadOnlyList<(long Id, StepState State)> states, CancellationToken cancellationToken) =>
        ItemStore.UpdateStepStatesAsync(uow, states, cancellationToken, assignments: true);

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
        public DateTimeOffset? StepEnteredAt { get; init; }
        public string? StepLightCode { get; init; }
        public DateOnly? StepDueOn { get; init; }
        public DateTimeOffset? StepNextChangeAt { get; init; }
        public string? StepBasis { get; init; }

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
            StepEnteredAt = StepEnteredAt,
            StepLight = StepLightCode is null ? null : Lights.Parse(StepLightCode),
            StepDueOn = StepDueOn,
            StepNextChangeAt = StepNextChangeAt,
            StepBasis = StepBasis,
        };
    }
}
