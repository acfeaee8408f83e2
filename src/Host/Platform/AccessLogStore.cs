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
}
