using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Hangfire.Common;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Supervision.Host.Tests.Workflows;
using Xunit.Abstractions;

namespace Supervision.Host.Tests.Scheduling;

/// <summary>
/// Hangfire's jobs on real server processes: background work killed mid-way is finished once by the restarted server,
/// with nothing written twice; recurring runs missed while every server was down run once at start (on PostgreSQL,
/// with two servers starting together).
/// </summary>
public abstract class JobsOnRealHostsTests(DatabaseProvider provider, ITestOutputHelper output)
{
    // How long to wait for something that must happen before concluding it never will; not a limit on the product.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    private const int Items = 1_500;

    [Fact]
    public async Task A_calendar_recomputation_killed_mid_way_is_finished_once_by_the_restarted_server()
    {
        var zone = OfficeTimeZone.Resolve(null);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone.Zone).DateTime);
        await using var bed = await WorkflowTestBed.CreateAsync(provider, DateTimeOffset.UtcNow);
        var adminToken = await AdminAsync(bed.Database);
        var received = today.AddDays(-3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var zhang = await bed.As("zhang");
        for (var i = 0; i < Items; i++)
        {
            await bed.Workflows.RegisterAsync(ItemKind.Request, null, zhang, $"申请{i}", bed.Departments["市司法局"],
                new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = received, ["applicant"] = "李某", ["content"] = "内容" }, default);
        }

        // Small batches (one transaction each), so the kill falls between batches of a run that has begun.
        var environment = new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = bed.Database.Settings.ConnectionString,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Supervision__Calendar__RecomputeBatchSize"] = "10",
            ["Supervision__Jobs__InvisibilityTimeout"] = "00:00:05",
            ["Supervision__RateLimit__PermitsPerMinute"] = "100000",
        };
        string href;
        await using (var first = new RunningHost(environment))
        {
            using var admin = Client(await first.ListeningAsync() ?? throw new InvalidOperationException(first.Output), adminToken);
            // A day off within every item's twenty working days: each due day moves.
            var year = await AddHolidayAsync(admin, today);
            using var put = await admin.PutAsync(new Uri($"/api/calendars/{year.Year}", UriKind.Relative), JsonContent.Create(year.Body));
            Assert.Equal(HttpStatusCode.Accepted, put.StatusCode);
            href = put.Headers.Location!.OriginalString;

            // Killed as soon as the job reports that it has begun and is not near its end.
            var until = DateTime.UtcNow + Patience;
            long done = 0;
            while (DateTime.UtcNow < until)
            {
                using var job = JsonDocument.Parse(await admin.GetStringAsync(new Uri(href, UriKind.Relative)));
                var progress = job.RootElement.GetProperty("progress");
                done = progress.ValueKind == JsonValueKind.Object ? progress.GetProperty("done").GetInt64() : 0;
                // Finished before it could be killed: say how it stood, and how far the poll had seen it come.
                Assert.True(job.RootElement.GetProperty("status").GetString() != "succeeded", $"{provider}: the job finished before it was killed (last seen at {done}): {job.RootElement}");
                if (done >= 50)
                {
                    break;
                }

                await Task.Delay(20);
            }

            await first.KillAsync();
            output.WriteLine($"{provider}: killed after {done} of {Items} items");
            Assert.InRange(done, 50, Items - 1);
        }

        var partial = await RecomputedHistoryAsync(bed.Database);
        Assert.InRange(partial.Count, 1, Items - 1);

        await using var second = new RunningHost(environment);
        using var again = Client(await second.ListeningAsync() ?? throw new InvalidOperationException(second.Output), adminToken);
        var finished = await Api.ApiServer.FinishedJobAsync(again, href);
        output.WriteLine($"{provider}: {finished}");

        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        var history = await RecomputedHistoryAsync(bed.Database);
        // Every item recomputed, each exactly once, and the counts kept across the kill say so.
        Assert.Equal(Items, history.Count);
        Assert.All(history, h => Assert.Equal(1, h.Entries));
        Assert.Equal(Items, finished.GetProperty("result").GetProperty("itemsRecomputed").GetInt32());
        Assert.Equal(Items, finished.GetProperty("result").GetProperty("dueDaysMoved").GetInt32());
        // One job did it, delivered twice.
        var storage = JobStore.Open(bed.Database.Settings);
        Assert.Single(JobStore.JobsOf(storage, "RunAsync"));
        await using var connection = await bed.Database.OpenAsync(default);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM calendar_changes WHERE recomputed_at IS NULL"));
    }

    [Fact]
    public async Task Recurring_runs_missed_while_the_servers_were_down_run_once_at_start()
    {
        await using var testDatabase = await TestDatabase.CreateAsync(provider);
        await using var database = new Database(testDatabase.Settings);
        await SmallOffice.SeedAsync(database, "jobs test");
        var environment = new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = testDatabase.Settings.ConnectionString,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        };
        await using (var first = new RunningHost(environment))
        {
            Assert.True(await first.WaitForAsync("Recurring job history-digest"), first.Output);
            Assert.NotNull(await first.ListeningAsync());
        }

        // As if every server had been down for the last three nights: the overdue run's next time is three days ago.
        var storage = JobStore.Open(testDatabase.Settings);
        var missed = DateTime.UtcNow.AddDays(-3);
        using (var connection = storage.GetConnection())
        using (var transaction = connection.CreateWriteTransaction())
        {
            transaction.SetRangeInHash("recurring-job:overdue-run", [
                new("NextExecution", JobHelper.SerializeDateTime(missed)),
                new("LastExecution", JobHelper.SerializeDateTime(missed.AddDays(-1))),
            ]);
            transaction.AddToSet("recurring-jobs", "overdue-run", JobHelper.ToTimestamp(missed));
            transaction.Commit();
        }

        // PostgreSQL: two servers start on the database at once. SQLite: one server per database.
        var servers = Enumerable.Range(0, provider == DatabaseProvider.PostgreSql ? 2 : 1).Select(_ => new RunningHost(environment)).ToList();
        try
        {
            foreach (var server in servers)
            {
                Assert.NotNull(await server.ListeningAsync());
            }

            // Once the next time is in the future, the missed occurrences have been dealt with, for good.
            var until = DateTime.UtcNow + Patience;
            while (DateTime.UtcNow < until && !(JobStore.Recurring(storage, "overdue-run")!.NextExecution > DateTime.UtcNow && JobStore.JobsOf(storage, "OverdueAsync").Count > 0))
            {
                await Task.Delay(100);
            }

            var record = JobStore.Recurring(storage, "overdue-run")!;
            Assert.True(record.NextExecution > DateTime.UtcNow, string.Join("\n", servers.Select(s => s.Output)));
            Assert.Single(JobStore.JobsOf(storage, "OverdueAsync"));
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<string> AdminAsync(Database database)
    {
        var clock = TimeProvider.System;
        var users = new UserStore(database, clock);
        var office = (await new DepartmentStore(database, clock).ListAsync(default)).Single(d => d.ParentId is null);
        await users.AddAsync(new User { Login = "admin", DisplayName = "管理员", DepartmentId = office.Id, Role = "admin" }, default);
        return (await new Credentials(new TokenStore(database), users, clock).CreateTokenAsync("admin", "jobs test", default)).Token;
    }

    /// <summary>The calendar year holding the first working day at least five days ahead, with that day made a holiday.</summary>
    private static async Task<(int Year, JsonObject Body)> AddHolidayAsync(HttpClient admin, DateOnly today)
    {
        for (var day = today.AddDays(5); ; day = day.AddDays(1))
        {
            var body = JsonNode.Parse(await admin.GetStringAsync(new Uri($"/api/calendars/{day.Year}", UriKind.Relative)))!.AsObject();
            var text = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var holidays = body["holidays"]!.AsArray();
            var makeUp = body["makeUpDays"]?.AsArray().Select(m => m!["date"]?.GetValue<string>()).ToHashSet() ?? [];
            var inHoliday = holidays.Any(h => string.CompareOrdinal(h!["from"]!.GetValue<string>(), text) <= 0 && string.CompareOrdinal(text, h["to"]!.GetValue<string>()) <= 0);
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || inHoliday || makeUp.Contains(text))
            {
                continue;
            }

            holidays.Add(new JsonObject { ["name"] = "临时调休", ["nameEn"] = "Extra day off", ["from"] = text, ["to"] = text });
            var year = new JsonObject
            {
                ["year"] = day.Year,
                ["source"] = "jobs test",
                ["holidays"] = holidays.DeepClone(),
                ["makeUpDays"] = body["makeUpDays"]?.DeepClone() ?? new JsonArray(),
            };
            return (day.Year, year);
        }
    }

    private static async Task<List<(long Item, long Entries)>> RecomputedHistoryAsync(Database database)
    {
        await using var connection = await database.OpenAsync(default);
        return (await connection.QueryAsync<(long, long)>(
            "SELECT item_id, count(*) FROM item_history WHERE action = 'deadline-recomputed' GROUP BY item_id")).AsList();
    }
}

public sealed class SqliteJobsOnRealHostsTests(ITestOutputHelper output) : JobsOnRealHostsTests(DatabaseProvider.Sqlite, output);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresJobsOnRealHostsTests(ITestOutputHelper output) : JobsOnRealHostsTests(DatabaseProvider.PostgreSql, output);
