using Dapper;
using Npgsql;
using NpgsqlTypes;
using Supervision.Engine.Escalation;
using Supervision.Host.Storage;

namespace Supervision.Host.Notices;

/// <summary>A notice to write: who, over which channel, what, and the unique key of its cause.</summary>
public sealed record NewNotice(string Key, string Channel, string Kind, long? RecipientUserId, string? RecipientAddress, string Subject, string Body, long? ItemId, string? Event);

/// <summary>A notice as a recipient's inbox lists it.</summary>
public sealed record Notice(long Id, string Kind, string Subject, string Body, long? ItemId, string? Event, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    /// <summary>The light it reports (<c>yellow</c>, <c>red</c>, <c>serious</c>), or null; see <see cref="NoticeKinds.LightOf"/>.</summary>
    public string? Light => NoticeKinds.LightOf(Kind);

    /// <summary>Whether that light is a step's or pause's own limit's rather than the item's deadline's.</summary>
    public bool StepLimit => NoticeKinds.OfStepLimit(Kind);
}

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

    /// <summary>Every channel with its department, whether it has a secret, and its last delivery and failure.</summary>
    internal async Task<IReadOnlyList<ChannelRow>> ChannelsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ChannelRow>(new CommandDefinition(ChannelSelect + " ORDER BY d.name, c.id", cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>One channel as <see cref="ChannelsAsync"/> shows it, inside a caller's transaction, or null.</summary>
    internal static Task<ChannelRow?> ChannelInAsync(UnitOfWork uow, long id, CancellationToken cancellationToken) =>
        uow.Connection.QuerySingleOrDefaultAsync<ChannelRow>(uow.Command(ChannelSelect + " WHERE c.id = @id", new { id }, cancellationToken));

    private const string ChannelSelect =
        """
        SELECT c.id AS Id, c.department_id AS DepartmentId, d.name AS Department, c.channel AS Channel, c.address AS Address, c.secret AS Secret,
               c.created_at AS CreatedAt, c.last_delivered_at AS LastDeliveredAt, c.last_failed_at AS LastFailedAt, c.last_error AS LastError
        FROM notice_channels c JOIN departments d ON d.id = c.department_id
        """;

    /// <summary>Checks a channel's kind and address; a problem is a 400 naming the field.</summary>
    internal static void CheckChannel(string channel, string address)
    {
        if (channel is not ("webhook" or "wecom" or "dingtalk"))
        {
            throw new Engine.Workflows.WorkflowRefusedException(Engine.Workflows.RefusalKind.Invalid, $"channel: '{channel}' is not a channel; expected webhook, wecom or dingtalk");
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || address.Length > 1000)
        {
            throw new Engine.Workflows.WorkflowRefusedException(Engine.Workflows.RefusalKind.Invalid, $"address: '{address}' is not an http or https address");
        }
    }

    /// <summary>Adds a channel inside a caller's transaction; the same department, kind and address twice is a
    /// <see cref="DuplicateNameException"/>. Returns its id.</summary>
    internal async Task<long> InsertChannelInAsync(UnitOfWork uow, long departmentId, string channel, string address, string? secret, CancellationToken cancellationToken)
    {
        CheckChannel(channel, address);
        try
        {
            return await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
                "INSERT INTO notice_channels (department_id, channel, address, secret, created_at) VALUES (@departmentId, @channel, @address, @secret, @now) RETURNING id",
                new { departmentId, channel, address, secret, now = clock.GetUtcNow() }, cancellationToken));
        }
        catch (System.Data.Common.DbException e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new DuplicateNameException($"This department already has the {channel} channel {address}.");
        }
    }

    /// <summary>Replaces a channel's department, kind, address and secret inside a caller's transaction.</summary>
    internal static async Task UpdateChannelInAsync(UnitOfWork uow, long id, long departmentId, string channel, string address, string? secret, CancellationToken cancellationToken)
    {
        CheckChannel(channel, address);
        try
        {
            await uow.Connection.ExecuteAsync(uow.Command(
                "UPDATE notice_channels SET department_id = @departmentId, channel = @channel, address = @address, secret = @secret WHERE id = @id",
                new { id, departmentId, channel, address, secret }, cancellationToken));
        }
        catch (System.Data.Common.DbException e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new DuplicateNameException($"This department already has the {channel} channel {address}.");
        }
    }

    /// <summary>Removes a channel inside a caller's transaction (notices already written keep their address); false when there is none.</summary>
    internal static async Task<bool> DeleteChannelInAsync(UnitOfWork uow, long id, CancellationToken cancellationToken) =>
        await uow.Connection.ExecuteAsync(uow.Command("DELETE FROM notice_channels WHERE id = @id", new { id }, cancellationToken)) == 1;

    /// <summary>The outbox at a glance: notices waiting for delivery, notices given up on, and the newest of those with
    /// their last error.</summary>
    internal async Task<(long Pending, long Failed, IReadOnlyList<FailedNotice> Latest)> OutboxAsync(int latest, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var (pending, failed) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "SELECT (SELECT COUNT(*) FROM notices WHERE status = 'pending' AND channel <> 'inbox'), (SELECT COUNT(*) FROM notices WHERE status = 'failed')",
            cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<FailedNotice>(new CommandDefinition(
            """
            SELECT n.id AS Id, n.channel AS Channel, COALESCE(n.recipient_address, '') AS Address, n.subject AS Subject, n.attempts AS Attempts,
                   a.at AS LastAttemptAt, a.error AS Error
            FROM notices n LEFT JOIN notice_attempts a ON a.notice_id = n.id AND a.attempt = n.attempts
            WHERE n.status = 'failed' ORDER BY n.id DESC LIMIT @latest
            """, new { latest }, cancellationToken: cancellationToken));
        return (pending, failed, rows.AsList());
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

/// <summary>A channel as the administration lists it.</summary>
internal sealed record ChannelRow
{
    public long Id { get; init; }
    public long DepartmentId { get; init; }
    public string Department { get; init; } = string.Empty;
    public string Channel { get; init; } = string.Empty;
    public string Address { get; init; } = string.Empty;
    public string? Secret { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastDeliveredAt { get; init; }
    public DateTimeOffset? LastFailedAt { get; init; }
    public string? LastError { get; init; }
}

/// <summary>A notice given up on, with its last attempt's error.</summary>
public sealed record FailedNotice
{
    public long Id { get; init; }
    public string Channel { get; init; } = string.Empty;
    public string Address { get; init; } = string.Empty;
    public string Subject { get; init; } = string.Empty;
    public int Attempts { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    public string? Error { get; init; }
}
