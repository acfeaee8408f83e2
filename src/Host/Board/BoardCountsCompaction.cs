using Supervision.Host.Items;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Board;

/// <summary>
/// Folds the board's pending count changes into its counts every <c>Supervision:Board:CompactEvery</c> (default 2 s)
/// on every instance (one at a time across instances; the others skip), so a board read adds only a few seconds' worth
/// of changes, even after a midnight burst. Correctness never depends on it: reads add whatever is pending.
/// </summary>
internal sealed class BoardCountsCompaction(BoardCounts counts, Migrator migrator, IConfiguration configuration, TimeProvider clock, ILogger<BoardCountsCompaction> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = configuration.GetValue(SupervisionConfiguration.BoardCompactEveryKey, TimeSpan.FromSeconds(2));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if ((await migrator.GetStatusAsync(stoppingToken)).IsCurrent)
                {
                    await counts.CompactAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
            {
                logger.LogError(e, "Folding the board's count changes failed; retrying after {Wait}", every);
            }

            try
            {
                await Task.Delay(every, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
