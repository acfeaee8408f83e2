using Microsoft.Extensions.Logging.Abstractions;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Workflows;

/// <summary>The transition loop and the dispatcher are woken early, on their own instance and across instances.</summary>
public sealed class WakeupTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    // Not a time limit on the product: how long to wait for a wake that must come before concluding it never will.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_sooner_instant_wakes_the_transition_loop_and_a_later_one_does_not()
    {
        using var wakeups = new Wakeups();
        var sleeping = wakeups.WaitForTransitionsAsync(Noon, Patience, default);
        wakeups.ChangeInstantSet(Noon.AddMinutes(5));
        wakeups.ChangeInstantSet(null);
        Assert.False(sleeping.IsCompleted);

        wakeups.ChangeInstantSet(Noon.AddMinutes(-5));

        Assert.True(await sleeping);
    }

    [Fact]
    public async Task An_instant_set_while_the_loop_is_working_wakes_it_as_soon_as_it_sleeps()
    {
        using var wakeups = new Wakeups();
        wakeups.ChangeInstantSet(Noon.AddHours(1));

        Assert.True(await wakeups.WaitForTransitionsAsync(Noon.AddHours(2), Patience, default));
        wakeups.ChangeInstantSet(Noon.AddHours(3));

        // Nothing sleeps now, so even a later instant is remembered: the loop looks again before it sleeps.
        Assert.True(await wakeups.WaitForTransitionsAsync(Noon.AddHours(2), Patience, default));
    }

    [Fact]
    public async Task Queued_notices_wake_the_dispatcher_and_many_wakes_are_one()
    {
        using var wakeups = new Wakeups();
        for (var i = 0; i < 100; i++)
        {
            wakeups.NoticesQueued();
        }

        Assert.True(await wakeups.WaitForNoticesAsync(Patience, default));
        Assert.False(await wakeups.WaitForNoticesAsync(TimeSpan.Zero, default));
    }

    [Fact]
    public async Task A_broadcast_from_this_instance_is_ignored_and_one_from_another_is_acted_on()
    {
        using var wakeups = new Wakeups();
        var sleeping = wakeups.WaitForTransitionsAsync(Noon, Patience, default);

        wakeups.Receive($"{wakeups.InstanceId}:t:{Noon.AddMinutes(-1).ToUnixTimeMilliseconds()}");
        Assert.False(sleeping.IsCompleted);
        wakeups.Receive("garbage");
        wakeups.Receive("other:t:not-a-number");
        Assert.False(sleeping.IsCompleted);

        wakeups.Receive($"other:t:{Noon.AddMinutes(-1).ToUnixTimeMilliseconds()}");
        Assert.True(await sleeping);
    }

    [Fact]
    [Trait("Provider", "PostgreSql")]
    public async Task On_postgresql_an_action_on_one_instance_wakes_the_loops_of_another()
    {
        await using var testDatabase = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        await using var database = new Database(testDatabase.Settings);
        using var here = new Wakeups();
        using var there = new Wakeups();
        using var stop = new CancellationTokenSource();
        using var hereListener = new WakeListener(database, here, NullLogger<WakeListener>.Instance);
        using var thereListener = new WakeListener(database, there, NullLogger<WakeListener>.Instance);
        await hereListener.StartAsync(stop.Token);
        await thereListener.StartAsync(stop.Token);
        try
        {
            // Each listener wakes its loops once when it connects (broadcasts may have been missed before).
            Assert.True(await there.WaitForTransitionsAsync(Noon, Patience, default));
            Assert.True(await there.WaitForNoticesAsync(Patience, default));

            var transitions = there.WaitForTransitionsAsync(Noon, Patience, default);
            var notices = there.WaitForNoticesAsync(Patience, default);
            here.ChangeInstantSet(Noon.AddSeconds(-30));
            here.NoticesQueued();

            Assert.True(await transitions);
            Assert.True(await notices);
        }
        finally
        {
            await stop.CancelAsync();
            await hereListener.StopAsync(default);
            await thereListener.StopAsync(default);
        }
    }
}
