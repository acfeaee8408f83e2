using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Supervision.Host.Calendars;
using Supervision.Host.Escalation;
using Supervision.Host.Setup;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Bench.Load;

/// <summary>
/// The design of the project card, measured beside the due index: one Hangfire delayed job per item ("Hangfire timers
/// escalate light colours"), on Hangfire.PostgreSql in its own schema of the same database, all due at the same
/// instant; each job recomputes its one item in a transaction of its own with the product's code
/// (<see cref="LightTransitions.ProcessItemAsync"/>). Scheduled jobs are moved to the queue by Hangfire's scheduler,
/// which looks every <c>SchedulePollingInterval</c> (15 s by default; the run's third argument tunes it);
/// then the server's workers run them. Run against a database generated with a burst: schedules a job for each due
/// burst item a few seconds ahead, then times from that instant until none is due.
/// </summary>
internal static class HangfirePerItem
{
    public static async Task<int> RunAsync(string connectionString, int burst, double? pollingSeconds)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration[DatabaseSettings.ConfigurationKey] = connectionString;
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSupervisionCore(builder.Configuration);
        builder.Services.AddHangfire(configuration => configuration
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                bootstrap => bootstrap.UseNpgsqlConnection(connectionString),
                new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true }));
        var polling = pollingSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        builder.Services.AddHangfireServer(options =>
        {
            if (polling is { } interval)
            {
                options.SchedulePollingInterval = interval;
            }
        });
        builder.Services.AddTransient<HangfireItemJob>();
        using var host = builder.Build();
        await host.Services.GetRequiredService<DefinitionCatalog>().LoadAsync(CancellationToken.None);
        await host.Services.GetRequiredService<CalendarService>().LoadAsync(CancellationToken.None);
        await host.StartAsync();
        var name = polling is { } p ? string.Create(CultureInfo.InvariantCulture, $"per-item Hangfire (polling {p.TotalSeconds:0.#} s)") : "per-item Hangfire (default polling 15 s)";

        await using var source = NpgsqlDataSource.Create(connectionString);
        async Task<List<long>> DueAsync()
        {
            await using var command = source.CreateCommand("SELECT id FROM items WHERE next_change_at <= now() AND id <= $1 ORDER BY id");
            // (The burst items were stored just before an instant that has passed: due until recomputed.)
            command.Parameters.AddWithValue((long)burst);
            var ids = new List<long>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetInt64(0));
            }

            return ids;
        }

        async Task<int> AnyLeftAsync()
        {
            await using var command = source.CreateCommand("SELECT count(*) FROM (SELECT 1 FROM items WHERE next_change_at <= now() AND id <= $1 ORDER BY next_change_at LIMIT 1) left_over");
            command.Parameters.AddWithValue((long)burst);
            return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        var due = await DueAsync();
        var client = host.Services.GetRequiredService<IBackgroundJobClient>();
        var at = DateTimeOffset.UtcNow.AddSeconds(5 + (due.Count / 200));
        var scheduling = Stopwatch.StartNew();
        foreach (var id in due)
        {
            client.Schedule<HangfireItemJob>(job => job.RunAsync(id), at);
        }

        scheduling.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {due.Count:N0} delayed jobs scheduled in {scheduling.Elapsed.TotalSeconds:0.00} s ({due.Count / Math.Max(scheduling.Elapsed.TotalSeconds, 0.001):0}/s), all at {at:HH:mm:ss}"));
        if (DateTimeOffset.UtcNow > at)
        {
            Console.WriteLine($"{name}: scheduling outlasted the instant; the figure below counts from the instant all the same");
        }

        while (DateTimeOffset.UtcNow < at)
        {
            await Task.Delay(20);
        }

        var drain = Stopwatch.StartNew();
        var left = due.Count;
        while (left > 0 && drain.Elapsed < TimeSpan.FromMinutes(20))
        {
            await Task.Delay(50);
            left = await AnyLeftAsync();
        }

        left = (await DueAsync()).Count;
        drain.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {due.Count - left:N0} of {due.Count:N0} items recomputed in {drain.Elapsed.TotalSeconds:0.00} s from their instant ({(due.Count - left) / Math.Max(drain.Elapsed.TotalSeconds, 0.001):0} items/s); {left:N0} still due"));
        await host.StopAsync();
        return left == 0 ? 0 : 1;
    }
}

/// <summary>One item's light transition, as the per-item design schedules it on Hangfire.</summary>
public sealed class HangfireItemJob(LightTransitions transitions)
{
    public Task RunAsync(long item) => transitions.ProcessItemAsync(item, null, CancellationToken.None);
}
