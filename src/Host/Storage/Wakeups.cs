using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Supervision.Host.Storage;

/// <summary>
/// Wakes the light transition loop and the notice dispatcher early, on this instance and, on PostgreSQL, on every
/// other instance sharing the database (<c>NOTIFY supervision_wake</c>, relayed by <see cref="WakeListener"/>).
/// The transition loop is woken only when a change instant comes sooner than the one it is sleeping towards, so a
/// stream of actions does not keep it busy. Broadcasts are coalesced: however many wakes happen while one is being
/// sent, one more follows. Wakes are a shortcut, never the only way: both loops also run on a timer.
/// </summary>
public sealed class Wakeups : IDisposable
{
    public const string Channel = "supervision_wake";
    private readonly SemaphoreSlim _transitions = new(0);
    private readonly SemaphoreSlim _notices = new(0);
    private readonly SemaphoreSlim _broadcast = new(0);
    private readonly Lock _gate = new();
    private DateTimeOffset _armedFor = DateTimeOffset.MaxValue;
    private DateTimeOffset? _pendingInstant;
    private bool _pendingNotices;
    private bool _pendingChange;
    private HashSet<long>? _pendingDepartments = [];
    // The recent changes of lights or items with the departments they touched (null: unknown, every department), so a
    // live board is told only of its own departments' changes; older than the log, a change counts as everyone's.
    private readonly Queue<(long Version, long[]? Departments)> _recent = new();
    private const int RecentKept = 4_096;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _changeVersion;

    /// <summary>Identifies this instance's broadcasts so it ignores its own.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    public void Dispose()
    {
        _transitions.Dispose();
        _notices.Dispose();
        _broadcast.Dispose();
    }

    /// <summary>A committed change set a next change instant (null: none); wakes the loops that must act sooner.</summary>
    public void ChangeInstantSet(DateTimeOffset? at)
    {
        if (at is not { } instant)
        {
            return;
        }

        WakeTransitionsLocally(instant);
        lock (_gate)
        {
            _pendingInstant = _pendingInstant is { } pending && pending <= instant ? pending : instant;
        }

        Release(_broadcast);
    }

    /// <summary>Notices for external channels were committed: the dispatcher should run now, here or elsewhere.</summary>
    public void NoticesQueued()
    {
        Release(_notices);
        lock (_gate)
        {
            _pendingNotices = true;
        }

        Release(_broadcast);
    }

    /// <summary>Lights or items of these departments changed (an action, a timer; null: any department's): live boards
    /// of those departments here and on every other instance refresh.</summary>
    public void BoardChanged(IEnumerable<long>? departments = null)
    {
        var touched = departments?.Distinct().ToArray();
        PublishChange(touched);
        lock (_gate)
        {
            _pendingChange = true;
            if (touched is null || _pendingDepartments is null)
            {
                _pendingDepartments = null;
            }
            else
            {
                _pendingDepartments.UnionWith(touched);
            }
        }

        Release(_broadcast);
    }

    /// <summary>The changes after <paramref name="since"/> (a <see cref="ChangeVersion"/>): the latest version, and the
    /// departments they touched (null when any department's may have: a change of unknown departments, or one older
    /// than the changes kept).</summary>
    public (long Latest, IReadOnlySet<long>? Departments) ChangesSince(long since)
    {
        lock (_gate)
        {
            var latest = Interlocked.Read(ref _changeVersion);
            if (latest > since && (_recent.Count == 0 || _recent.Peek().Version > since + 1))
            {
                return (latest, null);
            }

            var departments = new HashSet<long>();
            foreach (var (version, touched) in _recent)
            {
                if (version <= since)
                {
                    continue;
                }

                if (touched is null)
                {
                    return (latest, null);
                }

                departments.UnionWith(touched);
            }

            return (latest, departments);
        }
    }

    /// <summary>Counts the changes of lights or items seen here (this instance's and those other instances broadcast):
    /// whatever was computed from the database at an earlier value may be out of date.</summary>
    public long ChangeVersion => Interlocked.Read(ref _changeVersion);

    /// <summary>Completes at the next change of lights or items on any instance.</summary>
    public Task NextChangeAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _changed.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Wakes the loops of this instance for a wake another instance broadcast (<c>t:{unix ms}</c>, <c>n</c>, or
    /// <c>c</c> with the departments touched, <c>c:3,17</c>, or none when any).</summary>
    internal void Receive(string payload)
    {
        var parts = payload.Split(':');
        if (parts.Length < 2 || parts[0] == InstanceId)
        {
            return;
        }

        if (parts[1] == "n")
        {
            Release(_notices);
        }
        else if (parts[1] == "c")
        {
            PublishChange(parts.Length == 3 ? Departments(parts[2]) : null);
        }
        else if (parts[1] == "t" && parts.Length == 3 && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            WakeTransitionsLocally(DateTimeOffset.FromUnixTimeMilliseconds(ms));
        }
    }

    /// <summary>Wakes both loops unconditionally (after reconnecting, when broadcasts may have been missed).</summary>
    internal void WakeAll()
    {
        Release(_transitions);
        Release(_notices);
    }

    /// <summary>The transition loop sleeps towards <paramref name="armedFor"/> at most <paramref name="timeout"/>; true when woken.</summary>
    internal Task<bool> WaitForTransitionsAsync(DateTimeOffset armedFor, TimeSpan timeout, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _armedFor = armedFor;
        }

        return WaitThenStandDownAsync(timeout, cancellationToken);
    }

