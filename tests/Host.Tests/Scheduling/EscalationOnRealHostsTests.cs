using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Engine.Organisation;
using Supervision.Host.Items;
using Supervision.Host.Notices;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Supervision.Host.Tests.Scheduling;

/// <summary>
/// Escalation on real server processes with the system clock: lights change at their instants, history records each
/// change once, notices reach a real webhook receiver and an SMTP server; on PostgreSQL, two servers share a burst and
/// one of them is killed in the middle of it.
/// </summary>
public abstract class EscalationOnRealHostsTests(DatabaseProvider provider, ITestOutputHelper output)
{
    // How long to wait for something that must happen before concluding it never will; not a limit on the product.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);
    private const string Secret = "hook-secret";

    private protected DatabaseProvider Provider => provider;

    private protected ITestOutputHelper Output => output;

    [Fact]
    public async Task A_one_minute_item_turns_yellow_then_red_on_time_and_its_notices_are_delivered_once()
    {
        await using var testDatabase = await TestDatabase.CreateAsync(provider);
        await using var database = new Database(testDatabase.Settings);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var smtp = new SmtpSink();
        var city = await City.SeedAsync(database, receiver.Address, bureaus: 1);
        await using var host = new RunningHost(City.Environment(testDatabase, new Dictionary<string, string>
        {
            ["Supervision__Smtp__Host"] = "127.0.0.1",
            ["Supervision__Smtp__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Supervision__PublicUrl"] = "https://ducha.example.gov.cn",
            // Neither loop may rely on its timer: only the armed instant and the wake after a commit can be on time.
            ["Supervision__Transitions__SafetySweep"] = "00:10:00",
            ["Supervision__Notices__DispatchInterval"] = "00:10:00",
        }));
        var address = await host.ListeningAsync() ?? throw new InvalidOperationException(host.Output);
        using var client = City.Client(address, city.Tokens["handler1"]);

        var registered = await client.PostAsJsonAsync("/api/requests", new { title = "紧急件：报送执法数据", department = "第1局", content = "一分钟内报送", definition = "urgent-request" });
        Assert.Equal(System.Net.HttpStatusCode.Created, registered.StatusCode);
        var item = await registered.Content.ReadFromJsonAsync<JsonElement>();
        var id = item.GetProperty("id").GetInt64();
        var yellowAt = item.GetProperty("nextChangeAt").GetDateTimeOffset();
        var dueAt = item.GetProperty("dueAt").GetDateTimeOffset();

        // Yellow at half the minute, red at its end; handler told at yellow, handler and lead at red, each also by mail.
        Assert.True(await Eventually(async () => await Scalar(database, "SELECT count(*) FROM notices WHERE channel <> 'inbox' AND status = 'delivered'") == 5), host.Output);
        Assert.True(await Eventually(() => Task.FromResult(smtp.Messages.Count == 3 && receiver.Received.Count == 2)), host.Output);

        var history = await new ItemStore(database, TimeProvider.System).HistoryAsync(id, default);
        Assert.Equal(["registered", "light-changed", "light-changed"], history.Select(h => h.Action));
        Assert.Equal([Engine.Items.Light.Yellow, Engine.Items.Light.Red], history.Skip(1).Select(h => h.ToLight!.Value));
        var (yellowLag, redLag) = (history[1].At - yellowAt, history[2].At - dueAt);
        Assert.True(yellowLag >= TimeSpan.Zero && redLag >= TimeSpan.Zero, $"changed early: yellow {yellowLag}, red {redLag}");
        output.WriteLine($"{provider}: yellow recorded {yellowLag.TotalMilliseconds:F0} ms after its instant, red {redLag.TotalMilliseconds:F0} ms after its instant");

        // The receiver got each change once, signed, with the item's link; mail went to the right people once each.
        Assert.Equal(2, receiver.Received.Select(r => r.Key).Distinct().Count());
        foreach (var hook in receiver.Received)
        {
            Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{hook.Timestamp}.{hook.Body}"))), hook.Signature);
            Assert.Contains($"https://ducha.example.gov.cn/items/{id}", JsonDocument.Parse(hook.Body).RootElement.GetProperty("body").GetString(), StringComparison.Ordinal);
        }

        var mails = smtp.Messages.ToList();
        Assert.Equal(2, mails.Count(m => m.Contains("To: handler1@example.gov.cn", StringComparison.Ordinal)));
        Assert.Single(mails, m => m.Contains("To: lead1@example.gov.cn", StringComparison.Ordinal));
        Assert.Equal(3, mails.Select(m => System.Text.RegularExpressions.Regex.Match(m, "X-Supervision-Notice: (.+)").Groups[1].Value.Trim()).Distinct().Count());

        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/items/{id}");
        Assert.Equal("red", detail.GetProperty("item").GetProperty("light").GetString());
    }

