using Supervision.Host.Calendars;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Escalation;

/// <summary>
/// Runs <see cref="LightTransitions"/> at the earliest stored next change instant, so a light changes within moments
/// of its instant rather than at a polling tick; re-arms itself after each run, wakes early when an action here or on
/// another instance (<see cref="Wakeups"/>) sets a sooner instant, and sweeps at least every
/// <c>Supervision:Transitions:SafetySweep</c> (default 30 s) to catch anything missed (a lost wake, a clock jump).
/// Each tick also picks up calendar changes made elsewhere. A clock set forward is caught up at the next tick (every
/// change instant passed is applied once, at the time read); a clock set back is logged and changes nothing already
/// recorded (see <see cref="Engine.Items.SupervisedItem.NotBefore"/>).
/// </summary>
internal sealed class TransitionLoop(LightTransitions transitions, CalendarService calendars, Migrator migrator, Wakeups wakeups, IConfiguration configuration, TimeProvider clock, ILogger<TransitionLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweep = configuration.GetValue(SupervisionConfiguration.TransitionSweepKey, TimeSpan.FromSeconds(30));
        DateTimeOffset? lastTick = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var tick = clock.GetUtcNow();
            if (lastTick is { } last && tick < last - TimeSpan.FromSeconds(1))
            {
                logger.LogWarning("The clock went back by {Back} (from {Before} to {Now}); items changed since keep their recorded times and lights", last - tick, last, tick);
            }

            lastTick = lastTick is { } previous && previous > tick ? previous : tick;
            var wait = sweep;
            var armedFor = DateTimeOffset.MaxValue;
            try
            {
                if ((await migrator.GetStatusAsync(stoppingToken)).IsCurrent)
                {
                    await calendars.RefreshAsync(stoppingToken);
                    await transitions.ProcessDueAsync(null, stoppingToken);
                    if (await transitions.NextDueAsync(stoppingToken) is { } next)
                    {
                        var until = next - clock.GetUtcNow();
                        wait = until < TimeSpan.FromMilliseconds(20) ? TimeSpan.FromMilliseconds(20) : until < sweep ? until : sweep;
                        armedFor = next;
                    }
                }
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
            {
                logger.LogError(e, "Light transitions failed; retrying after {Wait}", wait);
            }

            try
            {
                await wakeups.WaitForTransitionsAsync(armedFor, wait, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
