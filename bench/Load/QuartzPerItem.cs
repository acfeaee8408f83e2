using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;
using Supervision.Host.Calendars;
using Supervision.Host.Escalation;
using Supervision.Host.Setup;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Bench.Load;

/// <summary>
/// The design Supervision does not use, measured for comparison: one Quartz trigger per item (as Hangfire's and Elsa's
/// timers work), all firing at the same instant, on Quartz's clustered PostgreSQL job store; each job recomputes its
/// one item in a transaction of its own with the product's code (<see cref="LightTransitions.ProcessItemAsync"/>).
/// Run against a database generated with a burst: schedules a trigger for each due burst item a few seconds ahead,
/// then times from that instant until none is due.
/// </summary>
internal static class QuartzPerItem
{
    public static async Task<int> RunAsync(string connectionString, int burst)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration[DatabaseSettings.ConfigurationKey] = connectionString;
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSupervisionCore(builder.Configuration);
        builder.Services.AddQuartz(q =>
        {
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseClustering(_ => { });
                store.UseSystemTextJsonSerializer(_ => { });
                store.ProvisionSchema();
            });
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = false);
        using var host = builder.Build();
        await host.Services.GetRequiredService<DefinitionCatalog>().LoadAsync(CancellationToken.None);
        await host.Services.GetRequiredService<CalendarService>().LoadAsync(CancellationToken.None);
        await host.StartAsync();

        await using var source = NpgsqlDataSource.Create(connectionString);
        var due = await PerItemBurst.DueAsync(source, burst);
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var at = DateTimeOffset.UtcNow.AddSeconds(5 + (due.Count / 500));
        var scheduling = Stopwatch.StartNew();
        var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>();
        foreach (var id in due)
        {
            var job = JobBuilder.Create<ItemTransitionJob>().WithIdentity($"item-{id}", "per-item").UsingJobData("item", id).Build();
            jobs[job] = [TriggerBuilder.Create().WithIdentity($"item-{id}", "per-item").StartAt(at).Build()];
        }

        await scheduler.ScheduleJobs(jobs, new ScheduleJobOptions { Replace = true });
        scheduling.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"per-item Quartz: {due.Count:N0} triggers scheduled in {scheduling.Elapsed.TotalSeconds:0.00} s ({due.Count / Math.Max(scheduling.Elapsed.TotalSeconds, 0.001):0}/s), all at {at:HH:mm:ss}"));
        var left = await PerItemBurst.TimeAsync(source, burst, due.Count, at, "per-item Quartz");
        await host.StopAsync();
        return left == 0 ? 0 : 1;
    }
}

/// <summary>One item's light transition, as the per-item design schedules it.</summary>
internal sealed class ItemTransitionJob(LightTransitions transitions) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await transitions.ProcessItemAsync(context.MergedJobDataMap.GetLong("item"), null, cancellationToken);
}