    private async Task<bool> WaitThenStandDownAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await _transitions.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            // While the loop works, any new instant may be sooner than what it will arm for next: each one wakes it again.
            lock (_gate)
            {
                _armedFor = DateTimeOffset.MaxValue;
            }
        }
    }

    internal Task<bool> WaitForNoticesAsync(TimeSpan timeout, CancellationToken cancellationToken) => _notices.WaitAsync(timeout, cancellationToken);

    /// <summary>Waits for something to broadcast and takes it: the earliest change instant, whether notices were
    /// queued, and whether lights or items changed and of which departments (null: any).</summary>
    internal async Task<(DateTimeOffset? Instant, bool Notices, bool Changed, IReadOnlyCollection<long>? Departments)> NextBroadcastAsync(CancellationToken cancellationToken)
    {
        await _broadcast.WaitAsync(cancellationToken);
        lock (_gate)
        {
            var taken = (_pendingInstant, _pendingNotices, _pendingChange, (IReadOnlyCollection<long>?)_pendingDepartments);
            _pendingInstant = null;
            _pendingNotices = false;
            _pendingChange = false;
            _pendingDepartments = [];
            return taken;
        }
    }

    private static long[]? Departments(string list)
    {
        var ids = new List<long>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return null;
            }

            ids.Add(id);
        }

        return [.. ids];
    }

    private void PublishChange(long[]? departments)
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            var version = Interlocked.Increment(ref _changeVersion);
            _recent.Enqueue((version, departments));
            while (_recent.Count > RecentKept)
            {
                _recent.Dequeue();
            }

            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    private void WakeTransitionsLocally(DateTimeOffset instant)
    {
        bool sooner;
        lock (_gate)
        {
            sooner = instant < _armedFor;
            if (sooner)
            {
                _armedFor = instant;
            }
        }

        if (sooner)
        {
            Release(_transitions);
        }
    }

    private static void Release(SemaphoreSlim signal)
    {
        // At most one pending wake: a burst of wakes is one wake.
        lock (signal)
        {
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }
    }
}

/// <summary>
/// On PostgreSQL, relays wakes between instances: sends this instance's (coalesced) with <c>pg_notify</c> and listens
/// on a dedicated connection for the others'. A lost connection is reopened with a growing pause; on reconnecting
/// every loop is woken once, since broadcasts sent meanwhile were missed. On SQLite (one instance) it does nothing.
/// </summary>
internal sealed class WakeListener(Database database, Wakeups wakeups, ILogger<WakeListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Provider != DatabaseProvider.PostgreSql)
        {
            return;
        }

        await Task.WhenAll(ListenAsync(stoppingToken), SendAsync(stoppingToken));
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenDedicatedAsync(stoppingToken);
                connection.Notification += (_, e) => wakeups.Receive(e.Payload);
                await connection.ExecuteAsync(new CommandDefinition($"LISTEN {Wakeups.Channel}", cancellationToken: stoppingToken));
                wakeups.WakeAll();
                pause = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    // Wakes at each notification; the timeout doubles as a keep-alive check of the connection.
                    if (!await connection.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken))
                    {
                        await connection.ExecuteAsync(new CommandDefinition("SELECT 1", cancellationToken: stoppingToken));
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbException or TimeoutException or IOException or InvalidOperationException)
            {
                logger.LogWarning(e, "Listening for other instances' wakes failed; reconnecting in {Pause}", pause);
                await Delay(pause, stoppingToken);
                pause = pause * 2 > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : pause * 2;
            }
        }
    }

    private async Task SendAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (instant, notices, changed, departments) = await wakeups.NextBroadcastAsync(stoppingToken);
                await using var connection = await database.OpenAsync(stoppingToken);
                if (instant is { } at)
                {
                    await Notify(connection, string.Create(CultureInfo.InvariantCulture, $"{wakeups.InstanceId}:t:{at.ToUnixTimeMilliseconds()}"), stoppingToken);
                }

                if (notices)
                {
                    await Notify(connection, $"{wakeups.InstanceId}:n", stoppingToken);
                }

                if (changed)
                {
                    // The departments touched, when they fit a notification (8,000 bytes); else "any department".
                    var list = departments is { Count: > 0 and <= 400 } ? ":" + string.Join(',', departments.Select(d => d.ToString(CultureInfo.InvariantCulture))) : string.Empty;
                    await Notify(connection, $"{wakeups.InstanceId}:c{list}", stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbException or TimeoutException or InvalidOperationException)
            {
                // Other instances still sweep on their timers; a lost wake only delays them.
                logger.LogWarning(e, "Telling other instances to wake failed");
                await Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private static Task<int> Notify(DbConnection connection, string payload, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition($"SELECT pg_notify('{Wakeups.Channel}', @payload)", new { payload }, cancellationToken: cancellationToken));

    private static async Task Delay(TimeSpan pause, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(pause, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