    // A dead server's claimed notices pass on after a short lease; small batches, so a burst takes many of them.
    private protected static readonly Dictionary<string, string> BurstSettings = new()
    {
        ["Supervision__Notices__Lease"] = "00:00:20",
        ["Supervision__RateLimit__PermitsPerMinute"] = "100000",
        ["Supervision__Transitions__BatchSize"] = "20",
    };

    [Fact]
    public async Task A_server_killed_in_the_middle_of_a_burst_and_started_again_records_each_change_and_notice_once()
    {
        const int tasks = 300;
        await using var testDatabase = await TestDatabase.CreateAsync(provider);
        await using var database = new Database(testDatabase.Settings);
        await using var receiver = await WebhookReceiver.StartAsync();
        var city = await City.SeedAsync(database, receiver.Address, bureaus: 3);
        var instant = await RegisterBurstAsync(testDatabase, database, city, tasks, TimeSpan.FromSeconds(40));
        long recordedBeforeKill;
        await using (var doomed = new RunningHost(City.Environment(testDatabase, BurstSettings)))
        {
            recordedBeforeKill = await KillMidBurstAsync(doomed, database, instant);
        }

        // The kill landed in the middle of the burst: some of its changes were recorded before it, not all.
        Assert.InRange(recordedBeforeKill, 1, tasks - 1);

        // The only server, started again on the same database (a county office's machine after a crash).
        await using var restarted = new RunningHost(City.Environment(testDatabase, BurstSettings));
        Assert.NotNull(await restarted.ListeningAsync());
        await AssertBurstRecordedOnceAsync(database, receiver, tasks, instant, restarted.Output, maxResent: 1);
    }

