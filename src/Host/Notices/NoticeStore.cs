using Dapper;
using Npgsql;
using NpgsqlTypes;
using Supervision.Host.Storage;

namespace Supervision.Host.Notices;

/// <summary>A notice to write: who, over which channel, what, and the unique key of its cause.</summary>
public sealed record NewNotice(string Key, string Channel, string Kind, long? RecipientUserId, string? RecipientAddress, string Subject, string Body, long? ItemId, string? Event);

/// <summary>A notice as a recipient's inbox lists it.</summary>
public sealed record Notice(long Id, string Kind, string Subject, string Body, long? ItemId, string? Event, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

/// <summary>
/// The notices outbox. Writing happens inside the transaction of the change that causes it, keyed so the same cause
/// never writes the same notice twice; in-app notices are delivered by being written. Recipients read their inbox and
/// mark notices read.
/// </summary>
public sealed class NoticeStore(Database database, TimeProvider clock, IConfiguration? configuration = null)
{
    /// <summary>True when <c>Supervision:Smtp:Host</c> is set: people with an e-mail address also get their notices by mail.</summary>
    internal bool MailEnabled => !string.IsNullOrWhiteSpace(configuration?["Supervision:Smtp:Host"]);

    /// <summary>Writes a notice inside a caller's transaction unless its key was written before; true when written.</summary>
    internal async Task<bool> EnqueueAsync(UnitOfWork uow, NewNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var now = clock.GetUtcNow();
        var inbox = notice.Channel == "inbox";
        return await uow.Connection.ExecuteAsync(uow.Command(
            """
            INSERT INTO notices (notice_key, channel, kind, recipient_user_id, recipient_address, subject, body, item_id, event, created_at, status, next_attempt_at, delivered_at)
            VALUES (@Key, @Channel, @Kind, @RecipientUserId, @RecipientAddress, @Subject, @Body, @ItemId, @Event, @now, @status, @next, @delivered)
            ON CONFLICT (notice_key) DO NOTHING
            """,
            new { notice.Key, notice.Channel, notice.Kind, notice.RecipientUserId, notice.RecipientAddress, notice.Subject, notice.Body, notice.ItemId, notice.Event, now, status = inbox ? "delivered" : "pending", next = inbox ? (DateTimeOffset?)null : now, delivered = inbox ? now : (DateTimeOffset?)null },
            cancellationToken)) == 1;
    }

    /// <summary>Writes several notices inside a caller's transaction, each unless its key was written before (on
    /// PostgreSQL in one statement); returns how many were written, e-mail rows counted apart.</summary>
    internal Task<NoticeCount> EnqueueManyAsync(UnitOfWork uow, IReadOnlyList<NewNotice> notices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(notices);
        // The one provider difference of the outbox: PostgreSQL takes the whole list as arrays, SQLite a row at a time.
        return notices.Count == 0 ? Task.FromResult(default(NoticeCount))
            : database.Provider == DatabaseProvider.PostgreSql ? EnqueueAllAtOnceAsync(uow, notices, cancellationToken)
            : EnqueueEachAsync(uow, notices, cancellationToken);
    }

    private async Task<NoticeCount> EnqueueEachAsync(UnitOfWork uow, IReadOnlyList<NewNotice> notices, CancellationToken cancellationToken)
    {
        int written = 0, mails = 0;
        foreach (var notice in notices)
        {
            if (!await EnqueueAsync(uow, notice, cancellationToken))
            {
                continue;
            }

            if (notice.Channel == "email")
            {
                mails++;
            }
            else
            {
                written++;
            }
        }

        return new NoticeCount(written, mails);
    }

    private async Task<NoticeCount> EnqueueAllAtOnceAsync(UnitOfWork uow, IReadOnlyList<NewNotice> notices, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            WITH written AS (
                INSERT INTO notices (notice_key, channel, kind, recipient_user_id, recipient_address, subject, body, item_id, event, created_at, status, next_attempt_at, delivered_at)
                SELECT v.notice_key, v.channel, v.kind, v.recipient_user_id, v.recipient_address, v.subject, v.body, v.item_id, v.event, @now,
                       CASE WHEN v.channel = 'inbox' THEN 'delivered' ELSE 'pending' END,
                       CASE WHEN v.channel = 'inbox' THEN NULL ELSE @now END,
                       CASE WHEN v.channel = 'inbox' THEN @now END
                FROM unnest(@notice_key, @channel, @kind, @recipient_user_id, @recipient_address, @subject, @body, @item_id, @event)
                     AS v(notice_key, channel, kind, recipient_user_id, recipient_address, subject, body, item_id, event)
                ON CONFLICT (notice_key) DO NOTHING
                RETURNING channel)
            SELECT count(*) FILTER (WHERE channel <> 'email'), count(*) FILTER (WHERE channel = 'email') FROM written
            """, (NpgsqlConnection)uow.Connection, (NpgsqlTransaction)uow.Transaction);
        command.Parameters.Add(new NpgsqlParameter("notice_key", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = notices.Select(n => n.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("channel", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = notices.Select(n => n.Channel).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("kind", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = notices.Select(n => n.Kind).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("recipient_user_id", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = notices.Select(n => n.RecipientUserId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("recipient_address", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = notices.Select(n => n.RecipientAddress).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("subject", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = notices.Select(n => n.Subject).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("body", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = notices.Select(n => n.Body).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("item_id", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = notices.Select(n => n.ItemId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("event", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = notices.Select(n => n.Event).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = clock.GetUtcNow().UtcDateTime });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new NoticeCount(checked((int)reader.GetInt64(0)), checked((int)reader.GetInt64(1)));
    }

    /// <summary>Who can be told: the active users and the channels of <paramref name="departments"/> (of every
    /// department when null), inside a caller's transaction.</summary>
    internal async Task<Audience> AudienceAsync(UnitOfWork uow, IReadOnlyCollection<long>? departments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        var scope = departments is null ? null : database.Dialect.InList("department_id", "@departments");
        var parameters = new { active = true, departments = departments?.ToArray() };
        var users = await uow.Connection.QueryAsync<(long Id, long DepartmentId, string Role, string? Email)>(uow.Command(
            $"SELECT id, department_id, role, email FROM users WHERE active = @active{(scope is null ? null : " AND " + scope)} ORDER BY id", parameters, cancellationToken));
        var channels = await uow.Connection.QueryAsync<(long DepartmentId, string Channel, string Address)>(uow.Command(
            $"SELECT department_id, channel, address FROM notice_channels{(scope is null ? null : " WHERE " + scope)} ORDER BY id", parameters, cancellationToken));
        return new Audience(users, channels);
    }

    /// <summary>Adds a channel a department's notices also go to (webhook, wecom, dingtalk).</summary>
    public Task AddChannelAsync(long departmentId, string channel, string address, string? secret, CancellationToken cancellationToken) =>
        database.InTransactionAsync(uow => AddChannelInAsync(uow, departmentId, channel, address, secret, cancellationToken), cancellationToken);

    /// <summary><see cref="AddChannelAsync"/> inside a caller's transaction.</summary>
    internal async Task AddChannelInAsync(UnitOfWork uow, long departmentId, string channel, string address, string? secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        if (channel is not ("webhook" or "wecom" or "dingtalk"))
        {
            throw new ArgumentException($"'{channel}' is not a channel; expected webhook, wecom or dingtalk.", nameof(channel));
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"'{address}' is not an http or https address.", nameof(address));
        }

        await uow.Connection.ExecuteAsync(uow.Command(
            "INSERT INTO notice_channels (department_id, channel, address, secret, created_at) VALUES (@departmentId, @channel, @address, @secret, @now) ON CONFLICT (department_id, channel, address) DO UPDATE SET secret = excluded.secret",
            new { departmentId, channel, address, secret, now = clock.GetUtcNow() }, cancellationToken));
    }

    /// <summary>Writes a notice in a transaction of its own.</summary>
    public async Task<bool> EnqueueAsync(NewNotice notice, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        var written = await EnqueueAsync(uow, notice, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return written;
    }

    /// <summary>A user's in-app notices, newest first.</summary>
    public async Task<(IReadOnlyList<Notice> Notices, long Total, long Unread)> InboxAsync(long userId, bool unreadOnly, int page, int pageSize, CancellationToken cancellationToken)
    {
        var filter = unreadOnly ? " AND read_at IS NULL" : string.Empty;
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM notices WHERE channel = 'inbox' AND recipient_user_id = @userId{filter}", new { userId }, cancellationToken: cancellationToken));
        var unread = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM notices WHERE channel = 'inbox' AND recipient_user_id = @userId AND read_at IS NULL", new { userId }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT id AS Id, kind AS Kind, subject AS Subject, body AS Body, item_id AS ItemId, event AS Event, created_at AS CreatedAt, read_at AS ReadAt
            FROM notices WHERE channel = 'inbox' AND recipient_user_id = @userId{filter}
            ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset
            """,
            new { userId, limit = pageSize, offset = (page - 1L) * pageSize }, cancellationToken: cancellationToken));
        return (rows.Select(r => new Notice(r.Id, r.Kind, r.Subject, r.Body, r.ItemId, r.Event, r.CreatedAt, r.ReadAt)).ToList(), total, unread);
    }

    /// <summary>Marks one of a user's in-app notices read; false when it is not theirs.</summary>
    internal async Task<bool> MarkReadInAsync(UnitOfWork uow, long noticeId, long userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        // Only a notice in the person's own inbox: another's is not found. Read twice, it keeps the first time.
        var mine = await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
            "SELECT count(*) FROM notices WHERE id = @noticeId AND channel = 'inbox' AND recipient_user_id = @userId", new { noticeId, userId }, cancellationToken));
        if (mine == 0)
        {
            return false;
        }

        await uow.Connection.ExecuteAsync(uow.Command(
            "UPDATE notices SET read_at = @now WHERE id = @noticeId AND read_at IS NULL", new { noticeId, now = clock.GetUtcNow() }, cancellationToken));
        return true;
    }

    private sealed record Row
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Subject { get; init; } = "";
        public string Body { get; init; } = "";
        public long? ItemId { get; init; }
        public string? Event { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? ReadAt { get; init; }
    }
}
