using Dapper;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Api;

/// <summary>The server's <c>--demo</c> option, run as a real process.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_creates_a_city_once_with_items_in_every_light_and_prints_how_to_sign_in()
    {
        await using var database = new SqliteTestDatabase();
        var environment = new Dictionary<string, string> { ["SUPERVISION_DB"] = database.Settings.ConnectionString, ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" };

        await using (var first = new RunningHost(environment, "--demo"))
        {
            Assert.True(await first.WaitForAsync("Now listening on"), first.Output);
            Assert.Contains("Demo data created. Sign in with the password 'demo-password'", first.Output, StringComparison.Ordinal);
            Assert.Matches(@"zhao\s+supervisor\s+\S+\s+API token: sv_", first.Output);
        }

        await using (var second = new RunningHost(environment, "--demo"))
        {
            Assert.True(await second.WaitForAsync("Now listening on"), second.Output);
            Assert.Contains("Demo data is already present", second.Output, StringComparison.Ordinal);
        }

        await using var db = new Database(database.Settings);
        await using var connection = await db.OpenAsync(default);
        var lights = (await connection.QueryAsync<string>("SELECT DISTINCT light FROM assignments")).ToHashSet();
        // 40 requests, 3 tasks entered by hand, and the sample plan's 11 task rows from seeds/plans/sample-plan.docx.
        Assert.Equal(54L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items"));
        Assert.Equal(11L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items WHERE payload LIKE '%演示市2026年政务公开工作要点%'"));
        Assert.Equal(["imported", "previewed"], await connection.QueryAsync<string>("SELECT status FROM imports ORDER BY id"));
        Assert.Equal("monthly", await connection.ExecuteScalarAsync<string>("SELECT kind FROM circulations"));
        Assert.Superset(new HashSet<string> { "green", "red", "done-on-time" }, lights);
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM assignments WHERE paused = 1") > 0);
        Assert.True((await new HistoryAudit(db, TimeProvider.System).VerifyAsync(default)).Intact);
    }
}