    /// <summary>Registers <paramref name="count"/> tasks due at one instant, spread over the bureaus, through the API of
    /// a server in this process whose clock stands still at the moment registration starts; no other server runs
    /// meanwhile, so however long registering takes, nothing comes due while it does. Returns the instant,
    /// <paramref name="lead"/> after that moment (whole seconds). The servers under test start afterwards: they change
    /// the lights at the instant, or as soon as they start if the instant has passed by then.</summary>
    private protected static async Task<DateTimeOffset> RegisterBurstAsync(TestDatabase testDatabase, Database database, City city, int count, TimeSpan lead)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var instant = clock.GetUtcNow() + lead;
        instant = new DateTimeOffset(instant.Ticks - (instant.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var deadline = instant.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        await using var registrar = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting(DatabaseSettings.ConfigurationKey, testDatabase.Settings.ConnectionString);
            b.UseSetting("Supervision:WorkflowsDirectory", TestWorkflows.ShippedAndTest());
            b.UseSetting("Supervision:RateLimit:PermitsPerMinute", "100000");
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock));
        });
        using var client = registrar.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", city.Tokens["supervisor"]);
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await client.PostAsJsonAsync("/api/tasks", new
                {
                    title = $"限时报送{i}",
                    content = "按时报送",
                    leadDepartments = new[] { city.Bureaus[i % city.Bureaus.Count] },
                    deadline,
                    definition = "burst-task",
                });
                Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
            }
            finally
            {
                gate.Release();
            }
        }));
        // Every task registered and none changed yet: the burst is whole when the servers under test start.
        Assert.Equal((long)count, await Scalar(database, "SELECT count(*) FROM items"));
        Assert.Equal(0L, await Scalar(database, "SELECT count(*) FROM item_history WHERE action IN ('light-changed', 'assignment-light-changed')"));
        return instant;
    }

    /// <summary>Kills the server (SIGKILL) as soon as the database shows the burst's first changes recorded, and returns
    /// how many were recorded when it died, read from the database after the kill. A thread of its own watches and kills,
    /// so a busy thread pool cannot make it late, and the signal goes straight to the process (no walk of the process
    /// tree): the kill lands a moment after the first batch, long before the burst's other batches are done.</summary>
    private protected async Task<long> KillMidBurstAsync(RunningHost doomed, Database database, DateTimeOffset instant)
    {
        const string Recorded = "SELECT count(*) FROM item_history WHERE action = 'light-changed'";
        // Nothing changes before the instant (asserted once the burst is done), so watching starts just before it.
        var quiet = instant - TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow;
        if (quiet > TimeSpan.Zero)
        {
            await Task.Delay(quiet);
        }

        await using (var connection = await database.OpenAsync(default))
        {
            await Task.Factory.StartNew(() =>
            {
                var until = DateTimeOffset.UtcNow + Patience;
                while (connection.ExecuteScalar<long>(Recorded) == 0 && DateTimeOffset.UtcNow < until)
                {
                    Thread.Sleep(1);
                }

                KillNow(doomed);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        var recorded = await Scalar(database, Recorded);
        output.WriteLine($"{provider}: killed the server when {recorded} changes of the burst were recorded");
        Assert.True(recorded > 0, $"no change recorded, now {DateTimeOffset.UtcNow:O}, instant {instant:O}\n--- doomed:\n{doomed.Output}");
        // Each batch is one transaction: no item's light changed without its history entry, none the other way round.
        Assert.Equal(recorded, await Scalar(database, "SELECT count(*) FROM items WHERE light = 'red'"));
        return recorded;
    }

    /// <summary>Kills the server (SIGKILL) as soon as it has recorded its first batch of the burst.</summary>
    private protected async Task KillAtFirstBatchAsync(RunningHost doomed, Database database, DateTimeOffset instant, string others)
    {
        Assert.True(await doomed.WaitForAsync("Light transitions at"),
            $"changes recorded: {await Scalar(database, "SELECT count(*) FROM item_history WHERE action = 'light-changed'")}, now {DateTimeOffset.UtcNow:O}, instant {instant:O}\n--- doomed:\n{doomed.Output}\n--- others:\n{others}");
        KillNow(doomed);
        output.WriteLine($"{provider}: killed a server when {await Scalar(database, "SELECT count(*) FROM item_history WHERE action = 'light-changed'")} changes were recorded");
    }

    /// <summary>SIGKILL straight to the server's process and waits for it to end: no shutdown code runs, and unlike
    /// <see cref="RunningHost.KillAsync"/> no walk of the process tree delays the signal while the server goes on.</summary>
    private static void KillNow(RunningHost host)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(host.Id);
            process.Kill();
            process.WaitForExit();
        }
        catch (ArgumentException)
        {
            // The process is gone already (it failed to start); what the test reads from the database says so.
        }
    }

    /// <summary>Waits for every task to be red and every webhook notice delivered, then checks that each change and
    /// notice was recorded exactly once, the receiver saw every notice, and at most <paramref name="maxResent"/> were
    /// posted twice (those in flight at the kill).</summary>
    private protected async Task AssertBurstRecordedOnceAsync(Database database, WebhookReceiver receiver, int tasks, DateTimeOffset instant, string serverOutput, int maxResent)
    {
        Assert.True(await Eventually(async () => await Scalar(database, "SELECT count(*) FROM items WHERE light = 'red'") == tasks), serverOutput);
        Assert.True(await Eventually(async () => await Scalar(database, "SELECT count(*) FROM notices WHERE channel = 'webhook' AND status = 'delivered'") == tasks), serverOutput);

        await using var connection = await database.OpenAsync(default);
        // Each change recorded exactly once: one item change and one assignment change per task.
        Assert.Empty(await connection.QueryAsync<long>("SELECT item_id FROM item_history WHERE action = 'light-changed' GROUP BY item_id HAVING count(*) <> 1"));
        Assert.Equal((long)tasks, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT item_id) FROM item_history WHERE action = 'light-changed'"));
        Assert.Equal((long)tasks, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM item_history WHERE action = 'assignment-light-changed'"));
        // Each notice written once: handler and lead of the task's bureau in-app (mail is off here); one webhook each.
        Assert.Equal(2L * tasks, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notices WHERE channel = 'inbox'"));
        Assert.Equal((long)tasks, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notices WHERE channel = 'webhook'"));
        // Each delivery recorded once, and the receiver saw every notice.
        Assert.Empty(await connection.QueryAsync<long>("SELECT notice_id FROM notice_attempts WHERE ok GROUP BY notice_id HAVING count(*) <> 1"));
        var keys = (await connection.QueryAsync<string>("SELECT notice_key FROM notices WHERE channel = 'webhook'")).ToHashSet();
        Assert.Equal(keys, receiver.Received.Select(r => r.Key!).ToHashSet());
        var last = await connection.ExecuteScalarAsync<DateTimeOffset>("SELECT max(at) FROM item_history WHERE action = 'light-changed'");
        var firstRecorded = await connection.ExecuteScalarAsync<DateTimeOffset>("SELECT min(at) FROM item_history WHERE action = 'light-changed'");
        output.WriteLine($"{provider}: first change recorded {(firstRecorded - instant).TotalMilliseconds:F0} ms after the instant, the last {(last - instant).TotalMilliseconds:F0} ms after (including the kill)");
        Assert.True(firstRecorded >= instant, "a change was recorded before its instant");
        var resent = receiver.Received.Count - keys.Count;
        output.WriteLine($"{provider}: {receiver.Received.Count} webhook posts for {keys.Count} notices ({resent} sent again after the kill; receivers deduplicate on Idempotency-Key)");
        Assert.InRange(resent, 0, maxResent);
        Assert.True((await new HistoryAudit(database, TimeProvider.System).VerifyAsync(default)).Intact);
    }

    private protected static async Task<bool> Eventually(Func<Task<bool>> condition)
    {
        var until = DateTimeOffset.UtcNow + Patience;
        while (DateTimeOffset.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return await condition();
    }

    private protected static async Task<long> Scalar(Database database, string sql)
    {
        await using var connection = await database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    /// <summary>A supervising office over numbered bureaus, each with a handler and a lead (with e-mail) and a webhook.</summary>
    private protected sealed record City(Dictionary<string, string> Tokens, IReadOnlyList<string> Bureaus)
    {
        public static async Task<City> SeedAsync(Database database, string webhook, int bureaus)
        {
            var clock = TimeProvider.System;
            await new Migrator(database, clock).MigrateAsync(default);
            var departments = new DepartmentStore(database, clock);
            var users = new UserStore(database, clock);
            var credentials = new Credentials(new TokenStore(database), users, clock);
            var notices = new NoticeStore(database, clock);
            var office = await departments.AddAsync(new Department { Name = "市政府办公室" }, default);
            await users.AddAsync(new User { Login = "supervisor", DisplayName = "督查员", DepartmentId = office.Id, Role = "supervisor" }, default);
            var names = new List<string>();
            for (var i = 1; i <= bureaus; i++)
            {
                var bureau = await departments.AddAsync(new Department { Name = $"第{i}局", ParentId = office.Id }, default);
                names.Add(bureau.Name);
                await users.AddAsync(new User { Login = $"handler{i}", DisplayName = $"经办人{i}", DepartmentId = bureau.Id, Role = "handler" }, default);
                await users.AddAsync(new User { Login = $"lead{i}", DisplayName = $"分管领导{i}", DepartmentId = bureau.Id, Role = "lead" }, default);
                await users.SetEmailAsync($"handler{i}", $"handler{i}@example.gov.cn", default);
                await users.SetEmailAsync($"lead{i}", $"lead{i}@example.gov.cn", default);
                await notices.AddChannelAsync(bureau.Id, "webhook", webhook, Secret, default);
            }

            var tokens = new Dictionary<string, string>();
            foreach (var login in new[] { "supervisor", "handler1" })
            {
                tokens[login] = (await credentials.CreateTokenAsync(login, "escalation tests", default)).Token;
            }

            return new City(tokens, names);
        }

        /// <summary>The server's environment: this database, any free port, the shipped and the test definitions.</summary>
        public static Dictionary<string, string> Environment(TestDatabase database, IReadOnlyDictionary<string, string> extra)
        {
            var environment = new Dictionary<string, string>
            {
                ["SUPERVISION_DB"] = database.Settings.ConnectionString,
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["Supervision__WorkflowsDirectory"] = TestWorkflows.ShippedAndTest(),
            };
            foreach (var (key, value) in extra)
            {
                environment[key] = value;
            }

            return environment;
        }

        public static HttpClient Client(Uri address, string token)
        {
            var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }
    }
}

public sealed class SqliteEscalationOnRealHostsTests(ITestOutputHelper output) : EscalationOnRealHostsTests(DatabaseProvider.Sqlite, output);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresEscalationOnRealHostsTests(ITestOutputHelper output) : EscalationOnRealHostsTests(DatabaseProvider.PostgreSql, output)
{
    private const int Tasks = 600;

    [Fact]
    public async Task Two_servers_share_a_burst_of_hundreds_due_at_one_instant_and_killing_one_mid_run_loses_and_repeats_nothing()
    {
        await using var testDatabase = await TestDatabase.CreateAsync(Provider);
        await using var database = new Database(testDatabase.Settings);
        await using var receiver = await WebhookReceiver.StartAsync();
        var city = await City.SeedAsync(database, receiver.Address, bureaus: 3);

        // Every task due at the same instant, registered before the servers start. Until both listen, the test holds
        // every task's row: the servers skip locked rows, so neither starts the burst alone, even if the instant has
        // passed by then; let go, they share it.
        var instant = await RegisterBurstAsync(testDatabase, database, city, Tasks, TimeSpan.FromSeconds(45));
        await using var gate = await database.OpenAsync(default);
        await using var held = await gate.BeginTransactionAsync();
        await gate.ExecuteAsync("SELECT id FROM items FOR UPDATE", transaction: held);
        await using var doomed = new RunningHost(City.Environment(testDatabase, BurstSettings));
        await using var survivor = new RunningHost(City.Environment(testDatabase, BurstSettings));
        _ = await doomed.ListeningAsync() ?? throw new InvalidOperationException(doomed.Output);
        _ = await survivor.ListeningAsync() ?? throw new InvalidOperationException(survivor.Output);
        Assert.Equal(0L, await Scalar(database, "SELECT count(*) FROM item_history WHERE action = 'light-changed'"));
        await held.RollbackAsync();

        // Kill one server as soon as it has recorded its first batch of the burst.
        await KillAtFirstBatchAsync(doomed, database, instant, survivor.Output);

        // The survivor finishes: every task red, every webhook notice delivered, each once.
        await AssertBurstRecordedOnceAsync(database, receiver, Tasks, instant, survivor.Output, NoticeDispatcher.BatchSize);
    }
}
