using System.Globalization;
using Supervision.Bench.Load;

// Supervision.Bench.Load generate CONNECTION [departments] [items] [seed] [burst]   (burst: that many requests due at one past instant)
// Supervision.Bench.Load burst-park CONNECTION N   (moves the burst an hour ahead, so a Host can start idle)
// Supervision.Bench.Load burst-wait CONNECTION N [seconds]   (after generate with a burst: the burst happens in that many seconds; timed until a running Host has processed it)
// Supervision.Bench.Load quartz-per-item CONNECTION N   (the comparison: one Quartz trigger per due burst item, all at one instant)
// Supervision.Bench.Load hangfire-per-item CONNECTION N [polling seconds]   (the card's design: one Hangfire delayed job per due burst item, all at one instant)
// Supervision.Bench.Load stream CONNECTION N [rate]   (after generate with a burst of N: the N change light one after another, rate a second; lag from instant to commit)
// Supervision.Bench.Load complete URL TOKEN CONNECTION [requests] [concurrency] [runs] [skip]   (accepts requests waiting at review over HTTP; ids above skip)
// Supervision.Bench.Load calendar-change CONNECTION [day]   (a day off added: the notice page's preview, then the recomputation, timed)
// Supervision.Bench.Load http URL TOKEN PATH [requests] [concurrency] [departments] [runs]   (PATH may hold {0}: department ids 2..departments in turn)
switch (args.FirstOrDefault())
{
    case "generate" when args.Length >= 2:
        return await Generator.RunAsync(args[1], Number(args, 2, 1_000), Number(args, 3, 1_000_000), Number(args, 4, 20261122), Number(args, 5, 0));
    case "http" when args.Length >= 4:
        return await HttpLoad.RunAsync(new Uri(args[1]), args[2], args[3], Number(args, 4, 2_000), Number(args, 5, 4), Number(args, 6, 1_000), Number(args, 7, 1));
    case "stream" when args.Length >= 3:
        return await StreamLag.RunAsync(args[1], Number(args, 2, 30_000), Number(args, 3, 500));
    case "complete" when args.Length >= 4:
        return await Completions.RunAsync(new Uri(args[1]), args[2], args[3], Number(args, 4, 5_000), Number(args, 5, 16), Number(args, 6, 3), Number(args, 7, 0));
    case "quartz-per-item" when args.Length >= 3:
        return await QuartzPerItem.RunAsync(args[1], Number(args, 2, 2_000));
    case "hangfire-per-item" when args.Length >= 3:
        return await HangfirePerItem.RunAsync(args[1], Number(args, 2, 2_000), args.Length > 3 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : null);
    case "calendar-change" when args.Length >= 2:
        return await CalendarChange.RunAsync(args[1], args.Length > 2 ? DateOnly.ParseExact(args[2], "yyyy-MM-dd", CultureInfo.InvariantCulture) : new DateOnly(2026, 12, 31));
    case "burst-park" when args.Length >= 3:
        return await BurstWait.RunAsync(args[1], Number(args, 2, 100_000), 3600, wait: false);
    case "burst-wait" when args.Length >= 3:
        return await BurstWait.RunAsync(args[1], Number(args, 2, 100_000), Number(args, 3, 10));
    default:
        Console.Error.WriteLine("usage: generate CONNECTION [departments=1000] [items=1000000] [seed] [burst=0] | http URL TOKEN PATH [requests=2000] [concurrency=4] [departments=1000] [runs=1] | stream CONNECTION N [rate=500] | complete URL TOKEN CONNECTION [requests=5000] [concurrency=16] [runs=3] [skip=0] | calendar-change CONNECTION [day=2026-12-31] | burst-park CONNECTION N | burst-wait CONNECTION N [seconds] | quartz-per-item CONNECTION N | hangfire-per-item CONNECTION N [polling seconds]");
        return 2;
}

static int Number(string[] args, int at, int fallback) => args.Length > at ? int.Parse(args[at], CultureInfo.InvariantCulture) : fallback;

