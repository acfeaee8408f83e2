using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Supervision.Bench.Load;

// Supervision.Bench.Load generate CONNECTION [departments] [items] [seed] [burst]   (burst: that many requests due at one past instant)
// Supervision.Bench.Load burst-wait CONNECTION N   (after generate with a burst: waits until the N burst items are processed by a running Host)
// Supervision.Bench.Load http URL TOKEN PATH [requests] [concurrency] [departments] [runs]   (PATH may hold {0}: department ids 2..departments in turn)
switch (args.FirstOrDefault())
{
    case "generate" when args.Length >= 2:
        return await Generator.RunAsync(args[1], Number(args, 2, 1_000), Number(args, 3, 1_000_000), Number(args, 4, 20261122), Number(args, 5, 0));
    case "http" when args.Length >= 4:
        return await HttpLoad.RunAsync(new Uri(args[1]), args[2], args[3], Number(args, 4, 2_000), Number(args, 5, 4), Number(args, 6, 1_000), Number(args, 7, 1));
    case "burst-wait" when args.Length >= 3:
        return await BurstWait.RunAsync(args[1], Number(args, 2, 100_000));
    default:
        Console.Error.WriteLine("usage: generate CONNECTION [departments=1000] [items=1000000] [seed] [burst=0] | http URL TOKEN PATH [requests=2000] [concurrency=4] [departments=1000] [runs=1]");
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
        var clients = Enumerable.Range(0, concurrency).Select(_ =>
        {
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = server };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }).ToList();
        var departments = Enumerable.Range(2, Math.Max(1, Math.Min(500, departmentCount - 1))).ToArray();
        async Task<double> OnceAsync(HttpClient client, int n)
        {
            var watch = Stopwatch.StartNew();
            using var response = await client.GetAsync(new Uri(string.Format(CultureInfo.InvariantCulture, path, departments[n % departments.Length]), UriKind.Relative));
            await response.Content.LoadIntoBufferAsync();
            watch.Stop();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            return watch.Elapsed.TotalMilliseconds;
        }

        // Warm-up: the first requests compile and fill caches.
        for (var i = 0; i < Math.Min(50, requests); i++)
        {
            await OnceAsync(clients[0], i);
        }

        var results = new List<(double P50, double P95, double P99, double Max, double PerSecond)>();
        for (var run = 0; run < Math.Max(1, runs); run++)
        {
            var latencies = new double[requests];
            var next = -1;
            var total = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select(async client =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < requests)
                {
                    latencies[n] = await OnceAsync(client, n);
                }
            }));
            total.Stop();
            Array.Sort(latencies);
            double P(double q) => latencies[Math.Max(0, (int)Math.Ceiling(q * latencies.Length) - 1)];
            results.Add((P(0.50), P(0.95), P(0.99), latencies[^1], requests / total.Elapsed.TotalSeconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {requests} requests, {concurrency} clients: p50 {P(0.50):0.0} ms, p95 {P(0.95):0.0} ms, p99 {P(0.99):0.0} ms, max {latencies[^1]:0.0} ms, {requests / total.Elapsed.TotalSeconds:0} req/s"));
        }

        if (results.Count > 1)
        {
            static double Median(IEnumerable<double> values)
            {
                var sorted = values.Order().ToArray();
                return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}, {concurrency} clients, median of {results.Count} runs: p50 {Median(results.Select(r => r.P50)):0.0} ms, p95 {Median(results.Select(r => r.P95)):0.0} ms " +
                $"(runs {results.Min(r => r.P95):0.0}–{results.Max(r => r.P95):0.0}), p99 {Median(results.Select(r => r.P99)):0.0} ms, {Median(results.Select(r => r.PerSecond)):0} req/s"));
        }

        foreach (var client in clients)
        {
            client.Dispose();
        }

        return 0;
    }
}

/// <summary>
/// Watches a database generated with a burst (items 1..N due at one past instant) while a Host processes it: prints
/// the time from the first recorded change until none of the N is still due, the rate, and the notices written.
/// </summary>
internal static class BurstWait
{
    public static async Task<int> RunAsync(string connectionString, int burst)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(connectionString);
        async Task<long> ScalarAsync(string sql)
        {
            await using var command = source.CreateCommand(sql);
            command.Parameters.AddWithValue((long)burst);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        // Cheap enough to ask often without slowing the Host down: the due index, shrinking as the burst is worked off.
        const string Due = "SELECT count(*) FROM items WHERE next_change_at <= now() AND id <= $1";
        var due = await ScalarAsync(Due);
        var notices = await ScalarAsync("SELECT count(*) + 0 * $1 FROM notices");
        Console.WriteLine($"burst: {due:N0} of {burst:N0} items due, {notices:N0} notices; waiting for a Host to start on them");
        var initial = due;
        var watch = new Stopwatch();
        var patience = Stopwatch.StartNew();
        while (due > 0 && patience.Elapsed < TimeSpan.FromMinutes(30))
        {
            await Task.Delay(100);
            due = await ScalarAsync(Due);
            if (!watch.IsRunning && due < initial)
            {
                watch.Start();
            }
        }

        watch.Stop();
        var changes = await ScalarAsync("SELECT count(*) FROM item_history WHERE item_id <= $1 AND action = 'light-changed'");
        var written = await ScalarAsync("SELECT count(*) + 0 * $1 FROM notices") - notices;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"burst of {burst:N0}: {changes:N0} light changes recorded and {written:N0} notices written in {watch.Elapsed.TotalSeconds:0.00} s from the first committed batch " +
            $"(within 0.1 s; {(initial - due) / Math.Max(watch.Elapsed.TotalSeconds, 0.001):0} items/s); {due:N0} still due"));
        return due == 0 && changes == burst ? 0 : 1;
    }
}
