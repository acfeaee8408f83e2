using Dapper;
using Npgsql;
using NpgsqlTypes;
using Supervision.Host.Storage;

namespace Supervision.Host.Platform;

/// <summary>The access log (<c>access_log</c>): entries are appended in groups, each group in one transaction.</summary>
internal sealed class AccessLogStore(Database database)
{
    /// <summary>Appends the entries in a transaction of their own and commits: on PostgreSQL in one statement over
    /// arrays, on SQLite one insert per entry.</summary>
    public async Task AppendAsync(IReadOnlyList<AccessEntry> entries, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        if (uow.Connection is NpgsqlConnection postgres)
        {
            await AppendPostgresAsync(postgres, (NpgsqlTransaction)uow.Transaction, entries, cancellationToken);
        }
        else
        {
            await AppendSqliteAsync(uow, entries, cancellationToken);
        }

        await uow.CommitAsync(cancellationToken);
    }

    private static async Task AppendPostgresAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AccessEntry> entries, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO access_log (at, actor, method, path, status, allowed, reason, detail)
            SELECT * FROM unnest(@at, @actor, @method, @path, @status, @allowed, @reason, @detail)
            """, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = entries.Select(e => e.At.UtcDateTime).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("actor", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = entries.Select(e => e.Actor).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("method", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = entries.Select(e => e.Method).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("path", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = entries.Select(e => e.Path).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = entries.Select(e => e.Status).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("allowed", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = entries.Select(e => e.Allowed).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("reason", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = entries.Select(e => e.Reason).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("detail", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = entries.Select(e => e.Detail).ToArray() });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task AppendSqliteAsync(UnitOfWork uow, IReadOnlyList<AccessEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var e in entries)
        {
            await uow.Connection.ExecuteAsync(uow.Command(
                "INSERT INTO access_log (at, actor, method, path, status, allowed, reason, detail) VALUES (@At, @Actor, @Method, @Path, @Status, @Allowed, @Reason, @Detail)", e, cancellationToken));
        }
    }

    /// <summary>The entries matching <paramref name="filter"/>, newest first, at most <paramref name="take"/>.</summary>
    public async Task<IReadOnlyList<AccessLogEntry>> ReadAsync(AccessLogFilter filter, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var where = new List<string>();
        var parameters = new DynamicParameters();
        void Add(string condition, string name, object? value)
        {
            where.Add(condition);
            parameters.Add(name, value);
        }

        if (filter.User is { } user)
        {
            Add("lower(actor) = lower(@user)", "user", user);
        }

        if (filter.RoutePrefix is { } route)
        {
            Add("path LIKE @route ESCAPE '\\'", "route", SqlDialect.ContainsPattern(route)[1..]);
        }

        if (filter.StatusFrom is { } low && filter.StatusTo is { } high)
        {
            Add("status BETWEEN @low AND @high", "low", low);
            parameters.Add("high", high);
        }

        if (filter.Since is { } since)
        {
            Add("at >= @since", "since", since);
        }

        if (filter.Until is { } until)
        {
            Add("at < @until", "until", until);
        }

        if (filter.Before is { } before)
        {
            Add("id < @before", "before", before);
        }

        parameters.Add("take", take);
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<AccessLogEntry>(new CommandDefinition(
            $"""
            SELECT id AS Id, at AS At, actor AS Actor, method AS Method, path AS Path, status AS Status, allowed AS Allowed, reason AS Reason, detail AS Detail
            FROM access_log{(where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where))}
            ORDER BY id DESC LIMIT @take
            """, parameters, cancellationToken: cancellationToken))).AsList();
    }
}

/// <summary>Which access log entries to read: by login, by the path's beginning, by a range of status codes, by time
/// (<see cref="Until"/> excluded) and before an id (the previous page's last).</summary>
internal sealed record AccessLogFilter(string? User, string? RoutePrefix, int? StatusFrom, int? StatusTo, DateTimeOffset? Since, DateTimeOffset? Until, long? Before);
