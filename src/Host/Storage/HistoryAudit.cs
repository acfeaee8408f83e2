using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Supervision.Host.Storage;

/// <summary>What <see cref="HistoryAudit.VerifyAsync"/> found: every broken place, first first.</summary>
public sealed record HistoryVerification(int Items, long Entries, IReadOnlyList<string> Problems, DateTimeOffset? DigestTakenAt)
{
    public bool Intact => Problems.Count == 0;
}

/// <summary>
/// Checks and seals item histories. <see cref="TakeDigestAsync"/> records the head of every item's chain and a hash
/// over them (chained to the previous digest); <see cref="VerifyAsync"/> recomputes every chain and compares it with
/// the items' versions and the latest digest, so an edited, deleted or reordered entry, a truncated chain, or a whole
/// deleted item is found and named.
/// </summary>
public sealed class HistoryAudit(Database database, TimeProvider clock)
{
    /// <summary>Seals the current heads of all chains; returns the digest.</summary>
    public async Task<(int Items, long Entries, string Digest)> TakeDigestAsync(CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            // Several instances may take a digest at the same moment: one at a time, each chained to the last.
            await uow.Connection.ExecuteAsync(uow.Command("SELECT pg_advisory_xact_lock(@key)", new { key = 0x5355_5056_4849_5354L }, cancellationToken));
        }

