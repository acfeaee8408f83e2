using Supervision.Host.Storage;

namespace Supervision.Host.Notices;

/// <summary>Runs <see cref="NoticeDispatcher"/> every <c>Supervision:Notices:DispatchInterval</c> (default 5 s).</summary>
internal sealed class DispatchLoop(NoticeDispatcher dispatcher, Migrator migrator, IConfiguration configuration, TimeProvider clock, ILogger<DispatchLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Supervision:Notices:DispatchInterval", TimeSpan.FromSeconds(5));
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            do
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
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
