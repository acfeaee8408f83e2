using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary><c>GET /api/my/work</c>: each person's own work, most urgent first, with what they can do now.</summary>
public abstract class MyWorkTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8)));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<long> RegisterAsync(HttpClient client, string department, string receivedOn, string title)
    {
        var created = await AdministrationTests.JsonAsync(await client.PostAsJsonAsync("/api/requests", new { title, applicant = "甲", channel = "post", receivedOn, department, content = title }), HttpStatusCode.Created);
        return created.GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> WorkAsync(HttpClient client) =>
        await AdministrationTests.JsonAsync(await client.GetAsync(new Uri("/api/my/work", UriKind.Relative)), HttpStatusCode.OK);

    [Fact]
    public async Task A_handler_sees_the_departments_work_most_urgent_first_and_a_lead_the_extension_to_decide()
    {
        using var zhang = _server.Client("zhang");
        using var wang = _server.Client("wang");
        using var li = _server.Client("li");
        var green = await RegisterAsync(zhang, "市司法局", "2026-11-19", "昨天收到");
        var overdue = await RegisterAsync(zhang, "市司法局", "2026-10-09", "早已超期");
        var yellow = await RegisterAsync(zhang, "市司法局", "2026-10-27", "临近期限");
        var elsewhere = await RegisterAsync(li, "市教育局", "2026-10-09", "教育局的");

        var work = await WorkAsync(zhang);
        var rows = work.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal("2026-11-20", work.GetProperty("today").GetString());
        Assert.Equal([overdue, yellow, green], rows.Select(r => r.GetProperty("itemId").GetInt64()));
        Assert.DoesNotContain(elsewhere, rows.Select(r => r.GetProperty("itemId").GetInt64()));
        Assert.Equal(("red", true), (rows[0].GetProperty("light").GetString(), rows[0].GetProperty("seriouslyOverdue").GetBoolean()));
        Assert.Equal("yellow", rows[1].GetProperty("light").GetString());
        Assert.Equal("green", rows[2].GetProperty("light").GetString());
        Assert.True(rows[0].GetProperty("workingDaysLeft").GetInt32() < 0);
        Assert.True(rows[1].GetProperty("workingDaysLeft").GetInt32() is >= 0 and <= 5);
        Assert.Equal(("review", "审核"), (rows[2].GetProperty("step").GetString(), rows[2].GetProperty("stepName").GetProperty("zh").GetString()));
        // What to do, as the item's page offers it: the review's outcomes.
        Assert.Contains(rows[2].GetProperty("actions").EnumerateArray(), a => a.GetProperty("action").GetString() == "complete" && a.GetProperty("outcome").GetString() == "accepted");

        // The lead has nothing to do on handling steps; a handler's extension request is the lead's to decide.
        Assert.Equal(0, (await WorkAsync(wang)).GetProperty("rows").GetArrayLength());
        await AdministrationTests.JsonAsync(await zhang.PostAsJsonAsync($"/api/items/{green}/actions/complete", new { step = "review", outcome = "accepted" }), HttpStatusCode.OK);
        await AdministrationTests.JsonAsync(await zhang.PostAsJsonAsync($"/api/items/{green}/actions/extend", new { workingDays = 10, reason = "需调取档案" }), HttpStatusCode.OK);
        var lead = Assert.Single((await WorkAsync(wang)).GetProperty("rows").EnumerateArray());
        Assert.Equal(green, lead.GetProperty("itemId").GetInt64());
        Assert.Contains(lead.GetProperty("actions").EnumerateArray(), a => a.GetProperty("action").GetString() == "approve-extension");

        // Someone else's department is not theirs; nor is a bad limit accepted.
        Assert.DoesNotContain((await WorkAsync(li)).GetProperty("rows").EnumerateArray(), r => r.GetProperty("itemId").GetInt64() == green);
        var refused = await AdministrationTests.JsonAsync(await zhang.GetAsync(new Uri("/api/my/work?limit=0", UriKind.Relative)), HttpStatusCode.BadRequest);
        Assert.StartsWith("limit:", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var one = await AdministrationTests.JsonAsync(await zhang.GetAsync(new Uri("/api/my/work?limit=1", UriKind.Relative)), HttpStatusCode.OK);
        Assert.Equal((1, true), (one.GetProperty("rows").GetArrayLength(), one.GetProperty("more").GetBoolean()));
    }

    [Fact]
    public async Task Work_far_down_the_departments_list_is_found_past_the_first_batch_read()
    {
        // 130 requests more urgent than the one the lead has to decide: its row is the 131st candidate.
        using var zhang = _server.Client("zhang");
        using var wang = _server.Client("wang");
        var urgent = new List<long>();
        for (var i = 0; i < 130; i++)
        {
            urgent.Add(await RegisterAsync(zhang, "市司法局", "2026-10-27", $"临近期限{i}"));
        }

        var last = await RegisterAsync(zhang, "市司法局", "2026-11-19", "最后一件");
        await AdministrationTests.JsonAsync(await zhang.PostAsJsonAsync($"/api/items/{last}/actions/complete", new { step = "review", outcome = "accepted" }), HttpStatusCode.OK);
        await AdministrationTests.JsonAsync(await zhang.PostAsJsonAsync($"/api/items/{last}/actions/extend", new { workingDays = 10, reason = "需调取档案" }), HttpStatusCode.OK);

        var lead = Assert.Single((await WorkAsync(wang)).GetProperty("rows").EnumerateArray());
        Assert.Equal(last, lead.GetProperty("itemId").GetInt64());

        // The handler's: every one of them, most urgent first, the one handled last at the end; none left over.
        var all = await AdministrationTests.JsonAsync(await zhang.GetAsync(new Uri("/api/my/work?limit=200", UriKind.Relative)), HttpStatusCode.OK);
        Assert.Equal([.. urgent, last], all.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("itemId").GetInt64()));
        Assert.False(all.GetProperty("more").GetBoolean());
        var hundred = await AdministrationTests.JsonAsync(await zhang.GetAsync(new Uri("/api/my/work?limit=100", UriKind.Relative)), HttpStatusCode.OK);
        Assert.Equal(urgent.Take(100), hundred.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("itemId").GetInt64()));
        Assert.True(hundred.GetProperty("more").GetBoolean());
    }
}

public sealed class SqliteMyWorkTests() : MyWorkTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresMyWorkTests() : MyWorkTests(DatabaseProvider.PostgreSql);
