using System.Security.Cryptography;
using System.Text;
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
public sealed class Credentials(TokenStore tokens, UserStore users, TimeProvider clock)
{
    private static readonly PasswordHasher<User> Hasher = new();

    /// <summary>Sets or replaces a user's password; a replaced password ends the user's sign-in sessions. With
    /// <paramref name="mustChange"/> (an administrator chose it) the person chooses their own at the next sign-in.</summary>
    public Task SetPasswordAsync(string login, string password, CancellationToken cancellationToken, bool mustChange = false) =>
        tokens.InTransactionAsync(uow => SetPasswordInAsync(uow, login, password, cancellationToken, mustChange), cancellationToken);

    /// <summary><see cref="SetPasswordAsync"/> inside a caller's transaction (a person added in it too).</summary>
    internal static async Task SetPasswordInAsync(UnitOfWork uow, string login, string password, CancellationToken cancellationToken, bool mustChange = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(password);
        if (PasswordPolicy.Problems(login, password) is { Count: > 0 } problems)
        {
            throw new ArgumentException($"The password must be {string.Join(", ", problems)}.", nameof(password));
        }

        var user = await UserStore.FindByLoginInAsync(uow, login, cancellationToken) ?? throw new KeyNotFoundException($"No user '{login}'.");
        await UserStore.SetPasswordHashInAsync(uow, user.Id, Hasher.HashPassword(user, password), mustChange, cancellationToken);
    }

    /// <summary>A person replaces their own password, giving the current one: the new one is theirs (no change is
    /// asked for any more) and their other sessions end. Null when the current password is wrong.</summary>
    public async Task<User?> ChangeOwnPasswordAsync(string login, string current, string replacement, CancellationToken cancellationToken)
    {
        if (await CheckPasswordAsync(login, current, cancellationToken) is null)
        {
            return null;
        }

        await SetPasswordAsync(login, replacement, cancellationToken);
        return await users.FindByLoginAsync(login, cancellationToken);
    }

    // A hash of a password nobody knows, checked when there is no real one to check, so that an unknown or disabled
    // login costs the same hashing as a wrong password and the answer's time does not tell which it was.
    private static readonly User Nobody = new() { Login = string.Empty, DisplayName = string.Empty, DepartmentId = 0, Role = "handler" };
    private static readonly string Decoy = Hasher.HashPassword(Nobody, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));

    /// <summary>The active user with this login and password, or null; the same work whichever way it fails.</summary>
    public async Task<User?> CheckPasswordAsync(string login, string password, CancellationToken cancellationToken)
    {
        var user = await users.FindByLoginAsync(login, cancellationToken);
        var hash = user is { Active: true } ? await users.PasswordHashAsync(user.Id, cancellationToken) : null;
        var matches = Hasher.VerifyHashedPassword(user ?? Nobody, hash ?? Decoy, password) != PasswordVerificationResult.Failed;
        return matches && hash is not null ? user : null;
    }

    /// <summary>Creates a token for a user; returns the token, which is not stored and cannot be shown again.</summary>
    public Task<(long Id, string Token)> CreateTokenAsync(string login, string name, CancellationToken cancellationToken) =>
        tokens.InTransactionAsync(uow => CreateTokenInAsync(uow, login, name, cancellationToken), cancellationToken);

    /// <summary><see cref="CreateTokenAsync"/> inside a caller's transaction.</summary>
    internal async Task<(long Id, string Token)> CreateTokenInAsync(UnitOfWork uow, string login, string name, CancellationToken cancellationToken)
    {
        var user = await UserStore.FindByLoginInAsync(uow, login, cancellationToken) ?? throw new KeyNotFoundException($"No user '{login}'.");
        var token = "sv_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var id = await TokenStore.AddInAsync(uow, user.Id, name, Hash(token), clock.GetUtcNow(), cancellationToken);
        return (id, token);
    }

    /// <summary>Revokes a token by id inside a caller's transaction; returns false when there is no such active token.</summary>
    internal Task<bool> RevokeTokenInAsync(UnitOfWork uow, long id, CancellationToken cancellationToken) =>
        TokenStore.RevokeInAsync(uow, id, clock.GetUtcNow(), cancellationToken);

    /// <summary>A user's tokens, newest first.</summary>
    public Task<IReadOnlyList<TokenInfo>> ListTokensAsync(string login, CancellationToken cancellationToken) =>
        tokens.ListAsync(login, cancellationToken);

    /// <summary>The active user an active token belongs to, or null (one query for both); records when the token was
    /// last used (to the minute: a token used many times a second is written at most once a minute).</summary>
    public async Task<User?> CheckTokenAsync(string token, CancellationToken cancellationToken)
    {
        var found = await tokens.FindActiveAsync(Hash(token), cancellationToken);
        if (found is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (found.LastUsedAt is not { } last || now - last >= TimeSpan.FromMinutes(1) || now < last)
        {
            await tokens.MarkUsedAsync(found.TokenId, now, cancellationToken);
        }

        return found.User;
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
