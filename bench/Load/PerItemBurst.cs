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
        async Task<int> AnyLeftAsync()
        {
            await using var command = source.CreateCommand("SELECT count(*) FROM (SELECT 1 FROM items WHERE next_change_at <= now() AND id <= $1 ORDER BY next_change_at LIMIT 1) left_over");
            command.Parameters.AddWithValue((long)burst);
            return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        while (DateTimeOffset.UtcNow < at)
        {
            await Task.Delay(20);
        }

        var drain = Stopwatch.StartNew();
        var left = count;
        while (left > 0 && drain.Elapsed < TimeSpan.FromMinutes(20))
        {
            await Task.Delay(50);
            left = await AnyLeftAsync();
        }

        left = (await DueAsync(source, burst)).Count;
        drain.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {count - left:N0} of {count:N0} items recomputed in {drain.Elapsed.TotalSeconds:0.00} s from their instant ({(count - left) / Math.Max(drain.Elapsed.TotalSeconds, 0.001):0} items/s); {left:N0} still due"));
        await PrintLagAsync(source, burst, at, name);
        return left;
    }

    /// <summary>Prints how long after <paramref name="at"/> each burst item's light change was recorded (its history
    /// entry's time): the median, 90th and 99th percentiles and the last.</summary>
    public static async Task PrintLagAsync(NpgsqlDataSource source, int burst, DateTimeOffset at, string name)
    {
        // Changes of this burst only (the generated history holds older ones); one recorded early would show negative.
        await using var command = source.CreateCommand("SELECT at FROM item_history WHERE item_id <= $1 AND action = 'light-changed' AND at >= $2 - interval '1 minute' ORDER BY at");
        command.Parameters.AddWithValue((long)burst);
        command.Parameters.AddWithValue(at.UtcDateTime);
        var lags = new List<double>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lags.Add((new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)) - at).TotalMilliseconds);
            }
        }

        if (lags.Count == 0)
        {
            Console.WriteLine($"{name}: no light change recorded");
            return;
        }

        double Percentile(double p) => lags[Math.Min(lags.Count - 1, (int)Math.Ceiling(p * lags.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: lag from the instant per item ({lags.Count:N0} changes): p50 {Percentile(0.50) / 1000:0.00} s, p90 {Percentile(0.90) / 1000:0.00} s, p99 {Percentile(0.99) / 1000:0.00} s, last {lags[^1] / 1000:0.00} s"));
    }
}
