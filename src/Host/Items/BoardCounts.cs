using System.Data.Common;

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
/// folds them in (one transaction, so a reader sees each change exactly once, before or after). The SQL is in
/// <see cref="BoardCountsStore"/>.
/// </summary>
public sealed class BoardCounts(BoardCountsStore store)
{
    private const int MostKept = 1_000;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ((long Generation, long Pending) State, IReadOnlyList<DepartmentCounts> Counts)> _kept = [];

    /// <summary>Counts per department, of one kind or (null) both, for the given departments or (null) all of them.
    /// The answer for the same departments and kind is kept and given again while the counts' state (the
    /// generation and the number of pending changes) is unchanged: one tiny read instead of a thousand rows summed.</summary>
    public async Task<IReadOnlyList<DepartmentCounts>> ReadAsync(DbConnection connection, IReadOnlyCollection<long>? departments, string? kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // Between two compactions pending changes are only added, and every compaction or recount moves the
        // generation in its own transaction: equal (generation, pending) means equal counts.
        var state = await BoardCountsStore.StateAsync(connection, cancellationToken);
        var key = $"{kind}|{(departments is null ? "*" : string.Join(',', departments.Order()))}";
        lock (_gate)
        {
            if (_kept.TryGetValue(key, out var kept) && kept.State == state)
            {
                return kept.Counts;
            }
        }

        var counts = (await store.SumAsync(connection, departments, kind, cancellationToken)).AsReadOnly();
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
    public Task<int> CompactAsync(CancellationToken cancellationToken) => store.CompactAsync(cancellationToken);

    /// <summary>Compares the kept counts with a recount from the assignments; empty when they agree.</summary>
    public async Task<IReadOnlyList<CountsDifference>> VerifyAsync(CancellationToken cancellationToken)
    {
        var (keptRows, countedRows) = await store.KeptAndCountedAsync(cancellationToken);
        var kept = keptRows.ToDictionary(k => (k.DepartmentId, Kind: k.Kind!));
        var counted = countedRows.ToDictionary(k => (k.DepartmentId, Kind: k.Kind!));
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
    public Task<int> RebuildAsync(CancellationToken cancellationToken) => store.RebuildAsync(cancellationToken);
}
