using System.Diagnostics;
using System.Globalization;
using Dapper;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Storage;

// Storage throughput: registering items, appending history alone and under contention, and reading the due index.
// Usage: dotnet run -c Release --project bench/Storage -- "<connection string>" [items]
// bench/run.sh runs it on a fresh SQLite file and a throwaway PostgreSQL database.
var connectionString = args.Length > 0 ? args[0] : "Data Source=artifacts/bench/storage.db";
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
var settings = DatabaseSettings.Parse(connectionString);
var clock = TimeProvider.System;
await using var database = new Database(settings);
await new Migrator(database, clock).MigrateAsync(default);

var departments = new DepartmentStore(database, clock);
var items = new ItemStore(database, clock);
var department = await departments.AddAsync(new Department { Name = $"基准测试局-{Guid.NewGuid():N}" }, default);
var now = clock.GetUtcNow();
Console.WriteLine($"provider: {settings.Provider}, items: {count}, machine: {Environment.ProcessorCount} cores");

// 1. Registering items, each with its first history entry, one transaction each, 4 writers.
var ids = new long[count];
var watch = Stopwatch.StartNew();
await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
{
    var item = await items.AddAsync(
        new SupervisedItem
        {
            Kind = i % 3 == 0 ? ItemKind.Task : ItemKind.Request,
            Title = $"基准事项 {i}",
            DepartmentId = department.Id,
            DefinitionId = "disclosure-request",
            DefinitionVersion = 1,
            Step = "handle",
            ReceivedOn = new DateOnly(2026, 1, 5).AddDays(i % 300),
            DueOn = new DateOnly(2026, 2, 5).AddDays(i % 300),
            NextChangeAt = now.AddMinutes(i % 10_000 - 5_000),
        },
        new HistoryEntry { At = now, Actor = "bench", Action = "registered" },
        ct);
    ids[i] = item.Id;
});
Report("register item + history (4 writers)", count, watch.Elapsed);

// 2. Appending history to distinct items, one transaction each, 4 writers.
watch.Restart();
await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
    await items.AppendHistoryAsync(ids[i], new HistoryEntry { At = now, Actor = "bench", Action = "report" }, ct));
Report("append history, distinct items (4 writers)", count, watch.Elapsed);

// 3. Appending history to one item from 8 writers: the contended case two people acting at once produce.
var hot = Math.Min(count, 2_000);
watch.Restart();
await Parallel.ForAsync(0, hot, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
    await items.AppendHistoryAsync(ids[0], new HistoryEntry { At = now, Actor = "bench", Action = "report" }, ct));
Report("append history, one item (8 writers)", hot, watch.Elapsed);

// 4. The due index: how many open items have a light change due now, the transition job's first question.
await using (var connection = await database.OpenAsync(default))
{
    const int reads = 200;
    long due = 0;
    watch.Restart();
    for (var i = 0; i < reads; i++)
    {
        due = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM (SELECT id FROM items WHERE next_change_at <= @now ORDER BY next_change_at LIMIT 500) due",
            new { now });
    }

    Report($"due-index batch read (500 of {due}+ due)", reads, watch.Elapsed);
}

static void Report(string what, int operations, TimeSpan elapsed) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {what} | {operations} | {elapsed.TotalSeconds:F2} s | {operations / elapsed.TotalSeconds:F0} /s | {elapsed.TotalMilliseconds * 1000 / operations:F0} µs |"));
