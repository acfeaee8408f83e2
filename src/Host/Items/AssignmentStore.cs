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
    /// <summary>An item's assignments, by id.</summary>
    public async Task<IReadOnlyList<Assignment>> ListAsync(long itemId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<InstanceStore.AssignmentRow>(new CommandDefinition($"SELECT {InstanceStore.AssignmentColumns} FROM assignments WHERE item_id = @itemId ORDER BY id", new { itemId }, cancellationToken: cancellationToken)))
            .Select(r => r.ToAssignment()).ToList();
    }

    /// <summary>The open items a department may have work on, most urgent first (seriously overdue, red, yellow, green;
    /// then by due day): those with an open assignment of the department and those the department owns, at most
    /// <paramref name="limit"/>.</summary>
    internal async Task<IReadOnlyList<long>> UrgentItemsOfAsync(long departmentId, int limit, CancellationToken cancellationToken)
    {
        // A due instant (hour limits) sorts by its day: a date on PostgreSQL, the text's day on SQLite.
        var dueAtDay = database.Provider == DatabaseProvider.PostgreSql ? "CAST(due_at AS date)" : "substr(due_at, 1, 10)";
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            $"""
            SELECT item_id FROM (
                SELECT a.item_id, a.seriously_overdue AS serious, a.light, a.due_on, a.due_at FROM assignments a
                WHERE a.department_id = @departmentId AND a.closed_at IS NULL
                UNION ALL
                SELECT i.id, i.seriously_overdue, i.light, i.due_on, i.due_at FROM items i
                WHERE i.department_id = @departmentId AND i.closed_at IS NULL
            ) work
            GROUP BY item_id
            ORDER BY MAX(CASE WHEN serious = @yes THEN 3 WHEN light = 'red' THEN 2 WHEN light = 'yellow' THEN 1 ELSE 0 END) DESC,
                     MIN(COALESCE(due_on, {dueAtDay})), item_id
            LIMIT @limit
            """, new { departmentId, limit, yes = true }, cancellationToken: cancellationToken))).AsList();
    }

    internal static Task<IReadOnlyList<Assignment>> ListAsync(UnitOfWork uow, long itemId, CancellationToken cancellationToken) =>
        InstanceStore.AssignmentsAsync(uow, itemId, cancellationToken);

    /// <summary>The assignments of several items at once, by item, inside a caller's transaction.</summary>
    internal async Task<Dictionary<long, List<Assignment>>> ListManyAsync(UnitOfWork uow, IReadOnlyCollection<long> itemIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, List<Assignment>>();
        foreach (var ids in itemIds.Chunk(1000))
        {
            foreach (var row in await uow.Connection.QueryAsync<InstanceStore.AssignmentRow>(uow.Command(
                $"SELECT {InstanceStore.AssignmentColumns} FROM assignments WHERE {database.Dialect.InList("item_id", "@ids")} ORDER BY item_id, id", new { ids }, cancellationToken)))
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

        await (uow.Connection is NpgsqlConnection postgres ? UpdateAllAtOnceAsync(uow, postgres, updates, cancellationToken) : UpdateOneByOneAsync(uow, updates, cancellationToken));
    }

    private async Task UpdateOneByOneAsync(UnitOfWork uow, IReadOnlyList<(Assignment Stored, DeadlineSnapshot Fresh)> updates, CancellationToken cancellationToken)
    {
        foreach (var (a, snapshot) in updates)
        {
            await UpdateAsync(uow, a.Id, a.Step, a.DepartmentId, snapshot, a.ClosedAt, a.Result, cancellationToken);
        }
    }

    private async Task UpdateAllAtOnceAsync(UnitOfWork uow, NpgsqlConnection postgres, IReadOnlyList<(Assignment Stored, DeadlineSnapshot Fresh)> updates, CancellationToken cancellationToken)
    {
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

    internal Task UpdateAsync(UnitOfWork uow, long id, string step, long departmentId, DeadlineSnapshot snapshot, DateTimeOffset? closedAt, string? result, CancellationToken cancellationToken) =>
        InstanceStore.UpdateAssignmentAsync(uow, id, step, departmentId, snapshot, closedAt, result, null, clock.GetUtcNow(), cancellationToken);

    /// <summary>Stores the step limits' states of several assignments (what changed only).</summary>
    internal static Task UpdateStepStatesAsync(UnitOfWork uow, IReadOnlyList<(long Id, StepState State)> states, CancellationToken cancellationToken) =>
        InstanceStore.UpdateStepStatesAsync(uow, states, assignments: true, cancellationToken);

    public static string Code(AssignmentRole role) => role switch
    {
        AssignmentRole.Lead => "lead",
        AssignmentRole.Responsible => "responsible",
        _ => "handling",
    };
}
