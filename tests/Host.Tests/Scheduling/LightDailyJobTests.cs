using Supervision.Engine.Items;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Supervision.Host.Tests.Workflows;

namespace Supervision.Host.Tests.Scheduling;

/// <summary>The light counts job on a real server process: it records the day as the server starts and stays on its cron.</summary>
public abstract class LightDailyJobTests(DatabaseProvider provider)
{
    [Fact]
    public async Task A_server_starting_on_open_work_records_the_day_at_once_and_keeps_the_job_every_ten_minutes()
    {
        var zone = OfficeTimeZone.Resolve(null);
        await using var bed = await WorkflowTestBed.CreateAsync(provider, DateTimeOffset.UtcNow);
        var before = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(bed.Clock.GetUtcNow(), zone.Zone).DateTime);
        foreach (var title in new[] { "申请一", "申请二" })
        {
            await bed.Workflows.RegisterAsync(ItemKind.Request, null, await bed.As("zhang"), title, bed.Departments["市司法局"],
                new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = before.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ["applicant"] = "李某", ["content"] = "内容" }, default);
        }

        await using var host = new RunningHost(new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = bed.Database.Settings.ConnectionString,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });
        Assert.NotNull(await host.ListeningAsync());
        List<string> rows = [];
        // Waiting for the start-up run; how long it takes is not asserted.
        for (var i = 0; i < 1200 && rows.Count == 0; i++)
        {
            await Task.Delay(100);
            rows = await bed.LightDailyRowsAsync();
        }

        var after = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone.Zone).DateTime);
        Assert.Contains(Assert.Single(rows), new[] { before, after }.Select(day => $"{day:yyyy-MM-dd} 市司法局 request: 2 0 0 0 0"));
        // Stored with its cron in the office's zone, relaxed about misfires (one run for everything missed: Hangfire
        // stores the mode only when it is not the relaxed default).
        var storage = JobStore.Open(bed.Database.Settings);
        var job = JobStore.Recurring(storage, "light-daily")!;
        Assert.Equal("*/10 * * * *", job.Cron);
        Assert.Equal("Asia/Shanghai", job.TimeZoneId);
        using var connection = storage.GetConnection();
        Assert.DoesNotContain("Misfire", connection.GetAllEntriesFromHash("recurring-job:light-daily")!.Keys);
    }
}

public sealed class SqliteLightDailyJobTests() : LightDailyJobTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresLightDailyJobTests() : LightDailyJobTests(DatabaseProvider.PostgreSql);
