using System.Globalization;
using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>
/// What a request could have written, read back whole: every row of the tables the API writes (items, their history,
/// assignments, clocks, departments and their names, users, calendars, circulations, imports) and how many notices
/// there are, plus the access log's allowed and refused attempts. Tables written by background work (board counts,
/// daily light counts, history digests, Quartz) are left out.
/// </summary>
public sealed record Fingerprint(IReadOnlyDictionary<string, string> Tables, long Allowed, long Refused)
{
    private static readonly string[] Dumped =
        ["items", "item_history", "assignments", "clock_events", "departments", "department_names", "department_groups", "users", "calendar_years", "calendar_changes", "circulations", "imports"];

    private static readonly string[] Counted = ["notices", "workflow_definitions", "api_tokens"];

    /// <summary>How many rows each of the tables holds, as one line ("items=3 item_history=7 ...").</summary>
    public static async Task<string> CountsAsync(DatabaseSettings settings, IEnumerable<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        await using var database = new Database(settings);
        await using var connection = await database.OpenAsync(default);
        var counts = new List<string>();
        foreach (var table in tables)
        {
            counts.Add($"{table}={await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}")}");
        }

        return string.Join(' ', counts);
    }

    public static async Task<Fingerprint> TakeAsync(DatabaseSettings settings)
    {
        await using var database = new Database(settings);
        await using var connection = await database.OpenAsync(default);
        var tables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in Dumped)
        {
            var rows = await connection.QueryAsync($"SELECT * FROM {table} ORDER BY 1");
            tables[table] = string.Join("\n", rows.Select(row => string.Join("|", ((IDictionary<string, object?>)row).Select(c => $"{c.Key}={Text(c.Value)}"))));
        }

        foreach (var table in Counted)
        {
            tables[table] = (await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}")).ToString(CultureInfo.InvariantCulture);
        }

        var allowed = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM access_log WHERE allowed");
        var refused = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM access_log WHERE NOT allowed");
        return new Fingerprint(tables, allowed, refused);
    }

    /// <summary>How many rows differ from an earlier fingerprint, summed over the tables (0 when nothing was written).</summary>
    public int RowsChangedSince(Fingerprint earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return Tables.Sum(t =>
        {
            var now = t.Value.Split('\n');
            var then = earlier.Tables.GetValueOrDefault(t.Key, string.Empty).Split('\n');
            return now.Except(then, StringComparer.Ordinal).Count() + then.Except(now, StringComparer.Ordinal).Count();
        });
    }

    private static string Text(object? value) => value switch
    {
        null => "∅",
        byte[] bytes => Convert.ToHexString(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
