using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Notices;

/// <summary>A notice claimed for delivery over an external channel (webhook, WeCom, DingTalk, e-mail).</summary>
internal sealed record DueNotice
{
    public long Id { get; init; }
    public string NoticeKey { get; init; } = "";
    public string Channel { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Address { get; init; } = "";
    public string Subject { get; init; } = "";
    public string Body { get; init; } = "";
    public long? ItemId { get; init; }
    public string? Event { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// The dispatcher's reads and writes of the outbox: claiming due notices under a lease, renewing one notice's lease,
/// a channel's secret, and recording each attempt with the notice's new state.
/// </summary>
internal sealed class DispatchQueries(Database database)
{
    // The provider difference of claiming: PostgreSQL locks the rows it claims and skips those another instance is
    // claiming at the same moment; SQLite's one writer already holds the database.
    private readonly string _skipLocked = database.Provider == DatabaseProvider.PostgreSql ? " FOR UPDATE SKIP LOCKED" : string.Empty;
    private readonly SqlDialect _dialect = database.Dialect;

    /// <summary>Up to <paramref name="batch"/> pending notices due at <paramref name="now"/>, earliest first, each claimed
    /// until <paramref name="claim"/> (its next attempt moves there), in a transaction of its own.</summary>
    public async Task<IReadOnlyList<DueNotice>> ClaimAsync(DateTimeOffset now, DateTimeOffset claim, int batch, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        var due = (await uow.Connection.QueryAsync<DueNotice>(uow.Command(
            $"""
            SELECT n.id AS Id, n.notice_key AS NoticeKey, n.channel AS Channel, n.kind AS Kind, n.recipient_address AS Address, n.subject AS Subject,
                   n.body AS Body, n.item_id AS ItemId, n.event AS Event, n.attempts AS Attempts, n.created_at AS CreatedAt
            FROM notices n WHERE n.status = 'pending' AND n.channel <> 'inbox' AND n.next_attempt_at <= @now
            ORDER BY n.next_attempt_at LIMIT @batch{_skipLocked}
            """, new { now, batch }, cancellationToken))).AsList();
        if (due.Count > 0)
        {
            await uow.Connection.ExecuteAsync(uow.Command(
                $"UPDATE notices SET next_attempt_at = @claim WHERE {_dialect.InList("id", "@ids")}",
                new { claim, ids = due.Select(d => d.Id).ToArray() }, cancellationToken));
        }

        await uow.CommitAsync(cancellationToken);
        return due;
    }

    /// <summary>Moves one notice's lease on to <paramref name="renewed"/> if it is still pending under the lease
    /// <paramref name="claim"/>; false when another instance has taken it.</summary>
    public async Task<bool> RenewAsync(long id, DateTimeOffset claim, DateTimeOffset renewed, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE notices SET next_attempt_at = @renewed WHERE id = @id AND status = 'pending' AND next_attempt_at = @claim",
            new { id, claim, renewed }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>The secret of the channel a notice goes to, or null.</summary>
    public async Task<string?> SecretAsync(DueNotice notice, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT secret FROM notice_channels WHERE channel = @Channel AND address = @Address ORDER BY id LIMIT 1", notice, cancellationToken: cancellationToken));
    }

    /// <summary>Records attempt <paramref name="attempt"/> as delivered: the notice is done.</summary>
    public Task RecordDeliveredAsync(DueNotice notice, int attempt, DateTimeOffset now, CancellationToken cancellationToken) =>
        RecordAsync(notice, attempt, now, null,
            "UPDATE notices SET status = 'delivered', attempts = @attempt, delivered_at = @now, next_attempt_at = NULL WHERE id = @id",
            new { id = notice.Id, attempt, now }, cancellationToken);

    /// <summary>Records attempt <paramref name="attempt"/> as failed with <paramref name="error"/>: tried again at
    /// <paramref name="next"/>, or given up (failed, shown to admins) when that is null.</summary>
    public Task RecordFailedAsync(DueNotice notice, int attempt, DateTimeOffset now, string error, DateTimeOffset? next, CancellationToken cancellationToken) =>
        RecordAsync(notice, attempt, now, error,
            "UPDATE notices SET status = @status, attempts = @attempt, next_attempt_at = @next WHERE id = @id",
            new { id = notice.Id, attempt, status = next is null ? "failed" : "pending", next }, cancellationToken);

    // The attempt and the notice's state after it, and the channel's last delivery or failure, in one transaction.
    private async Task RecordAsync(DueNotice notice, int attempt, DateTimeOffset now, string? error, string update, object parameters, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        await uow.Connection.ExecuteAsync(uow.Command(
            "INSERT INTO notice_attempts (notice_id, attempt, at, ok, error) VALUES (@id, @attempt, @now, @ok, @error)",
            new { id = notice.Id, attempt, now, ok = error is null, error }, cancellationToken));
        await uow.Connection.ExecuteAsync(uow.Command(update, parameters, cancellationToken));
        if (notice.Channel is not ("email" or "inbox"))
        {
            await RecordChannelInAsync(uow, notice.Channel, notice.Address, now, error, cancellationToken);
        }

        await uow.CommitAsync(cancellationToken);
    }

    /// <summary>Records a delivery (<paramref name="error"/> null) or a failure over the channels with this address,
    /// inside a caller's transaction.</summary>
    internal static Task RecordChannelInAsync(UnitOfWork uow, string channel, string address, DateTimeOffset now, string? error, CancellationToken cancellationToken) =>
        uow.Connection.ExecuteAsync(uow.Command(
            error is null
                ? "UPDATE notice_channels SET last_delivered_at = @now WHERE channel = @channel AND address = @address"
                : "UPDATE notice_channels SET last_failed_at = @now, last_error = @error WHERE channel = @channel AND address = @address",
            new { channel, address, now, error = error is { Length: > 500 } ? error[..500] : error }, cancellationToken));
}
