using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace Supervision.Bench.Load;

/// <summary>
/// Change lag under a steady stream. A database generated with a burst holds N requests whose stored lights are
/// stale since an instant just past; this spreads their stored next change instants evenly from a few seconds ahead
/// (<c>rate</c> a second, in id order), tells running Hosts as another instance would, waits until none is due,
/// and then reads, for every item, when its change was committed (<c>pg_xact_commit_timestamp</c> of its history
/// entry: the cluster runs with <c>track_commit_timestamp=on</c>) against its instant.
/// </summary>
internal static class StreamLag
{
    public static async Task<int> RunAsync(string connectionString, int count, int rate)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        var start = DateTimeOffset.UtcNow.AddSeconds(5);
        var step = TimeSpan.FromSeconds(1.0 / rate);
        await BurstWait.ArmAsync(source, count, start, step);

        var end = start + (step * count);
        Console.WriteLine($"stream: {count:N0} light changes at {rate}/s from {start:HH:mm:ss.fff} to {end:HH:mm:ss.fff}");
        var watch = Stopwatch.StartNew();
        while (DateTimeOffset.UtcNow < end || await LeftAsync(source, count) > 0)
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(30))
            {
                Console.WriteLine("stream: still due after 30 minutes");
                return 1;
            }

            await Task.Delay(200);
        }

        var lags = new List<double>(count);
        await using (var read = source.CreateCommand(
            "SELECT h.item_id, pg_xact_commit_timestamp(h.xmin) FROM item_history h WHERE h.item_id <= $1 AND h.action = 'light-changed'"))
        {
            read.Parameters.AddWithValue((long)count);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var instant = start + (step * (reader.GetInt64(0) - 1));
                lags.Add((reader.GetFieldValue<DateTimeOffset>(1) - instant).TotalMilliseconds);
            }
        }

        if (lags.Count == 0)
        {
            Console.WriteLine("stream: no change recorded");
            return 1;
        }

        lags.Sort();
        double P(double q) => lags[Math.Max(0, (int)Math.Ceiling(q * lags.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stream of {lags.Count:N0} changes at {rate}/s: lag from instant to commit p50 {P(0.50):0} ms, p95 {P(0.95):0} ms, p99 {P(0.99):0} ms, max {lags[^1]:0} ms, min {lags[0]:0} ms"));
        return lags.Count == count ? 0 : 1;
    }

    private static async Task<long> LeftAsync(NpgsqlDataSource source, int count)
    {
        await using var command = source.CreateCommand("SELECT count(*) FROM items WHERE id <= $1 AND next_change_at <= now()");
        command.Parameters.AddWithValue((long)count);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// Step completion through the HTTP API: open disclosure requests waiting at review (outside the first
/// <c>skip</c> ids, which a stream or burst uses) are accepted, each by one POST, from several concurrent clients
/// on loopback, each on its own connection; every request must succeed. Prints latency percentiles and throughput
/// per run and the medians.
/// </summary>
internal static class Completions
{
    public static async Task<int> RunAsync(Uri server, string token, string connectionString, int requests, int concurrency, int runs, long skip)
    {
        var warmUp = Math.Min(100, requests);
        var ids = new Queue<long>();
        await using (var source = NpgsqlDataSource.Create(connectionString))
        await using (var read = source.CreateCommand("SELECT id FROM items WHERE id > $1 AND kind = 'request' AND step = 'review' AND closed_at IS NULL ORDER BY id LIMIT $2"))
        {
            read.Parameters.AddWithValue(skip);
            read.Parameters.AddWithValue((long)(warmUp + (requests * runs)));
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Enqueue(reader.GetInt64(0));
            }
        }

        if (ids.Count < warmUp + (requests * runs))
        {
            Console.WriteLine($"complete: only {ids.Count:N0} requests wait at review; {warmUp + (requests * runs):N0} needed");
            return 1;
        }

        var clients = Measure.Clients(server, token, concurrency);
        var body = """{"step":"review","outcome":"accepted"}""";
        Task<double> OnceAsync(HttpClient client, long id) => Measure.TimedAsync($"item {id}", async () =>
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            return await client.PostAsync(new Uri($"/api/items/{id}/actions/complete", UriKind.Relative), content);
        });

        for (var i = 0; i < warmUp; i++)
        {
            await OnceAsync(clients[i % clients.Count], ids.Dequeue());
        }

        // Each run its own items, taken before it starts.
        var batches = Enumerable.Range(0, runs).Select(_ => Enumerable.Range(0, requests).Select(_ => ids.Dequeue()).ToArray()).ToArray();
        await Measure.RunsAsync("complete", clients, requests, runs, (client, run, n) => OnceAsync(client, batches[run][n]));
        foreach (var client in clients)
        {
            client.Dispose();
        }

        return 0;
    }
}