/// <summary>
/// Requests one path of a running Host over and over from several concurrent clients on loopback (after a warm-up),
/// and prints the latency percentiles and the throughput. Each client has its own connection.
/// </summary>
internal static class HttpLoad
{
    public static async Task<int> RunAsync(Uri server, string token, string path, int requests, int concurrency, int departmentCount, int runs)
    {
        var clients = Measure.Clients(server, token, concurrency);
        var departments = Enumerable.Range(2, Math.Max(1, Math.Min(500, departmentCount - 1))).ToArray();
        Task<double> OnceAsync(HttpClient client, int n) => Measure.TimedAsync(path,
            () => client.GetAsync(new Uri(string.Format(CultureInfo.InvariantCulture, path, departments[n % departments.Length]), UriKind.Relative)));

        // Warm-up: the first requests compile and fill caches.
        for (var i = 0; i < Math.Min(50, requests); i++)
        {
            await OnceAsync(clients[0], i);
        }

        await Measure.RunsAsync(path, clients, requests, runs, (client, _, n) => OnceAsync(client, n));
        foreach (var client in clients)
        {
            client.Dispose();
        }

        return 0;
    }
}

/// <summary>
/// The midnight burst, timed from its instant. A database generated with a burst holds N items whose stored lights
/// are stale since an instant just past; this moves their stored next change to a few seconds ahead (the instant the
/// burst "happens"), tells running Hosts as another instance would (<c>NOTIFY supervision_wake</c>), and times from that
/// instant until none of the N is due any more: every change recorded (history, light, next instant) and its notices
/// written, in the same transactions.
/// </summary>
internal static class BurstWait
{
    public static async Task<int> RunAsync(string connectionString, int burst, int aheadSeconds, bool wait = true)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(connectionString);
        var at = DateTimeOffset.UtcNow.AddSeconds(aheadSeconds);
        await ArmAsync(source, burst, at, TimeSpan.Zero);

        if (!wait)
        {
            Console.WriteLine($"burst: items 1 to {burst:N0} parked until {at:HH:mm:ss}");
            return 0;
        }

        async Task<long> CountAsync(string sql)
        {
            await using var command = source.CreateCommand(sql);
            command.Parameters.AddWithValue((long)burst);
            command.Parameters.AddWithValue(at.UtcDateTime);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        const string Due = "SELECT count(*) FROM items WHERE next_change_at <= $2 AND id <= $1";
        var notices = await CountAsync("SELECT count(*) + 0 * $1 + 0 * extract(epoch FROM $2) FROM notices");
        var due = await CountAsync(Due);
        Console.WriteLine($"burst: {due:N0} of {burst:N0} items change light at {at:HH:mm:ss.fff} (in {aheadSeconds} s)");
        var elapsed = await PerItemBurst.DrainAsync(source, burst, (int)due, at, $"burst of {burst:N0}");
        due = await CountAsync(Due);
        var changes = await CountAsync("SELECT count(*) + 0 * extract(epoch FROM $2) FROM item_history WHERE item_id <= $1 AND action = 'light-changed'");
        var written = await CountAsync("SELECT count(*) + 0 * $1 + 0 * extract(epoch FROM $2) FROM notices") - notices;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"burst of {burst:N0}: {changes:N0} light changes recorded and {written:N0} notices written {elapsed.TotalSeconds:0.00} s after their instant " +
            $"({changes / Math.Max(elapsed.TotalSeconds, 0.001):0} items/s); {due:N0} still due"));
        return due == 0 && changes == burst ? 0 : 1;
    }

    /// <summary>Moves the stored next change of items 1 to <paramref name="count"/> (and their assignments') to
    /// <paramref name="first"/> plus <paramref name="step"/> per id after the first (zero: all at one instant), and
    /// tells running Hosts as another instance would.</summary>
    internal static async Task ArmAsync(Npgsql.NpgsqlDataSource source, int count, DateTimeOffset first, TimeSpan step)
    {
        await using var arm = source.CreateCommand(
            "WITH i AS (UPDATE items SET next_change_at = $2 + (id - 1) * $3 WHERE id <= $1 AND next_change_at IS NOT NULL RETURNING 1), " +
            "a AS (UPDATE assignments SET next_change_at = $2 + (item_id - 1) * $3 WHERE item_id <= $1 AND next_change_at IS NOT NULL RETURNING 1) " +
            "SELECT pg_notify('supervision_wake', 'bench:t:' || $4), (SELECT count(*) FROM i), (SELECT count(*) FROM a)");
        arm.Parameters.AddWithValue((long)count);
        arm.Parameters.AddWithValue(first.UtcDateTime);
        arm.Parameters.AddWithValue(step);
        arm.Parameters.AddWithValue(first.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        await arm.ExecuteNonQueryAsync();
    }
}
