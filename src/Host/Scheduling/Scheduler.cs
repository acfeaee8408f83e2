using Mediator;
using Quartz;
using Supervision.Host.Escalation;
using Supervision.Host.Platform;
using Supervision.Host.Reports;
using Supervision.Host.Storage;

namespace Supervision.Host.Scheduling;

/// <summary>
/// Quartz owns the recurring jobs, stored in the product's own database (tables provisioned by Quartz itself; on
/// PostgreSQL clustered, so several Hosts share them and a crashed Host's work is picked up by another):
/// <list type="bullet">
/// <item>the monthly circulation (通报), cron <c>Supervision:MonthlyCirculation:Cron</c> (default 08:00 on the 1st),
/// same misfire policy, idempotent per office, month and recipient;</item>
/// <item>the nightly overdue run, cron <c>Supervision:OverdueRun:Cron</c> (default 02:00) in the office's zone.
/// Misfire policy: fire and proceed — a Host that was down at 02:00 runs it at start-up; the run is idempotent per
/// day, so a late or repeated run sends nothing twice. Both jobs ask Quartz for recovery: a run cut off by a crash
/// (its chunks committed so far kept) is fired again when the scheduler comes back or, clustered, by another Host,
/// and writes only what the cut-off run had not.</item>
/// <item>the light counts of the day for the trends chart (<see cref="LightDailySnapshots"/>), cron
/// <c>Supervision:LightDaily:Cron</c> (default every 10 minutes), same misfire policy: one run for everything missed.
/// It also runs once each time the scheduler starts (Quartz's <c>RunAtStartup</c>), so a Host that was down over
/// midnight records the new day at once. That start-up run is chosen over a hosted service because it is an ordinary
/// stored firing of the same job: <see cref="DisallowConcurrentExecutionAttribute"/> keeps it from overlapping a cron
/// firing on this Host or another, and Quartz starts only once the application has started, after the schema
/// migrations ran.</item>
/// </list>
/// Light changes are not Quartz triggers: they come from the stored next change instants (see <see cref="TransitionLoop"/>).
/// </summary>
public static class Scheduler
{
    public const string OverdueCronKey = "Supervision:OverdueRun:Cron";

    public const string CirculationCronKey = "Supervision:MonthlyCirculation:Cron";

    public const string LightDailyCronKey = "Supervision:LightDaily:Cron";

    public static WebApplicationBuilder AddSupervisionScheduler(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        DatabaseSettings database;
        OfficeTimeZone zone;
        try
        {
            database = DatabaseSettings.Parse(builder.Configuration[DatabaseSettings.ConfigurationKey]);
            zone = OfficeTimeZone.Resolve(builder.Configuration[SupervisionConfiguration.TimeZoneKey]);
        }
        catch (Exception e) when (e is DatabaseSettingsException or InvalidOperationException)
        {
            // The same settings stop start-up with a plain message a moment later (MigrateOnStart); no scheduler then.
            return builder;
        }

        var cron = builder.Configuration[OverdueCronKey] ?? "0 0 2 * * ?";
        var circulationCron = builder.Configuration[CirculationCronKey] ?? "0 0 8 1 * ?";
        var lightDailyCron = builder.Configuration[LightDailyCronKey] ?? "0 0/10 * * * ?";
        builder.AddQuartz(q =>
        {
            q.UsePersistentStore(store =>
            {
                if (database.Provider == DatabaseProvider.PostgreSql)
                {
                    store.UsePostgres(database.ConnectionString);
                    store.UseClustering(_ => { });
                }
                else
                {
                    store.UseSqlite(database.ConnectionString);
                }

                store.UseSystemTextJsonSerializer(_ => { });
                store.ProvisionSchema();
            });
            q.ScheduleJob<OverdueRunJob>(
                trigger => trigger
                    .WithIdentity("overdue-run")
                    .WithCronSchedule(cron, schedule => schedule.InTimeZone(zone.Zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)),
                job => job.WithIdentity("overdue-run").RequestRecovery());
            q.ScheduleJob<MonthlyCirculationJob>(
                trigger => trigger
                    .WithIdentity("monthly-circulation")
                    .WithCronSchedule(circulationCron, schedule => schedule.InTimeZone(zone.Zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)),
                job => job.WithIdentity("monthly-circulation").RequestRecovery());
            var lightDaily = new JobKey("light-daily");
            q.ScheduleJob<LightDailyJob>(
                trigger => trigger
                    .WithIdentity("light-daily")
                    .WithCronSchedule(lightDailyCron, schedule => schedule.InTimeZone(zone.Zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)),
                job => job.WithIdentity(lightDaily));
            q.RunAtStartup(lightDaily);
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }
}

/// <summary>The nightly overdue run as a Quartz job; one at a time across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class OverdueRunJob(ISender sender, ILogger<OverdueRunJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (_, written) = await sender.Send(new RunOverdueNotices(), cancellationToken);
        logger.LogInformation("Nightly overdue run ({Fire}): {Written} notices", context.FireTimeUtc, written);
    }
}

/// <summary>The monthly circulation as a Quartz job; one at a time across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class MonthlyCirculationJob(ISender sender) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await sender.Send(new IssueMonthlyCirculations(), cancellationToken);
}

/// <summary>Records the day's light counts as a Quartz job; one at a time across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class LightDailyJob(ISender sender) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await sender.Send(new RecordDailyLights(), cancellationToken);
}
