using System.Linq.Expressions;
using Hangfire;
using Mediator;
using Supervision.Host.Escalation;
using Supervision.Host.Platform;
using Supervision.Host.Reports;
using Supervision.Host.Storage;

namespace Supervision.Host.Scheduling;

/// <summary>
/// The recurring jobs, run by Hangfire (see <c>Jobs/</c>) in the office's time zone, each enqueued once per occurrence
/// however many Hosts share the database (Hangfire's per-job lock). Missed while every Host was down: run once at start
/// (<see cref="MisfireHandlingMode.Relaxed"/>), never once per missed occurrence. Every run is safe to repeat (a job
/// is delivered at least once):
/// <list type="bullet">
/// <item><c>overdue-run</c>, cron <c>Supervision:OverdueRun:Cron</c> (default 02:00): 催办/督办 notices, keyed by item,
/// assignment, day and recipient, committed in chunks; a run cut off by a crash is delivered again and writes only
/// what the first had not.</item>
/// <item><c>monthly-circulation</c>, cron <c>Supervision:MonthlyCirculation:Cron</c> (default 08:00 on the 1st): the
/// 通报, keyed by office, month and recipient.</item>
/// <item><c>light-daily</c>, cron <c>Supervision:LightDaily:Cron</c> (default every 10 minutes), and once each time a
/// Host starts, so a Host down over midnight records the new day at once: the day's light counts, the day overwritten
/// by each run.</item>
/// <item><c>history-digest</c>, cron <c>Supervision:HistoryDigest:Cron</c> (default 03:30): seals the history chains,
/// so a whole deleted item is caught by <c>history verify</c>.</item>
/// </list>
/// Cron expressions are Hangfire's (Cronos): five fields, or six with seconds first; Quartz's <c>?</c> is read as
/// <c>*</c>, a seventh (year) field is not accepted. Light changes are not jobs: they come from the stored next change
/// instants (see <see cref="TransitionLoop"/>).
/// </summary>
public static class Scheduler
{
    public const string OverdueCronKey = "Supervision:OverdueRun:Cron";

    public const string CirculationCronKey = "Supervision:MonthlyCirculation:Cron";

    public const string LightDailyCronKey = "Supervision:LightDaily:Cron";

    public const string HistoryDigestCronKey = "Supervision:HistoryDigest:Cron";

    /// <summary>Each recurring job: its id, the setting naming its cron, the default, and what it runs.</summary>
    public static IReadOnlyList<(string Id, string Key, string Default, Expression<Func<RecurringRuns, Task>> Run)> Recurring { get; } =
    [
        ("overdue-run", OverdueCronKey, "0 2 * * *", runs => runs.OverdueAsync(CancellationToken.None)),
        ("monthly-circulation", CirculationCronKey, "0 8 1 * *", runs => runs.CirculationAsync(CancellationToken.None)),
        ("light-daily", LightDailyCronKey, "*/10 * * * *", runs => runs.LightCountsAsync(CancellationToken.None)),
        ("history-digest", HistoryDigestCronKey, "30 3 * * *", runs => runs.HistoryDigestAsync(CancellationToken.None)),
    ];

    public static WebApplicationBuilder AddSupervisionScheduler(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddTransient<RecurringRuns>();
        builder.Services.AddHostedService<RecurringSchedule>();
        return builder;
    }
}

/// <summary>Stores the recurring jobs with their crons at start (after the migrations) and runs the light counts once.</summary>
internal sealed class RecurringSchedule(IRecurringJobManager recurring, IConfiguration configuration, OfficeTimeZone zone, ILogger<RecurringSchedule> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new RecurringJobOptions { TimeZone = zone.Zone, MisfireHandling = MisfireHandlingMode.Relaxed };
        foreach (var (id, key, fallback, run) in Scheduler.Recurring)
        {
            var cron = configuration[key] is { Length: > 0 } configured ? configured : fallback;
            try
            {
                recurring.AddOrUpdate(id, run, cron, options);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"{key}: '{cron}' is not a cron expression (five fields, or six with seconds first, in the office's zone): {e.Message}", e);
            }

            logger.LogInformation("Recurring job {Job}: {Cron} ({Zone})", id, cron, zone.Id);
        }

        // The light counts of today, at once: a Host that was down over midnight has the new day without waiting.
        recurring.Trigger("light-daily");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The recurring jobs' bodies: each sends its command through the pipeline.</summary>
public sealed class RecurringRuns(ISender sender, HistoryAudit audit, Migrator migrator, ILogger<RecurringRuns> logger)
{
    [JobDisplayName("逾期催办督办 overdue-run")]
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task OverdueAsync(CancellationToken cancellationToken)
    {
        var (day, written) = await sender.Send(new RunOverdueNotices(), cancellationToken);
        logger.LogInformation("Nightly overdue run for {Day}: {Written} notices", day, written);
    }

    [JobDisplayName("每月通报 monthly-circulation")]
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task CirculationAsync(CancellationToken cancellationToken) =>
        await sender.Send(new IssueMonthlyCirculations(), cancellationToken);

    [JobDisplayName("当日亮灯统计 light-daily")]
    [AutomaticRetry(Attempts = 3)]
    public async Task LightCountsAsync(CancellationToken cancellationToken) =>
        await sender.Send(new RecordDailyLights(), cancellationToken);

    [JobDisplayName("办理历史封存 history-digest")]
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task HistoryDigestAsync(CancellationToken cancellationToken)
    {
        if (!(await migrator.GetStatusAsync(cancellationToken)).IsCurrent)
        {
            logger.LogWarning("History digest skipped: the schema is not current (run: migrate)");
            return;
        }

        var (items, entries, digest) = await audit.TakeDigestAsync(cancellationToken);
        logger.LogInformation("History digest {Digest} over {Items} items, {Entries} entries", digest[..16], items, entries);
    }
}
