using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Supervision.Engine.Organisation;
using Supervision.Host.Storage;

namespace Supervision.Host.People;

/// <summary>A token as listed (never the token itself).</summary>
public sealed record TokenInfo(long Id, string User, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>
/// Passwords and API tokens. Passwords are hashed with ASP.NET Core's password hasher; tokens are 32 random bytes
/// shown once (<c>sv_…</c>) and stored only as a SHA-256, so a copy of the database does not let anyone sign in.
/// </summary>
public sealed class Credentials(Database database, UserStore users, TimeProvider clock)
{
    private static readonly PasswordHasher<User> Hasher = new();

    /// <summary>Sets or replaces a user's password; a replaced password ends the user's sign-in sessions.</summary>
    public async Task SetPasswordAsync(string login, string password, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(password);
        if (password.Length < 8)
        {
            throw new ArgumentException("A password needs at least 8 characters.", nameof(password));
        }

        var user = await users.FindByLoginAsync(login, cancellationToken) ?? throw new KeyNotFoundException($"No user '{login}'.");
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE users SET password_hash = @hash, session_stamp = session_stamp + 1 WHERE id = @Id",
            new { hash = Hasher.HashPassword(user, password), user.Id }, cancellationToken: cancellationToken));
    }

    /// <summary>The active user with this login and password, or null.</summary>
    public async Task<User?> CheckPasswordAsync(string login, string password, CancellationToken cancellationToken)
    {
        var user = await users.FindByLoginAsync(login, cancellationToken);
        if (user is null || !user.Active)
        {
            return null;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var hash = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT password_hash FROM users WHERE id = @Id", new { user.Id }, cancellationToken: cancellationToken));
        return hash is not null && Hasher.VerifyHashedPassword(user, hash, password) != PasswordVerificationResult.Failed ? user : null;
    }

    /// <summary>Creates a token for a user; returns the token, which is not stored and cannot be shown again.</summary>
    public async Task<(long Id, string Token)> CreateTokenAsync(string login, string name, CancellationToken cancellationToken)
    {
        var user = await users.FindByLoginAsync(login, cancellationToken) ?? throw new KeyNotFoundException($"No user '{login}'.");
        var token = "sv_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var connection = await database.OpenAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (@Id, @name, @hash, @now) RETURNING id",
            new { user.Id, name, hash = Hash(token), now = clock.GetUtcNow() }, cancellationToken: cancellationToken));
        return (id, token);
    }

    /// <summary>Revokes a token by id; returns false when there is no such active token.</summary>
    public async Task<bool> RevokeTokenAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL", new { id, now = clock.GetUtcNow() }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>A user's tokens, newest first.</summary>
    public async Task<IReadOnlyList<TokenInfo>> ListTokensAsync(string login, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<TokenRow>(new CommandDefinition(
            """
            SELECT t.id AS Id, u.login AS UserLogin, t.name AS Name, t.created_at AS CreatedAt, t.revoked_at AS RevokedAt, t.last_used_at AS LastUsedAt
            FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE lower(u.login) = lower(@login) ORDER BY t.id DESC
            """, new { login }, cancellationToken: cancellationToken)))
            .Select(r => new TokenInfo(r.Id, r.UserLogin, r.Name, r.CreatedAt, r.RevokedAt, r.LastUsedAt)).ToList();
    }

    /// <summary>The active user an active token belongs to, or null (one query for both); records when the token was
    /// last used (to the minute: a token used many times a second is written at most once a minute).</summary>
    public async Task<User?> CheckTokenAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var found = (await connection.QueryAsync<TokenUse, User, (TokenUse Token, User User)>(new CommandDefinition(
            """
            SELECT t.id AS TokenId, t.last_used_at AS LastUsedAt,
                   u.id AS Id, u.login AS Login, u.display_name AS DisplayName, u.department_id AS DepartmentId, u.role AS Role, u.active AS Active
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = @hash AND t.revoked_at IS NULL AND u.active = @active
            """,
            new { hash = Hash(token), active = true }, cancellationToken: cancellationToken), (use, user) => (use, user), splitOn: "Id")).SingleOrDefault();
        if (found.User is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (found.Token.LastUsedAt is not { } last || now - last >= TimeSpan.FromMinutes(1) || now < last)
        {
            await connection.ExecuteAsync(new CommandDefinition("UPDATE api_tokens SET last_used_at = @now WHERE id = @id",
                new { id = found.Token.TokenId, now }, cancellationToken: cancellationToken));
        }

        return found.User;
    }

    private sealed record TokenUse
    {
        public long TokenId { get; init; }
        public DateTimeOffset? LastUsedAt { get; init; }
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

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
