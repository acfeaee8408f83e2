using Dapper;
using Supervision.Engine.Organisation;
using Supervision.Host.Notices;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// A server killed (SIGKILL) in the middle of a notice delivery run, as real processes: a backlog of webhook notices
/// goes to a slow receiver; the server is killed once part of it is through; a second server takes the rest once the
/// dead one's lease ends. Every notice reaches the receiver at least once and is recorded delivered exactly once; at
/// most the one in flight at the kill is posted twice (receivers deduplicate on its Idempotency-Key).
/// </summary>
public abstract class DeliveryCrashTests(DatabaseProvider provider, ITestOutputHelper output)
{
    private const int Notices = 150;

    [Fact]
    public async Task A_server_killed_mid_delivery_loses_and_double_records_nothing()
    {
        await using var testDatabase = await TestDatabase.CreateAsync(provider);
        await using var database = new Database(testDatabase.Settings);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromMilliseconds(40);
        var clock = TimeProvider.System;
        await new Migrator(database, clock).MigrateAsync(default);
        var office = await new DepartmentStore(database, clock).AddAsync(new Department { Name = "市政府办公室" }, default);
        var store = new NoticeStore(database, clock);
        await store.AddChannelAsync(office.Id, "webhook", receiver.Address, "hook-secret", default);
        for (var i = 0; i < Notices; i++)
        {
            Assert.True(await store.EnqueueAsync(new NewNotice($"backlog:{i}", "webhook", "red", null, receiver.Address, $"超期事项{i}", "请尽快办理", null, null), default));
        }

        var environment = new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = testDatabase.Settings.ConnectionString,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            // A dead server's claimed notices pass to another after this lease (at least 1.5 times a send's timeout).
            ["Supervision__Notices__Lease"] = "00:00:15",
        };
        int atKill;
        await using (var doomed = new RunningHost(environment))
        {
            Assert.NotNull(await doomed.ListeningAsync());
            Assert.True(await Eventually.UntilAsync(() => receiver.Received.Count >= 20), doomed.Output);
            await doomed.KillAsync();
            atKill = receiver.Received.Count;
        }

        var recordedAtKill = await ScalarAsync(database, "SELECT count(*) FROM notices WHERE status = 'delivered'");
        Assert.InRange(atKill, 20, Notices - 1);
        await using var survivor = new RunningHost(environment);
        Assert.NotNull(await survivor.ListeningAsync());
        Assert.True(await Eventually.UntilAsync(async () => await ScalarAsync(database, "SELECT count(*) FROM notices WHERE status = 'delivered'") == Notices), survivor.Output);

        await using var connection = await database.OpenAsync(default);
        var keys = (await connection.QueryAsync<string>("SELECT notice_key FROM notices")).ToHashSet();
        var posted = receiver.Received.Select(r => r.Key!).ToList();
        output.WriteLine($"{provider}: {Notices} notices; killed after {atKill} posts ({recordedAtKill} recorded delivered); {posted.Count} posts in all, {posted.Count - posted.Distinct().Count()} posted twice");
        Assert.Equal(keys, posted.ToHashSet());
        Assert.Empty(await connection.QueryAsync<long>("SELECT notice_id FROM notice_attempts WHERE ok GROUP BY notice_id HAVING count(*) <> 1"));
        Assert.Equal((long)Notices, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notice_attempts WHERE ok"));
        Assert.InRange(posted.Count - posted.Distinct().Count(), 0, 1);
    }

    private static async Task<long> ScalarAsync(Database database, string sql)
    {
        await using var connection = await database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}

public sealed class SqliteDeliveryCrashTests(ITestOutputHelper output) : DeliveryCrashTests(DatabaseProvider.Sqlite, output);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresDeliveryCrashTests(ITestOutputHelper output) : DeliveryCrashTests(DatabaseProvider.PostgreSql, output);