        var previous = await uow.Connection.ExecuteScalarAsync<string?>(uow.Command(
            "SELECT digest FROM history_digests ORDER BY id DESC LIMIT 1", null, cancellationToken));
        var heads = (await uow.Connection.QueryAsync<Head>(uow.Command(
            """
            SELECT h.item_id AS ItemId, h.seq AS Seq, h.hash AS Hash
            FROM item_history h
            JOIN (SELECT item_id, MAX(seq) AS seq FROM item_history GROUP BY item_id) last ON last.item_id = h.item_id AND last.seq = h.seq
            ORDER BY h.item_id
            """, null, cancellationToken))).AsList();
        var entries = await uow.Connection.ExecuteScalarAsync<long>(uow.Command("SELECT count(*) FROM item_history", null, cancellationToken));
        var digest = Digest(previous, heads);
        await uow.Connection.ExecuteAsync(uow.Command("DELETE FROM history_heads", null, cancellationToken));
        await uow.Connection.ExecuteAsync(uow.Command(
            "INSERT INTO history_heads (item_id, seq, hash) VALUES (@ItemId, @Seq, @Hash)", heads.Select(h => new { h.ItemId, h.Seq, Hash = h.Hash ?? string.Empty }), cancellationToken));
        await uow.Connection.ExecuteAsync(uow.Command(
            "INSERT INTO history_digests (taken_at, items, entries, prev_digest, digest) VALUES (@now, @items, @entries, @previous, @digest)",
            new { now = clock.GetUtcNow(), items = heads.Count, entries, previous, digest }, cancellationToken));
        await uow.CommitAsync(cancellationToken);
        return (heads.Count, entries, digest);
    }

    /// <summary>Keeps a verification's outcome: when, by whom, what it found (the administration's health page shows the last).</summary>
    public async Task RecordVerificationAsync(HistoryVerification result, string requestedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO history_verifications (at, requested_by, intact, items, entries, problems, digest_taken_at) VALUES (@now, @requestedBy, @Intact, @Items, @Entries, @problems, @DigestTakenAt)",
            new { now = clock.GetUtcNow(), requestedBy, result.Intact, result.Items, result.Entries, problems = string.Join("\n", result.Problems.Take(100)), result.DigestTakenAt },
            cancellationToken: cancellationToken));
    }

    /// <summary>The last verification kept, and the last digest taken (each null when there is none yet).</summary>
    public async Task<(RecordedVerification? Verification, DigestRecord? Digest)> LastAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var verification = await connection.QuerySingleOrDefaultAsync<RecordedVerification>(new CommandDefinition(
            """
            SELECT at AS At, requested_by AS RequestedBy, intact AS Intact, items AS Items, entries AS Entries, problems AS Problems, digest_taken_at AS DigestTakenAt
            FROM history_verifications ORDER BY id DESC LIMIT 1
            """, cancellationToken: cancellationToken));
        var digest = await connection.QuerySingleOrDefaultAsync<DigestRecord>(new CommandDefinition(
            "SELECT taken_at AS TakenAt, items AS Items, entries AS Entries, digest AS Digest FROM history_digests ORDER BY id DESC LIMIT 1", cancellationToken: cancellationToken));
        return (verification, digest);
    }

    /// <summary>Recomputes every chain and compares with versions and the latest digest.</summary>
    public async Task<HistoryVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        await using var connection = await database.OpenAsync(cancellationToken);
        var versions = (await connection.QueryAsync<(long Id, long Version)>(new CommandDefinition(
            "SELECT id, CAST(version AS bigint) FROM items ORDER BY id", cancellationToken: cancellationToken))).ToDictionary(r => r.Id, r => (int)r.Version);
        var lastSeen = new Dictionary<long, (int Seq, string? Hash)>();
        long entries = 0;
        long currentItem = -1;
        var expected = 1;
        string? previousHash = null;
        var chainStarted = false;
        var brokenItem = -1L;
        var rows = connection.QueryUnbufferedAsync<HistoryRow>(
            """
            SELECT item_id AS ItemId, seq AS Sequence, at AS At, actor AS Actor, action AS Action, from_step AS FromStep, to_step AS ToStep,
                   from_light AS FromLight, to_light AS ToLight, detail AS Detail, prev_hash AS PrevHash, hash AS Hash
            FROM item_history ORDER BY item_id, seq
            """);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            entries++;
            if (row.ItemId != currentItem)
            {
                currentItem = row.ItemId;
                expected = 1;
                previousHash = null;
                chainStarted = false;
            }

            lastSeen[row.ItemId] = (row.Sequence, row.Hash);
            if (brokenItem == row.ItemId)
            {
                continue;
            }

            string? problem = null;
            if (row.Sequence != expected)
            {
                problem = row.Sequence > expected
                    ? $"item {row.ItemId} entry {expected}: missing (the chain jumps to entry {row.Sequence}; deleted)"
                    : $"item {row.ItemId} entry {row.Sequence}: out of order";
            }
            else if (row.Hash is null)
            {
                if (chainStarted)
                {
                    problem = $"item {row.ItemId} entry {row.Sequence}: its hash was removed";
                }
            }
            else
            {
                chainStarted = true;
                if (row.PrevHash != previousHash)
                {
                    problem = $"item {row.ItemId} entry {row.Sequence}: does not follow entry {row.Sequence - 1} (reordered, or an earlier entry was replaced)";
                }
                else if (HistoryChain.Hash(row.PrevHash, row.ItemId, row.Sequence, row.At, row.Actor, row.Action, row.FromStep, row.ToStep, row.FromLight, row.ToLight, row.Detail) != row.Hash)
                {
                    problem = $"item {row.ItemId} entry {row.Sequence}: its content does not match its hash (edited)";
                }
            }

            if (problem is not null)
            {
                problems.Add(problem);
                brokenItem = row.ItemId;
            }

            previousHash = row.Hash;
            expected = row.Sequence + 1;
        }

        foreach (var (id, version) in versions)
        {
            if (!lastSeen.TryGetValue(id, out var last))
            {
                if (version > 0)
                {
                    problems.Add($"item {id}: all {version} history entries are missing");
                }
            }
            else if (last.Seq < version && brokenItem != id)
            {
                problems.Add($"item {id} entry {last.Seq + 1}: missing (the item is at version {version}; the end of its history was deleted)");
            }
        }

        var digest = await connection.QuerySingleOrDefaultAsync<DigestRow>(new CommandDefinition(
            "SELECT taken_at AS TakenAt, prev_digest AS PrevDigest, digest AS Digest FROM history_digests ORDER BY id DESC LIMIT 1", cancellationToken: cancellationToken));
        if (digest is not null)
        {
            var heads = (await connection.QueryAsync<Head>(new CommandDefinition(
                "SELECT item_id AS ItemId, seq AS Seq, hash AS Hash FROM history_heads ORDER BY item_id", cancellationToken: cancellationToken))).AsList();
            if (Digest(digest.PrevDigest, heads.Select(h => h with { Hash = h.Hash?.Length == 0 ? null : h.Hash }).ToList()) != digest.Digest)
            {
                problems.Add($"the digest of {digest.TakenAt:yyyy-MM-dd HH:mm:ss}Z does not match its recorded chain heads (the heads were altered)");
            }

            foreach (var head in heads)
            {
                if (!versions.ContainsKey(head.ItemId))
                {
                    problems.Add($"item {head.ItemId}: deleted (it was in the digest of {digest.TakenAt:yyyy-MM-dd HH:mm:ss}Z with {head.Seq} entries)");
                }
                else if (head.Hash is { Length: > 0 } && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM item_history WHERE item_id = @ItemId AND seq = @Seq AND hash = @Hash)", head, cancellationToken: cancellationToken)))
                {
                    problems.Add($"item {head.ItemId} entry {head.Seq}: differs from the digest of {digest.TakenAt:yyyy-MM-dd HH:mm:ss}Z");
                }
            }
        }

        return new HistoryVerification(versions.Count, entries, problems, digest?.TakenAt);
    }

    private static string Digest(string? previous, IReadOnlyList<Head> heads)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(previous ?? string.Empty));
        foreach (var head in heads)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"\n{head.ItemId}:{head.Seq}:{head.Hash}"));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private sealed record Head
    {
        public long ItemId { get; init; }
        public int Seq { get; init; }
        public string? Hash { get; init; }
    }

    private sealed record DigestRow
    {
        public DateTimeOffset TakenAt { get; init; }
        public string? PrevDigest { get; init; }
        public string Digest { get; init; } = "";
    }
}

/// <summary>A verification of the history chains as kept: when, by whom, and what it found (problems one per line).</summary>
public sealed record RecordedVerification
{
    public DateTimeOffset At { get; init; }
    public string RequestedBy { get; init; } = string.Empty;
    public bool Intact { get; init; }
    public int Items { get; init; }
    public long Entries { get; init; }
    public string Problems { get; init; } = string.Empty;
    public DateTimeOffset? DigestTakenAt { get; init; }
}

/// <summary>A digest of the history chains: when it was taken, over how many items and entries, and its hash.</summary>
public sealed record DigestRecord
{
    public DateTimeOffset TakenAt { get; init; }
    public int Items { get; init; }
    public long Entries { get; init; }
    public string Digest { get; init; } = string.Empty;
}
