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
        var due = await PerItemBurst.DueAsync(source, burst);
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
            Console.WriteLine($"{name}: scheduling outlasted the instant; the figure below counts from the end of scheduling");
        }

        var left = await PerItemBurst.TimeAsync(source, burst, due.Count, at, name);
        await host.StopAsync();
        return left == 0 ? 0 : 1;
    }
}

/// <summary>One item's light transition, as the per-item design schedules it on Hangfire.</summary>
public sealed class HangfireItemJob(LightTransitions transitions)
{
    public Task RunAsync(long item) => transitions.ProcessItemAsync(item, null, CancellationToken.None);
}
