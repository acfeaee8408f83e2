using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.People;

/// <summary>One throttled key: a login (<c>login:zhang</c>) or a client address (<c>address:10.0.0.7</c>).</summary>
public sealed record ThrottledKey
{
    public string Key { get; init; } = string.Empty;

    public int Failures { get; init; }

    public DateTimeOffset FirstFailureAt { get; init; }

    public DateTimeOffset LastFailureAt { get; init; }

    public DateTimeOffset? LockedUntil { get; init; }
}

/// <summary>
/// Failed sign-ins counted per login and per client address in the database (so every server sees them): the first
/// <c>Supervision:SignIn:FreeAttempts</c> (default 5) failures within <c>Supervision:SignIn:Window</c> (15 minutes)
/// cost nothing; after them each attempt must wait 2, 4, 8 … (at most 60) seconds after the last failure; at
/// <c>Supervision:SignIn:LockAfter</c> (10) failures the key is locked for <c>Supervision:SignIn:LockFor</c> (15
/// minutes), or until an administrator lifts it. A waiting or locked key is answered 429 with <c>Retry-After</c>
/// before any password is looked at, alike for logins that exist and logins that do not. A successful sign-in clears
/// its login's count (not its address's: another account's password must not unlock an address).
/// </summary>
public sealed class SignInThrottle(Database database, TimeProvider clock, IConfiguration configuration)
{
    private readonly int _free = configuration.GetValue("Supervision:SignIn:FreeAttempts", 5);
    private readonly int _lockAfter = configuration.GetValue("Supervision:SignIn:LockAfter", 10);
    private readonly TimeSpan _window = configuration.GetValue("Supervision:SignIn:Window", TimeSpan.FromMinutes(15));
    private readonly TimeSpan _lockFor = configuration.GetValue("Supervision:SignIn:LockFor", TimeSpan.FromMinutes(15));

    public static string LoginKey(string login) => "login:" + login.Trim().ToLowerInvariant();

    public static string AddressKey(System.Net.IPAddress? address) => "address:" + (address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4() : address)?.ToString();

    /// <summary>How long the caller must wait before trying these keys again (null: it may try now).</summary>
    public async Task<TimeSpan?> WaitAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var row in await ReadAsync(keys, cancellationToken))
        {
            if (HeldUntil(row, now) is { } until && (wait is null || until - now > wait))
            {
                wait = until - now;
            }
        }

        return wait;
    }

    /// <summary>Counts a failure against each key (a new count once the window since the first has passed), locking a
    /// key that reaches the limit; one statement per key, so servers counting at once lose no failure.</summary>
    public async Task FailedAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await database.InTransactionAsync(async uow =>
        {
            foreach (var key in keys)
            {
                await uow.Connection.ExecuteAsync(uow.Command(
                    """
                    INSERT INTO sign_in_throttle (key, failures, first_failure_at, last_failure_at, locked_until)
                    VALUES (@key, 1, @now, @now, NULL)
                    ON CONFLICT (key) DO UPDATE SET
                        failures = CASE WHEN sign_in_throttle.first_failure_at < @windowStart THEN 1 ELSE sign_in_throttle.failures + 1 END,
                        first_failure_at = CASE WHEN sign_in_throttle.first_failure_at < @windowStart THEN @now ELSE sign_in_throttle.first_failure_at END,
                        last_failure_at = @now,
                        locked_until = CASE WHEN sign_in_throttle.first_failure_at >= @windowStart AND sign_in_throttle.failures + 1 >= @lockAfter THEN @lockedUntil
                                            ELSE sign_in_throttle.locked_until END
                    """,
                    new { key, now, windowStart = now - _window, lockAfter = _lockAfter, lockedUntil = now + _lockFor },
                    cancellationToken));
            }
        }, cancellationToken);
    }

    /// <summary>Clears a key: its login signed in, or an administrator lifted it. True when there was something to clear.</summary>
    public async Task<bool> ClearAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM sign_in_throttle WHERE key = @key", new { key }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>The keys that must wait or are locked now, longest first (for the people page).</summary>
    public async Task<IReadOnlyList<ThrottledKey>> HeldAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ThrottledKey>(new CommandDefinition(
            $"SELECT {Columns} FROM sign_in_throttle WHERE failures >= @free OR locked_until IS NOT NULL", new { free = _free }, cancellationToken: cancellationToken));
        return rows.Select(r => (Row: r, Until: HeldUntil(r, now))).Where(r => r.Until is not null).OrderByDescending(r => r.Until).Select(r => r.Row).ToList();
    }

    private const string Columns = "key AS Key, failures AS Failures, first_failure_at AS FirstFailureAt, last_failure_at AS LastFailureAt, locked_until AS LockedUntil";

    private async Task<IEnumerable<ThrottledKey>> ReadAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync<ThrottledKey>(new CommandDefinition(
            $"SELECT {Columns} FROM sign_in_throttle WHERE {database.Dialect.InList("key", "@keys")}", new { keys = keys.ToArray() }, cancellationToken: cancellationToken));
    }

    // Until when a key is held back: its lock, or the wait after its last failure once the free attempts are used
    // within the window; null when it may try now.
    private DateTimeOffset? HeldUntil(ThrottledKey row, DateTimeOffset now)
    {
        var until = row.LockedUntil > now ? row.LockedUntil
            : row.FirstFailureAt + _window > now && row.Failures >= _free ? row.LastFailureAt + Delay(row.Failures)
            : null;
        return until > now ? until : null;
    }

    // The wait after the last failure once the free attempts are used: 2, 4, 8 … seconds, at most a minute.
    private TimeSpan Delay(int failures) => failures < _free ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures - _free + 1)));
}
