using System.Data.Common;
using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Items;

/// <summary>One department's counted assignments (of one kind, or of both): open ones by light, paused ones and the
/// seriously overdue among them, and closed ones by how they ended.</summary>
public sealed record DepartmentCounts
{
    public long DepartmentId { get; init; }

    /// <summary>request or task; null when both are counted together.</summary>
    public string? Kind { get; init; }

    public long Green { get; init; }
    public long Yellow { get; init; }
    public long Red { get; init; }
    public long SeriouslyOverdue { get; init; }
    public long Paused { get; init; }
    public long DoneOnTime { get; init; }
    public long DoneLate { get; init; }
}

/// <summary>Where the kept counts and a recount from the assignments disagree (a defect if ever non-empty).</summary>
public sealed record CountsDifference(long DepartmentId, string Kind, DepartmentCounts Kept, DepartmentCounts Counted);

/// <summary>
/// The light board's counts per department and kind, kept by the database rather than counted on every read (see
/// migration 0011): a trigger on <c>assignments</c> inserts what every insert, change and deletion did to the counts
/// into <c>board_count_changes</c>, in the transaction of the change, so no write path can forget it and writers
/// never wait on a shared counter row. Reads add the pending changes to <c>board_counts</c>; <see cref="CompactAsync"/>
/// folds them in (one transaction, so a reader sees each change exactly once, before or after).
/// </summary>
public sealed class BoardCounts(Database database)
{
    // 'SUPV' 'BCNT': one compaction at a time across instances (another one skips rather than waits).
    private const long CompactionLockKey = 0x5355_5056_4243_4E54;
    private const int MostKept = 1_000;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ((long Generation, long Pending) State, IReadOnlyList<DepartmentCounts> Counts)> _kept = [];

    // Cast back: PostgreSQL sums bigint as numeric, which costs far more to read than the counts are worth.
    private const string Sums =
        """
        CAST(SUM(green) AS bigint) AS Green, CAST(SUM(yellow) AS bigint) AS Yellow, CAST(SUM(red) AS bigint) AS Red,
        CAST(SUM(seriously_overdue) AS bigint) AS SeriouslyOverdue, CAST(SUM(paused) AS bigint) AS Paused,
        CAST(SUM(done_on_time) AS bigint) AS DoneOnTime, CAST(SUM(done_late) AS bigint) AS DoneLate
        """;

    private const string CountColumns = "green, yellow, red, seriously_overdue, paused, done_on_time, done_late";

    /// <summary>Counts per department, of one kind or (null) both, for the given departments or (null) all of them.
    /// The answer for the same departments and kind is kept and given again while the counts' state (the
    /// generation and the number of pending changes) is unchanged: one tiny read instead of a thousand rows summed.</summary>
    public async Task<IReadOnlyList<DepartmentCounts>> ReadAsync(DbConnection connection, IReadOnlyCollection<long>? departments, string? kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // Between two compactions pending changes are only added, and every compaction or recount moves the
        // generation in its own transaction: equal (generation, pending) means equal counts.
        var state = await connection.QuerySingleAsync<(long Generation, long Pending)>(new CommandDefinition(
            "SELECT generation, (SELECT count(*) FROM board_count_changes) FROM board_counts_generation WHERE id = 1", cancellationToken: cancellationToken));
        var key = $"{kind}|{(departments is null ? "*" : string.Join(',', departments.Order()))}";
        lock (_gate)
        {
            if (_kept.TryGetValue(key, out var kept) && kept.State == state)
            {
                return kept.Counts;
            }
        }

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
        var counts = (await connection.QueryAsync<DepartmentCounts>(new CommandDefinition(
            $"""
            SELECT department_id AS DepartmentId, {Sums}
            FROM (SELECT department_id, kind, {CountColumns} FROM board_counts {filter}
                  UNION ALL
                  SELECT department_id, kind, {CountColumns} FROM board_count_changes {filter}) c
            GROUP BY department_id
            """,
            new { departments = departments?.ToArray(), kind }, cancellationToken: cancellationToken))).ToList().AsReadOnly();
        lock (_gate)
        {
            // Read after the state: these counts are at least as new as the state they are kept under.
            if (_kept.Count >= MostKept)
            {
                _kept.Clear();
            }

            _kept[key] = (state, counts);
        }

        return counts;
    }

