using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Supervision.Bench.Load;

/// <summary>What the HTTP figures share: clients on their own connections, and runs of timed requests spread over
/// them, each run printed with its percentiles and throughput, then the medians and spreads of the runs.</summary>
internal static class Measure
{
    /// <summary>One client per concurrent caller, each on its own connection, with the bearer token.</summary>
    public static List<HttpClient> Clients(Uri server, string token, int concurrency) =>
        Enumerable.Range(0, concurrency).Select(_ =>
        {
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = server };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }).ToList();

    /// <summary>
    /// <paramref name="runs"/> runs of <paramref name="requests"/> calls of <paramref name="once"/> (client, run,
    /// number within the run; returns the call's latency in milliseconds), the clients taking the next number as soon
    /// as they are free. Prints a line per run and, for several runs, the medians with the lowest and highest run.
    /// </summary>
    public static async Task RunsAsync(string label, IReadOnlyList<HttpClient> clients, int requests, int runs, Func<HttpClient, int, int, Task<double>> once)
    {
        var results = new List<(double P50, double P95, double P99, double PerSecond)>();
        for (var run = 0; run < Math.Max(1, runs); run++)
        {
            var latencies = new double[requests];
            var next = -1;
            var current = run;
            var total = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select(async client =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < requests)
                {
                    latencies[n] = await once(client, current, n);
                }
            }));
            total.Stop();
            Array.Sort(latencies);
            double P(double q) => latencies[Math.Max(0, (int)Math.Ceiling(q * latencies.Length) - 1)];
            results.Add((P(0.50), P(0.95), P(0.99), requests / total.Elapsed.TotalSeconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: {requests} requests, {clients.Count} clients: p50 {P(0.50):0.0} ms, p95 {P(0.95):0.0} ms, p99 {P(0.99):0.0} ms, max {latencies[^1]:0.0} ms, {requests / total.Elapsed.TotalSeconds:0} req/s"));
        }

        if (results.Count > 1)
        {
            static double Median(IEnumerable<double> values)
            {
                var sorted = values.Order().ToArray();
                return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}, {clients.Count} clients, median of {results.Count} runs: p50 {Median(results.Select(r => r.P50)):0.0} ms, " +
                $"p95 {Median(results.Select(r => r.P95)):0.0} ms (runs {results.Min(r => r.P95):0.0}–{results.Max(r => r.P95):0.0}), " +
                $"p99 {Median(results.Select(r => r.P99)):0.0} ms (runs {results.Min(r => r.P99):0.0}–{results.Max(r => r.P99):0.0}), " +
                $"{Median(results.Select(r => r.PerSecond)):0} req/s (runs {results.Min(r => r.PerSecond):0}–{results.Max(r => r.PerSecond):0})"));
        }
    }

    /// <summary>Times one request and its whole answer; a failure stops the measurement naming what failed.</summary>
    public static async Task<double> TimedAsync(string what, Func<Task<HttpResponseMessage>> send)
    {
        var watch = Stopwatch.StartNew();
        using var response = await send();
        await response.Content.LoadIntoBufferAsync();
        watch.Stop();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return watch.Elapsed.TotalMilliseconds;
    }
}
