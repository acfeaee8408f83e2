namespace Supervision.Host.Storage;

/// <summary>
/// Seals the history chains periodically (<c>Supervision:HistoryDigestInterval</c>, default one day; the first digest
/// an hour after start), so that a whole deleted item is caught by <c>history verify</c>. Failures are logged and
/// retried at the next tick; a missed digest loses nothing, the chains themselves still protect every entry.
/// </summary>
internal sealed class HistoryDigestService(HistoryAudit audit, Migrator migrator, IConfiguration configuration, TimeProvider clock, ILogger<HistoryDigestService> logger) : BackgroundService
{
    /// <summary>How often the chains are sealed (default one day).</summary>
    public const string HistoryDigestIntervalKey = "Supervision:HistoryDigestInterval";

    /// <summary>How long after start the first digest is taken (default one hour).</summary>
    public const string HistoryDigestFirstKey = "Supervision:HistoryDigestFirst";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue(HistoryDigestIntervalKey, TimeSpan.FromDays(1));
        var first = configuration.GetValue(HistoryDigestFirstKey, TimeSpan.FromHours(1));
        try
        {
            await Task.Delay(first, clock, stoppingToken);
            using var timer = new PeriodicTimer(interval, clock);
            do
            {
                try
                {
                    if ((await migrator.GetStatusAsync(stoppingToken)).IsCurrent)
                    {
                        var (items, entries, digest) = await audit.TakeDigestAsync(stoppingToken);
                        logger.LogInformation("History digest {Digest} over {Items} items, {Entries} entries", digest[..16], items, entries);
                    }
                }
                catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
                {
                    logger.LogError(e, "History digest failed; retrying at the next tick");
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
