using System.Data.Common;
using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

/// <summary>
/// The SQL of the board's kept counts (migration 0011): <c>board_counts</c> per department and kind, the changes
/// pending in <c>board_count_changes</c> (inserted by the trigger on <c>assignments</c>), and the generation that moves
/// with every compaction or recount. The provider differences (how pending changes are folded, the snapshot of a
/// verification, the lock of a recount) are here and nowhere else.
/// </summary>
public sealed class BoardCountsStore(Database database)
{
    // 'SUPV' 'BCNT': one compaction at a time across instances (another one skips rather than waits).
    private const long CompactionLockKey = 0x5355_5056_4243_4E54;

    // Cast back: PostgreSQL sums bigint as numeric, which costs far more to read than the counts are worth.
    private const string Sums =
        """
        CAST(SUM(green) AS bigint) AS Green, CAST(SUM(yellow) AS bigint) AS Yellow, CAST(SUM(red) AS bigint) AS Red,
        CAST(SUM(seriously_overdue) AS bigint) AS SeriouslyOverdue, CAST(SUM(paused) AS bigint) AS Paused,
        CAST(SUM(done_on_time) AS bigint) AS DoneOnTime, CAST(SUM(done_late) AS bigint) AS DoneLate
        """;

    private const string CountColumns = "green, yellow, red, seriously_overdue, paused, done_on_time, done_late";

    /// <summary>The counts' state: the generation and the number of pending changes.</summary>
    internal static Task<(long Generation, long Pending)> StateAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.QuerySingleAsync<(long Generation, long Pending)>(new CommandDefinition(
            "SELECT generation, (SELECT count(*) FROM board_count_changes) FROM board_counts_generation WHERE id = 1", cancellationToken: cancellationToken));

