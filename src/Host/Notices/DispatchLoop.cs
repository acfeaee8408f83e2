using Supervision.Host.Storage;

namespace Supervision.Host.Notices;

/// <summary>
/// Runs <see cref="NoticeDispatcher"/> as soon as notices are queued here or on another instance (<see cref="Wakeups"/>),
/// and at least every <c>Supervision:Notices:DispatchInterval</c> (default 5 s) for retries that have come due.
/// </summary>
internal sealed class DispatchLoop(NoticeDispatcher dispatcher, Migrator migrator, Wakeups wakeups, IConfiguration configuration, ILogger<DispatchLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Supervision:Notices:DispatchInterval", TimeSpan.FromSeconds(5));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if ((await migrator.GetStatusAsync(stoppingToken)).IsCurrent)
                    {
                        await dispatcher.DeliverDueAsync(stoppingToken);
                    }
                }
                catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
                {
                    logger.LogError(e, "Notice dispatch failed; retrying at the next tick");
                }

                await wakeups.WaitForNoticesAsync(interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
