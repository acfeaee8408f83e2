using Dapper;
using Supervision.Engine.Organisation;
using Supervision.Host.Storage;

namespace Supervision.Host.People;

/// <summary>An active token with the active user it belongs to, and when it was last used.</summary>
internal sealed record ActiveToken(long TokenId, DateTimeOffset? LastUsedAt, User User);

/// <summary>API tokens (<c>api_tokens</c>), stored by their hash only.</summary>
public sealed class TokenStore(Database database)
{
    /// <summary>Records a token of a user inside a caller's transaction; returns its id.</summary>
    internal static Task<long> AddInAsync(UnitOfWork uow, long userId, string name, string hash, DateTimeOffset now, CancellationToken cancellationToken) =>
        uow.Connection.ExecuteScalarAsync<long>(uow.Command(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (@Id, @name, @hash, @now) RETURNING id",
            new { Id = userId, name, hash, now }, cancellationToken));

    /// <summary>Revokes an active token inside a caller's transaction; returns false when there is no such active token.</summary>
    internal static async Task<bool> RevokeInAsync(UnitOfWork uow, long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        await uow.Connection.ExecuteAsync(uow.Command(
            "UPDATE api_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL", new { id, now }, cancellationToken)) == 1;

    /// <summary>Runs <paramref name="work"/> in a transaction of its own (a token made outside a command: tests, the demo).</summary>
    internal Task<T> InTransactionAsync<T>(Func<UnitOfWork, Task<T>> work, CancellationToken cancellationToken) =>
        database.InTransactionAsync(work, cancellationToken);

    /// <summary><see cref="InTransactionAsync{T}"/> for work that answers nothing.</summary>
    internal Task InTransactionAsync(Func<UnitOfWork, Task> work, CancellationToken cancellationToken) =>
        database.InTransactionAsync(work, cancellationToken);

    /// <summary>A user's tokens (login in any letter case), newest first.</summary>
    internal async Task<IReadOnlyList<TokenInfo>> ListAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<TokenRow>(new CommandDefinition(
            """
            SELECT t.id AS Id, u.login AS UserLogin, t.name AS Name, t.created_at AS CreatedAt, t.revoked_at AS RevokedAt, t.last_used_at AS LastUsedAt
            FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE lower(u.login) = lower(@login) ORDER BY t.id DESC
            """, new { login }, cancellationToken: cancellationToken)))
            .Select(r => new TokenInfo(r.Id, r.UserLogin, r.Name, r.CreatedAt, r.RevokedAt, r.LastUsedAt)).ToList();
    }

    /// <summary>The active token with this hash and its active user, or null (one query for both).</summary>
    internal async Task<ActiveToken?> FindActiveAsync(string hash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var found = (await connection.QueryAsync<TokenUse, User, (TokenUse Token, User User)>(new CommandDefinition(
            """
            SELECT t.id AS TokenId, t.last_used_at AS LastUsedAt,
                   u.id AS Id, u.login AS Login, u.display_name AS DisplayName, u.department_id AS DepartmentId, u.role AS Role, u.active AS Active
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = @hash AND t.revoked_at IS NULL AND u.active = @active
            """,
            new { hash, active = true }, cancellationToken: cancellationToken), (use, user) => (use, user), splitOn: "Id")).SingleOrDefault();
        return found.User is null ? null : new ActiveToken(found.Token.TokenId, found.Token.LastUsedAt, found.User);
    }

    /// <summary>Records when a token was last used.</summary>
    internal async Task MarkUsedAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE api_tokens SET last_used_at = @now WHERE id = @id",
            new { id, now }, cancellationToken: cancellationToken));
    }

    private sealed record TokenUse
    {
        public long TokenId { get; init; }
        public DateTimeOffset? LastUsedAt { get; init; }
    }

    private sealed record TokenRow
    {
        public long Id { get; init; }
        public string UserLogin { get; init; } = "";
        public string Name { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
        public DateTimeOffset? LastUsedAt { get; init; }
    }
}