    /// <summary>The kept counts plus the pending changes per department, of one kind or (null) both, for the given
    /// departments or (null) all of them.</summary>
    internal async Task<List<DepartmentCounts>> SumAsync(DbConnection connection, IReadOnlyCollection<long>? departments, string? kind, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        if (departments is not null)
        {
            where.Add(database.Dialect.InList("department_id", "@departments"));
        }

        if (kind is not null)
        {
            where.Add("kind = @kind");
        }

        var filter = where.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", where);
        return (await connection.QueryAsync<DepartmentCounts>(new CommandDefinition(
            $"""
            SELECT department_id AS DepartmentId, {Sums}
            FROM (SELECT department_id, kind, {CountColumns} FROM board_counts {filter}
                  UNION ALL
                  SELECT department_id, kind, {CountColumns} FROM board_count_changes {filter}) c
            GROUP BY department_id
            """,
            new { departments = departments?.ToArray(), kind }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Folds the pending changes into the counts; returns how many were folded (0 when there were none or
    /// another instance is compacting).</summary>
    internal async Task<int> CompactAsync(CancellationToken cancellationToken)
    {
        await using (var probe = await database.OpenAsync(cancellationToken))
        {
            // A cheap look first, so an idle system (and SQLite's single writer) is not locked for nothing.
            if (!await probe.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM board_count_changes)", cancellationToken: cancellationToken)))
            {
                return 0;
            }
        }

        await using var uow = await database.BeginAsync(cancellationToken);
        if (await FoldAsync(uow, cancellationToken) is not { } count)
        {
            return 0;
        }

        if (count > 0)
        {
            await uow.Connection.ExecuteAsync(uow.Command(NextGeneration, null, cancellationToken));
        }

        await uow.CommitAsync(cancellationToken);
        return count;
    }

    /// <summary>The kept counts (with the pending changes) and a recount from the assignments, per department and
    /// kind, both from one snapshot.</summary>
    internal async Task<(List<DepartmentCounts> Kept, List<DepartmentCounts> Counted)> KeptAndCountedAsync(CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        await OneSnapshotAsync(uow, cancellationToken);
        var kept = (await uow.Connection.QueryAsync<DepartmentCounts>(uow.Command(
            $"""
            SELECT department_id AS DepartmentId, kind AS Kind, {Sums}
            FROM (SELECT department_id, kind, {CountColumns} FROM board_counts
                  UNION ALL
                  SELECT department_id, kind, {CountColumns} FROM board_count_changes) c
            GROUP BY department_id, kind
            """, null, cancellationToken))).AsList();
        var counted = (await uow.Connection.QueryAsync<DepartmentCounts>(uow.Command(
            $"SELECT a.department_id AS DepartmentId, a.kind AS Kind, {Recount} FROM assignments a GROUP BY a.department_id, a.kind",
            null, cancellationToken))).AsList();
        return (kept, counted);
    }

    /// <summary>Recounts from the assignments, replacing the kept counts; returns the number of count rows written.</summary>
    internal async Task<int> RebuildAsync(CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        await HoldAssignmentWritersAsync(uow, cancellationToken);
        await uow.Connection.ExecuteAsync(uow.Command(RebuildSql, null, cancellationToken));
        var written = await uow.Connection.ExecuteScalarAsync<int>(uow.Command("SELECT count(*) FROM board_counts", null, cancellationToken));
        await uow.CommitAsync(cancellationToken);
        return written;
    }

    // The provider differences, in one place.

    /// <summary>Folds the pending changes in the caller's transaction; returns how many, or null when there is nothing
    /// to commit (the caller rolls back).</summary>
    private Task<int?> FoldAsync(UnitOfWork uow, CancellationToken cancellationToken) =>
        database.Provider == DatabaseProvider.PostgreSql ? FoldPostgresAsync(uow, cancellationToken) : FoldSqliteAsync(uow, cancellationToken);

    /// <summary>One snapshot for the rest of the transaction. PostgreSQL: repeatable read, so the kept counts and the
    /// recount see the same committed changes; SQLite: the transaction's write lock already keeps everyone else out.</summary>
    private Task OneSnapshotAsync(UnitOfWork uow, CancellationToken cancellationToken) =>
        database.Provider == DatabaseProvider.PostgreSql
            ? uow.Connection.ExecuteAsync(uow.Command("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", null, cancellationToken))
            : Task.CompletedTask;

    /// <summary>Writers of assignments wait until the transaction is committed, so none is counted twice or missed
    /// (PostgreSQL; SQLite's write lock already does it).</summary>
    private Task HoldAssignmentWritersAsync(UnitOfWork uow, CancellationToken cancellationToken) =>
        database.Provider == DatabaseProvider.PostgreSql
            ? uow.Connection.ExecuteAsync(uow.Command("LOCK TABLE assignments IN SHARE MODE", null, cancellationToken))
            : Task.CompletedTask;

    /// <summary>Null when another compaction holds the lock (the transaction is then rolled back).</summary>
    private static async Task<int?> FoldPostgresAsync(UnitOfWork uow, CancellationToken cancellationToken)
    {
        if (!await uow.Connection.ExecuteScalarAsync<bool>(uow.Command("SELECT pg_try_advisory_xact_lock(@key)", new { key = CompactionLockKey }, cancellationToken)))
        {
            return null;
        }

        // Deletes what this statement sees; a change committed meanwhile stays for the next run, and a second
        // compaction waiting on the same rows finds them gone.
        return await uow.Connection.ExecuteScalarAsync<int>(uow.Command(
            $"""
            WITH moved AS (DELETE FROM board_count_changes RETURNING department_id, kind, {CountColumns}),
            folded AS (
                INSERT INTO board_counts (department_id, kind, {CountColumns})
                SELECT department_id, kind, SUM(green), SUM(yellow), SUM(red), SUM(seriously_overdue), SUM(paused), SUM(done_on_time), SUM(done_late)
                FROM moved GROUP BY department_id, kind
                ON CONFLICT (department_id, kind) DO UPDATE SET {Accumulate})
            SELECT count(*)::integer FROM moved
            """, null, cancellationToken));
    }

    /// <summary>Null when nothing is pending (the transaction is then rolled back).</summary>
    private static async Task<int?> FoldSqliteAsync(UnitOfWork uow, CancellationToken cancellationToken)
    {
        // SQLite: this transaction holds the only write lock, so nothing is inserted between the two statements.
        var last = await uow.Connection.ExecuteScalarAsync<long?>(uow.Command("SELECT max(id) FROM board_count_changes", null, cancellationToken));
        if (last is null)
        {
            return null;
        }

        await uow.Connection.ExecuteAsync(uow.Command(
            $"""
            INSERT INTO board_counts (department_id, kind, {CountColumns})
            SELECT department_id, kind, SUM(green), SUM(yellow), SUM(red), SUM(seriously_overdue), SUM(paused), SUM(done_on_time), SUM(done_late)
            FROM board_count_changes WHERE id <= @last GROUP BY department_id, kind
            ON CONFLICT (department_id, kind) DO UPDATE SET {Accumulate}
            """, new { last }, cancellationToken));
        return await uow.Connection.ExecuteAsync(uow.Command("DELETE FROM board_count_changes WHERE id <= @last", new { last }, cancellationToken));
    }

    /// <summary>The statements replacing the kept counts by a recount (PostgreSQL and SQLite alike).</summary>
    public const string RebuildSql =
        $"""
        DELETE FROM board_count_changes;
        DELETE FROM board_counts;
        UPDATE board_counts_generation SET generation = generation + 1 WHERE id = 1;
        INSERT INTO board_counts (department_id, kind, {CountColumns})
        SELECT a.department_id, a.kind, {Recount} FROM assignments a GROUP BY a.department_id, a.kind;
        """;

    private const string NextGeneration = "UPDATE board_counts_generation SET generation = generation + 1 WHERE id = 1";

    private const string Accumulate =
        """
        green = board_counts.green + excluded.green, yellow = board_counts.yellow + excluded.yellow, red = board_counts.red + excluded.red,
        seriously_overdue = board_counts.seriously_overdue + excluded.seriously_overdue, paused = board_counts.paused + excluded.paused,
        done_on_time = board_counts.done_on_time + excluded.done_on_time, done_late = board_counts.done_late + excluded.done_late
        """;

    /// <summary>How an assignment (alias <c>a</c>) counts, summed: the one definition the kept counts are checked and
    /// rebuilt against, and the board counts by when its filters are not kept. Portable: a comparison is 0/1 in SQLite
    /// and boolean in PostgreSQL, so CASE rather than SUM(condition).</summary>
    internal const string Recount =
        """
        SUM(CASE WHEN a.light = 'green' THEN 1 ELSE 0 END) AS Green, SUM(CASE WHEN a.light = 'yellow' THEN 1 ELSE 0 END) AS Yellow,
        SUM(CASE WHEN a.light = 'red' THEN 1 ELSE 0 END) AS Red, SUM(CASE WHEN a.light = 'red' AND a.seriously_overdue THEN 1 ELSE 0 END) AS SeriouslyOverdue,
        SUM(CASE WHEN a.paused AND a.light IN ('green', 'yellow', 'red') THEN 1 ELSE 0 END) AS Paused,
        SUM(CASE WHEN a.light = 'done-on-time' THEN 1 ELSE 0 END) AS DoneOnTime, SUM(CASE WHEN a.light = 'done-late' THEN 1 ELSE 0 END) AS DoneLate
        """;
}
