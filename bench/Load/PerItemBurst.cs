using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Supervision.Bench.Load;

/// <summary>What the per-item designs (<see cref="QuartzPerItem"/>, <see cref="HangfirePerItem"/>) share: the burst's
/// due items, and the time from their instant until none is due.</summary>
internal static class PerItemBurst
{
    /// <summary>The burst items due now (stored just before an instant that has passed: due until recomputed).</summary>
    public static async Task<List<long>> DueAsync(NpgsqlDataSource source, int burst)
    {
        await using var command = source.CreateCommand("SELECT id FROM items WHERE next_change_at <= now() AND id <= $1 ORDER BY id");
        command.Parameters.AddWithValue((long)burst);
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>Waits for <paramref name="at"/>, then times until none of the <paramref name="count"/> scheduled items
    /// is due; prints the figure under <paramref name="name"/> and answers how many are still due.</summary>
    public static async Task<int> TimeAsync(NpgsqlDataSource source, int burst, int count, DateTimeOffset at, string name)
    {
        var drained = await DrainAsync(source, burst, count, at, name);
        var left = (await DueAsync(source, burst)).Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {count - left:N0} of {count:N0} items recomputed in {drained.TotalSeconds:0.00} s from their instant ({(count - left) / Math.Max(drained.TotalSeconds, 0.001):0} items/s); {left:N0} still due"));
        return left;
    }

    /// <summary>
    /// Watches the burst drain from its instant: every 100 ms, how many of its items are still due (their change not
    /// yet committed), until none is; then prints when half, 90 %, 99 % and all of them had been committed, the lag
    /// distribution an observer of the database sees (within the 100 ms of sampling). The history's own times are no
    /// measure: the batches record a change at the instant it was due, not when it was committed. Counting is cheap
    /// at the comparison's 2,000; bursts over 20,000 are only timed to the last (a count every 100 ms would load them).
    /// </summary>
    public static async Task<TimeSpan> DrainAsync(NpgsqlDataSource source, int burst, int count, DateTimeOffset at, string name)
    {
        async Task<long> DueAsync(bool exact)
        {
            await using var command = source.CreateCommand(exact
                ? "SELECT count(*) FROM items WHERE next_change_at <= $2 AND id <= $1"
                : "SELECT count(*) FROM (SELECT 1 FROM items WHERE next_change_at <= $2 AND id <= $1 ORDER BY next_change_at LIMIT 1) left_over");
            command.Parameters.AddWithValue((long)burst);
            command.Parameters.AddWithValue(at.UtcDateTime);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        while (DateTimeOffset.UtcNow < at)
        {
            await Task.Delay(10);
        }

        var exact = count <= 20_000;
        var watch = Stopwatch.StartNew();
        var samples = new List<(TimeSpan At, long Due)>();
        long due = count;
        while (due > 0 && watch.Elapsed < TimeSpan.FromMinutes(30))
        {
            await Task.Delay(exact ? 100 : 50);
            due = await DueAsync(exact);
            samples.Add((watch.Elapsed, due));
        }

        watch.Stop();
        if (exact && due == 0)
        {
            string When(double share) => (samples.First(s => s.Due <= count * (1 - share)).At.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture);
            Console.WriteLine($"{name}: committed from the instant: half by {When(0.5)} s, 90 % by {When(0.9)} s, 99 % by {When(0.99)} s, all by {When(1)} s (sampled every 100 ms)");
        }

        return watch.Elapsed;
    }
}