    /// <summary>Folds the pending changes into the counts; returns how many were folded (0 when there were none or
    /// another instance is compacting).</summary>
    public async Task<int> CompactAsync(CancellationToken cancellationToken)
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
        int folded;
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            if (!await uow.Connection.ExecuteScalarAsync<bool>(uow.Command("SELECT pg_try_advisory_xact_lock(@key)", new { key = CompactionLockKey }, cancellationToken)))
            {
                return 0;
            }

            // Deletes what this statement sees; a change committed meanwhile stays for the next run, and a second
            // compaction waiting on the same rows finds them gone.
            folded = await uow.Connection.ExecuteScalarAsync<int>(uow.Command(
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
        else
        {
            // SQLite: this transaction holds the only write lock, so nothing is inserted between the two statements.
            var last = await uow.Connection.ExecuteScalarAsync<long?>(uow.Command("SELECT max(id) FROM board_count_changes", null, cancellationToken));
            if (last is null)
            {
                return 0;
            }

            await uow.Connection.ExecuteAsync(uow.Command(
                $"""
                INSERT INTO board_counts (department_id, kind, {CountColumns})
                SELECT department_id, kind, SUM(green), SUM(yellow), SUM(red), SUM(seriously_overdue), SUM(paused), SUM(done_on_time), SUM(done_late)
                FROM board_count_changes WHERE id <= @last GROUP BY department_id, kind
                ON CONFLICT (department_id, kind) DO UPDATE SET {Accumulate}
                """, new { last }, cancellationToken));
            folded = await uow.Connection.ExecuteAsync(uow.Command("DELETE FROM board_count_changes WHERE id <= @last", new { last }, cancellationToken));
        }

        if (folded > 0)
        {
            await uow.Connection.ExecuteAsync(uow.Command(NextGeneration, null, cancellationToken));
        }

        await uow.CommitAsync(cancellationToken);
        return folded;
    }

    /// <summary>Compares the kept counts with a recount from the assignments; empty when they agree.</summary>
    public async Task<IReadOnlyList<CountsDifference>> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            // One snapshot for both sides: the kept counts and the recount see the same committed changes.
            await uow.Connection.ExecuteAsync(uow.Command("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", null, cancellationToken));
        }

        var kept = (await uow.Connection.QueryAsync<DepartmentCounts>(uow.Command(
            $"""
            SELECT department_id AS DepartmentId, kind AS Kind, {Sums}
            FROM (SELECT department_id, kind, {CountColumns} FROM board_counts
                  UNION ALL
                  SELECT department_id, kind, {CountColumns} FROM board_count_changes) c
            GROUP BY department_id, kind
            """, null, cancellationToken))).ToDictionary(k => (k.DepartmentId, Kind: k.Kind!));
        var counted = (await uow.Connection.QueryAsync<DepartmentCounts>(uow.Command(
            $"SELECT a.department_id AS DepartmentId, a.kind AS Kind, {Recount} FROM assignments a GROUP BY a.department_id, a.kind",
            null, cancellationToken))).ToDictionary(k => (k.DepartmentId, Kind: k.Kind!));
        var differences = new List<CountsDifference>();
        foreach (var key in kept.Keys.Union(counted.Keys).Order())
        {
            var k = kept.GetValueOrDefault(key) ?? new DepartmentCounts { DepartmentId = key.DepartmentId, Kind = key.Kind };
            var c = counted.GetValueOrDefault(key) ?? new DepartmentCounts { DepartmentId = key.DepartmentId, Kind = key.Kind };
            if (k != c)
            {
                differences.Add(new CountsDifference(key.DepartmentId, key.Kind, k, c));
            }
        }

        return differences;
    }

    /// <summary>Recounts from the assignments, replacing the kept counts (after a bulk load that bypassed the
    /// trigger, or to repair what <see cref="VerifyAsync"/> found); returns the number of count rows written.</summary>
    public async Task<int> RebuildAsync(CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            // Writers of assignments wait until the recount is committed, so none is counted twice or missed.
            await uow.Connection.ExecuteAsync(uow.Command("LOCK TABLE assignments IN SHARE MODE", null, cancellationToken));
        }

        await uow.Connection.ExecuteAsync(uow.Command(RebuildSql, null, cancellationToken));
        var written = await uow.Connection.ExecuteScalarAsync<int>(uow.Command("SELECT count(*) FROM board_counts", null, cancellationToken));
        await uow.CommitAsync(cancellationToken);
        return written;
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
