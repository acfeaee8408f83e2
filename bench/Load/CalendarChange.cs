using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Supervision.Engine.Calendars;
using Supervision.Host.Calendars;
using Supervision.Host.Platform;
using Supervision.Host.Setup;
using Supervision.Host.Workflows;

namespace Supervision.Bench.Load;

/// <summary>
/// A calendar change at a province's scale, with the product's code: a day off added on <c>DAY</c> (default
/// 2026-12-31, inside the counting windows of most generated requests), first previewed as the administration's
/// notice page does (<see cref="IDeadlineRecomputation.PreviewAsync"/>: every open item in the window folded again,
/// nothing written), then applied (<see cref="IDeadlineRecomputation.RecomputeAsync"/>: the same items, each written
/// where its due day, light or next change moved, in batches). Prints items looked at, due days moved and the rate of
/// each. Run against a generated database; it changes the stored deadlines (not the stored calendar).
/// </summary>
internal static class CalendarChange
{
    public static async Task<int> RunAsync(string connectionString, DateOnly day)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration[Supervision.Host.Storage.DatabaseSettings.ConfigurationKey] = connectionString;
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSupervisionCore(builder.Configuration);
        using var host = builder.Build();
        await host.Services.GetRequiredService<DefinitionCatalog>().LoadAsync(CancellationToken.None);
        var before = await host.Services.GetRequiredService<CalendarService>().LoadAsync(CancellationToken.None);
        var year = before.YearInForce(day.Year) ?? throw new InvalidOperationException($"no calendar for {day.Year}");
        var after = before.WithYear(year with { Holidays = [.. year.Holidays, new HolidayPeriod("基准测试", "bench", day, day)] });
        var changed = after.DifferencesFrom(before);
        var recomputation = host.Services.GetRequiredService<IDeadlineRecomputation>();

        var preview = Stopwatch.StartNew();
        var seen = await recomputation.PreviewAsync(after, changed.Min(), changed.Max(), 20, new NoJobProgress(), CancellationToken.None);
        preview.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calendar preview: {seen.LookedAt:N0} open items in the window, {seen.DueDaysMove:N0} due days would move, {preview.Elapsed.TotalSeconds:0.0} s ({seen.LookedAt / Math.Max(preview.Elapsed.TotalSeconds, 0.001):N0} items/s)"));

        var apply = Stopwatch.StartNew();
        var done = await recomputation.RecomputeWithSummaryAsync(after, changed, CancellationToken.None);
        apply.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calendar apply: {done.Items:N0} items recomputed, {done.DueDaysMoved:N0} due days and {done.LightsChanged:N0} lights moved, {apply.Elapsed.TotalSeconds:0.0} s ({seen.LookedAt / Math.Max(apply.Elapsed.TotalSeconds, 0.001):N0} items looked at/s)"));
        return done.DueDaysMoved == seen.DueDaysMove ? 0 : 1;
    }
}
