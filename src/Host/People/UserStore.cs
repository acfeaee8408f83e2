using System.Data.Common;
using Dapper;
using Supervision.Engine.Organisation;
using Supervision.Host.Storage;

namespace Supervision.Host.People;

/// <summary>People who sign in. Logins are unique regardless of letter case.</summary>
public sealed class UserStore(Database database, TimeProvider clock)
{
    private const string Columns = "id AS Id, login AS Login, display_name AS DisplayName, department_id AS DepartmentId, role AS Role, active AS Active, session_stamp AS SessionStamp, must_change_password AS MustChangePassword";

    /// <summary>Adds a user; returns it with its id. A taken login is a <see cref="DuplicateNameException"/>.</summary>
    public Task<User> AddAsync(User user, CancellationToken cancellationToken) =>
        database.InTransactionAsync(uow => AddInAsync(uow, user, cancellationToken), cancellationToken);

    /// <summary><see cref="AddAsync"/> inside a caller's transaction.</summary>
    internal async Task<User> AddInAsync(UnitOfWork uow, User user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(user);
        try
        {
            var id = await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
                """
                INSERT INTO users (login, display_name, department_id, role, active, created_at)
                VALUES (@Login, @DisplayName, @DepartmentId, @Role, @Active, @now) RETURNING id
                """,
                new { Login = user.Login.Trim(), user.DisplayName, user.DepartmentId, user.Role, user.Active, now = clock.GetUtcNow() },
                cancellationToken));
            return user with { Id = id, Login = user.Login.Trim() };
        }
        catch (DbException e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new DuplicateNameException($"Login '{user.Login}' is already in use.");
        }
    }

    /// <summary>Sets the address a user's notices are mailed to (null: no mail).</summary>
    /// <summary>Whether <paramref name="text"/> can be an e-mail address as notices are mailed to it.</summary>
    public static bool IsEmail(string text) => text.Contains('@', StringComparison.Ordinal) && text.Length <= 254;

    public Task SetEmailAsync(string login, string? email, CancellationToken cancellationToken) =>
        database.InTransactionAsync(uow => SetEmailInAsync(uow, login, email, cancellationToken), cancellationToken);

    /// <summary><see cref="SetEmailAsync"/> inside a caller's transaction.</summary>
    internal static async Task SetEmailInAsync(UnitOfWork uow, string login, string? email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        if (email is not null && !IsEmail(email))
        {
            throw new ArgumentException($"'{email}' is not an e-mail address.", nameof(email));
        }

        var changed = await uow.Connection.ExecuteAsync(uow.Command(
            "UPDATE users SET email = @email WHERE lower(login) = lower(@login)", new { email, login }, cancellationToken));
        if (changed == 0)
        {
            throw new KeyNotFoundException($"No user '{login}'.");
        }
    }

    /// <summary>Replaces a user's password hash and ends the user's sign-in sessions, inside a caller's transaction.</summary>
    internal static Task SetPasswordHashInAsync(UnitOfWork uow, long userId, string hash, bool mustChange, CancellationToken cancellationToken) =>
        uow.Connection.ExecuteAsync(uow.Command(
            "UPDATE users SET password_hash = @hash, must_change_password = @mustChange, session_stamp = session_stamp + 1 WHERE id = @Id",
            new { hash, mustChange, Id = userId }, cancellationToken));

    /// <summary>A user's password hash, or null when no password is set.</summary>
    internal async Task<string?> PasswordHashAsync(long userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT password_hash FROM users WHERE id = @Id", new { Id = userId }, cancellationToken: cancellationToken));
    }

    /// <summary>Ends every sign-in session of the user (their cookies are refused from the next request on), inside a
    /// caller's transaction.</summary>
    internal static Task EndSessionsInAsync(UnitOfWork uow, string login, CancellationToken cancellationToken) =>
        UpdateAsync(uow, login, "session_stamp = session_stamp + 1", new { }, cancellationToken);

    /// <summary>Disables (the user has left: no sign-in, no token, no notices, sessions ended) or enables a user,
    /// inside a caller's transaction.</summary>
    internal static Task SetActiveInAsync(UnitOfWork uow, string login, bool active, CancellationToken cancellationToken) =>
        UpdateAsync(uow, login, "active = @active, session_stamp = session_stamp + 1", new { active }, cancellationToken);

    private static async Task UpdateAsync(UnitOfWork uow, string login, string set, object values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(login);
        var parameters = new DynamicParameters(values);
        parameters.Add("login", login.Trim());
        if (await uow.Connection.ExecuteAsync(uow.Command($"UPDATE users SET {set} WHERE lower(login) = lower(@login)", parameters, cancellationToken)) == 0)
        {
            throw new KeyNotFoundException($"No user '{login}'.");
        }
    }

    /// <summary>Whether anyone at all has an account (an office with none still needs setting up).</summary>
    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT 1 FROM users LIMIT 1", cancellationToken: cancellationToken)) is not null;
    }

    /// <summary><see cref="AnyAsync"/> inside a caller's transaction; with <paramref name="lockFirst"/> (PostgreSQL) the
    /// transaction first takes the setup's advisory lock, so two setups run one after the other (SQLite's one writer
    /// already serialises them).</summary>
    internal static async Task<bool> AnyInAsync(UnitOfWork uow, CancellationToken cancellationToken, bool lockFirst = false)
    {
        ArgumentNullException.ThrowIfNull(uow);
        if (lockFirst)
        {
            await uow.Connection.ExecuteAsync(uow.Command("SELECT pg_advisory_xact_lock(@key)", new { key = 0x5355_5053_4554_5550L }, cancellationToken));
        }

        return await uow.Connection.ExecuteScalarAsync<long?>(uow.Command("SELECT 1 FROM users LIMIT 1", null, cancellationToken)) is not null;
    }

    /// <summary>The user with this login (any letter case), or null.</summary>
    public async Task<User?> FindByLoginAsync(string login, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(login);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<User>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE lower(login) = lower(@login)", new { login = login.Trim() }, cancellationToken: cancellationToken));
    }

    /// <summary>The user with this login as a caller's transaction sees it (one it has just added too), or null.</summary>
    internal static Task<User?> FindByLoginInAsync(UnitOfWork uow, string login, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(login);
        return uow.Connection.QuerySingleOrDefaultAsync<User>(uow.Command(
            $"SELECT {Columns} FROM users WHERE lower(login) = lower(@login)", new { login = login.Trim() }, cancellationToken));
    }

    /// <summary>The ids of a department's active users in a role, inside a caller's transaction (notice recipients).</summary>
    internal static async Task<IReadOnlyList<long>> IdsInRoleAsync(UnitOfWork uow, long departmentId, string role, CancellationToken cancellationToken) =>
        (await uow.Connection.QueryAsync<long>(uow.Command(
            "SELECT id FROM users WHERE department_id = @departmentId AND role = @role AND active = @active ORDER BY id",
            new { departmentId, role, active = true }, cancellationToken))).AsList();

    /// <summary>The users of one department, ordered by login.</summary>
    public async Task<IReadOnlyList<User>> ListByDepartmentAsync(long departmentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<User>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE department_id = @departmentId ORDER BY login", new { departmentId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Replaces a person's name, role, department, address and whether they may sign in, inside a caller's
    /// transaction; <paramref name="endSessions"/> ends their sign-in sessions in the same statement.</summary>
    internal static Task UpdateInAsync(UnitOfWork uow, User user, string? email, bool endSessions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(user);
        return uow.Connection.ExecuteAsync(uow.Command(
            $"UPDATE users SET display_name = @DisplayName, role = @Role, department_id = @DepartmentId, email = @email, active = @Active{(endSessions ? ", session_stamp = session_stamp + 1" : string.Empty)} WHERE id = @Id",
            new { user.DisplayName, user.Role, user.DepartmentId, email, user.Active, user.Id }, cancellationToken));
    }

    /// <summary>How many active administrators there are other than <paramref name="userId"/>, inside a caller's transaction.</summary>
    internal static Task<long> OtherActiveAdminsInAsync(UnitOfWork uow, long userId, CancellationToken cancellationToken) =>
        uow.Connection.ExecuteScalarAsync<long>(uow.Command(
            "SELECT COUNT(*) FROM users WHERE role = @admin AND active = @active AND id <> @userId", new { admin = "admin", active = true, userId }, cancellationToken));

    /// <summary>A person's address, inside a caller's transaction.</summary>
    internal static Task<string?> EmailInAsync(UnitOfWork uow, long userId, CancellationToken cancellationToken) =>
        uow.Connection.ExecuteScalarAsync<string?>(uow.Command("SELECT email FROM users WHERE id = @userId", new { userId }, cancellationToken));

    /// <summary>People as the administration lists them, filtered by text in the login or name, role, department,
    /// whether disabled, and one login; ordered by login.</summary>
    internal async Task<IReadOnlyList<PersonRow>> ListAsync(string? text, string? role, long? departmentId, bool? disabled, CancellationToken cancellationToken, string? login = null)
    {
        var where = new List<string>();
        if (login is not null)
        {
            where.Add("lower(u.login) = lower(@login)");
        }

        if (!string.IsNullOrWhiteSpace(text))
        {
            where.Add("(lower(u.login) LIKE lower(@text) ESCAPE '\\' OR lower(u.display_name) LIKE lower(@text) ESCAPE '\\' OR lower(COALESCE(u.email, '')) LIKE lower(@text) ESCAPE '\\')");
        }

        if (role is not null)
        {
            where.Add("u.role = @role");
        }

        if (departmentId is not null)
        {
            where.Add("u.department_id = @departmentId");
        }

        if (disabled is not null)
        {
            where.Add("u.active = @active");
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<PersonRow>(new CommandDefinition(
            $"""
            SELECT u.login AS Login, u.display_name AS DisplayName, u.role AS Role, u.department_id AS DepartmentId, d.name AS Department,
                   u.email AS Email, u.active AS Active, u.must_change_password AS MustChangePassword, u.created_at AS CreatedAt,
                   (SELECT COUNT(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS ActiveTokens
            FROM users u JOIN departments d ON d.id = u.department_id
            {(where.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", where))}
            ORDER BY u.login
            """,
            new { text = text is null ? null : Storage.SqlDialect.ContainsPattern(text), role, departmentId, active = disabled is { } d2 ? !d2 : (bool?)null, login = login?.Trim() },
            cancellationToken: cancellationToken))).AsList();
    }
}

/// <summary>A person as the administration lists them.</summary>
internal sealed record PersonRow
{
    public string Login { get; init; } = string.Empty;
    public string DisplayName { get; init; } = string.Empty;
    public string Role { get; init; } = string.Empty;
    public long DepartmentId { get; init; }
    public string Department { get; init; } = string.Empty;
    public string? Email { get; init; }
    public bool Active { get; init; }
    public bool MustChangePassword { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public long ActiveTokens { get; init; }
}
