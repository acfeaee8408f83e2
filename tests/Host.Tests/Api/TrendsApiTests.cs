using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Hangfire;
using Supervision.Host.Escalation;
using Supervision.Host.People;
using Supervision.Host.Scheduling;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// <c>GET /api/board/trends</c> on a real server: the recorded daily counts of the caller's departments, one entry per
/// day with zeros where nothing was recorded, and each department's on-time rate over the assignments closed in the
/// window.
/// </summary>
public abstract class TrendsApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private ApiServer _server = null!;

    public async Task InitializeAsync()
    {
        // The job records only when the test says so: its cron never fires here (31 February), and its start-up run
        // is awaited.
        _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2025, 10, 27, 10, 0, 0, Cst),
            new Dictionary<string, string> { [Scheduler.LightDailyCronKey] = "0 0 31 2 *" });
        var monitoring = _server.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        for (var i = 0; i < 1200 && monitoring.SucceededListCount() < 1; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(1, monitoring.SucceededListCount());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static async Task<long> RegisterAsync(HttpClient client, string department, string receivedOn)
    {
        using var response = await client.PostAsJsonAsync("/api/requests", new { title = "申请", applicant = "李某", channel = "post", receivedOn, department, content = "内容" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var item = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return item.RootElement.GetProperty("id").GetInt64();
    }

    private static async Task FinishAsync(HttpClient client, long id, string replyDate)
    {
        foreach (var (step, outcome, fields) in new (string, string, object)[]
        {
            ("review", "accepted", new { }),
            ("handle", "ready-to-reply", new { }),
            ("reply", "disclosed", new { replyDate, delivery = "post" }),
        })
        {
            using var done = await client.PostAsJsonAsync($"/api/items/{id}/actions/complete", new { step, outcome, fields });
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }
    }

    private Task<int> RecordAsync() => _server.Services.GetRequiredService<LightDailySnapshots>().RecordAsync(null, default);

    private static List<string> Days(JsonElement trends) => trends.GetProperty("days").EnumerateArray()
        .Select(d => $"{d.GetProperty("day").GetString()}: {d.GetProperty("green").GetRawText()} {d.GetProperty("yellow").GetRawText()} {d.GetProperty("red").GetRawText()} {d.GetProperty("seriouslyOverdue").GetRawText()} {d.GetProperty("paused").GetRawText()}").ToList();

    private static List<string> Departments(JsonElement trends) => trends.GetProperty("departments").EnumerateArray()
        .Select(d => $"{d.GetProperty("department").GetString()}: {d.GetProperty("onTime").GetRawText()} {d.GetProperty("late").GetRawText()} {d.GetProperty("onTimeRate").GetRawText()}").ToList();

    /// <summary>
    /// 27 October: two new requests and one long overdue (received 1 August) at 市司法局, one new at 市教育局; recorded;
    /// then the two new ones at 市司法局 are finished on time. Early on 29 October: the overdue one is finished late; recorded.
    /// </summary>
    private async Task TwoRecordedDaysAsync()
    {
        using var zhang = _server.Client("zhang");
        using var li = _server.Client("li");
        var onTime = new[] { await RegisterAsync(zhang, "市司法局", "2025-10-27"), await RegisterAsync(zhang, "市司法局", "2025-10-27") };
        var late = await RegisterAsync(zhang, "市司法局", "2025-08-01");
        await RegisterAsync(li, "市教育局", "2025-10-27");
        await RecordAsync();
        foreach (var id in onTime)
        {
            await FinishAsync(zhang, id, "2025-10-27");
        }

        // Half past midnight on the 29th in the office, still the 28th in UTC: it counts for the 29th.
        _server.Clock.Advance(new DateTimeOffset(2025, 10, 29, 0, 30, 0, Cst) - _server.Clock.GetUtcNow());
        await FinishAsync(zhang, late, "2025-10-29");
        await RecordAsync();
    }

    [Fact]
    public async Task Trends_list_every_day_of_the_window_with_zeros_where_nothing_was_recorded_and_the_on_time_rate_of_each_department()
    {
        await TwoRecordedDaysAsync();
        using var zhao = _server.Client("zhao");

        var three = await JsonAsync(await zhao.GetAsync(new Uri("/api/board/trends?days=3", UriKind.Relative)));
        var today = await JsonAsync(await zhao.GetAsync(new Uri("/api/board/trends?days=1", UriKind.Relative)));
        var byDefault = await JsonAsync(await zhao.GetAsync(new Uri("/api/board/trends", UriKind.Relative)));
        var tasks = await JsonAsync(await zhao.GetAsync(new Uri("/api/board/trends?days=3&kind=task", UriKind.Relative)));

        Assert.Equal(["from", "to", "days", "departments"], three.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["day", "green", "yellow", "red", "seriouslyOverdue", "paused"], three.GetProperty("days")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["departmentId", "department", "onTime", "late", "onTimeRate"], three.GetProperty("departments")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(("2025-10-27", "2025-10-29"), (three.GetProperty("from").GetString(), three.GetProperty("to").GetString()));
        Assert.Equal(["2025-10-27: 3 0 1 1 0", "2025-10-28: 0 0 0 0 0", "2025-10-29: 1 0 0 0 0"], Days(three));
        Assert.Equal(["市司法局: 2 1 66.7", "市政府办公室: 0 0 null", "市教育局: 0 0 null", "市自然资源局: 0 0 null"], Departments(three));
        var ids = (await _server.Services.GetRequiredService<DepartmentStore>().ListAsync(default)).ToDictionary(d => d.Name, d => d.Id);
        Assert.Equal(ids["市司法局"], three.GetProperty("departments")[0].GetProperty("departmentId").GetInt64());

        // One day: only the 29th; the two finished on the 27th fall outside it.
        Assert.Equal(("2025-10-29", "2025-10-29"), (today.GetProperty("from").GetString(), today.GetProperty("to").GetString()));
        Assert.Equal(["2025-10-29: 1 0 0 0 0"], Days(today));
        Assert.Equal("市司法局: 0 1 0", Departments(today)[0]);

        // 28 days by default, counted back from today.
        Assert.Equal(("2025-10-02", "2025-10-29"), (byDefault.GetProperty("from").GetString(), byDefault.GetProperty("to").GetString()));
        Assert.Equal(28, byDefault.GetProperty("days").GetArrayLength());
        Assert.Equal(26, Days(byDefault).Count(d => d.EndsWith(": 0 0 0 0 0", StringComparison.Ordinal)));
        Assert.Equal(["2025-10-27: 3 0 1 1 0", "2025-10-28: 0 0 0 0 0", "2025-10-29: 1 0 0 0 0"], Days(byDefault)[^3..]);

        // Supervision tasks only: nothing recorded, nothing finished.
        Assert.Equal(["2025-10-27: 0 0 0 0 0", "2025-10-28: 0 0 0 0 0", "2025-10-29: 0 0 0 0 0"], Days(tasks));
        Assert.All(Departments(tasks), d => Assert.EndsWith(": 0 0 null", d, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_handler_sees_the_trends_of_their_own_department_only()
    {
        await TwoRecordedDaysAsync();
        using var zhang = _server.Client("zhang");
        using var li = _server.Client("li");

        var justice = await JsonAsync(await zhang.GetAsync(new Uri("/api/board/trends?days=3", UriKind.Relative)));
        var education = await JsonAsync(await li.GetAsync(new Uri("/api/board/trends?days=3&kind=request", UriKind.Relative)));

        Assert.Equal(["2025-10-27: 2 0 1 1 0", "2025-10-28: 0 0 0 0 0", "2025-10-29: 0 0 0 0 0"], Days(justice));
        Assert.Equal(["市司法局: 2 1 66.7"], Departments(justice));
        Assert.Equal(["2025-10-27: 1 0 0 0 0", "2025-10-28: 0 0 0 0 0", "2025-10-29: 1 0 0 0 0"], Days(education));
        Assert.Equal(["市教育局: 0 0 null"], Departments(education));
    }

    [Theory]
    [InlineData("days=0", "days: 0 is not 1 to 366")]
    [InlineData("days=367", "days: 367 is not 1 to 366")]
    [InlineData("kind=plan", "kind: 'plan' is not request or task")]
    public async Task A_window_outside_1_to_366_days_or_an_unknown_kind_is_a_400_problem(string query, string detail)
    {
        using var zhao = _server.Client("zhao");

        using var response = await zhao.GetAsync(new Uri($"/api/board/trends?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(detail, problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Days_without_records_and_nothing_finished_give_a_zero_filled_window()
    {
        using var admin = _server.Client("admin");

        var trends = await JsonAsync(await admin.GetAsync(new Uri("/api/board/trends?days=2", UriKind.Relative)));

        Assert.Equal(["2025-10-26: 0 0 0 0 0", "2025-10-27: 0 0 0 0 0"], Days(trends));
        Assert.Equal(4, trends.GetProperty("departments").GetArrayLength());
        Assert.All(Departments(trends), d => Assert.EndsWith(": 0 0 null", d, StringComparison.Ordinal));
    }
}

public sealed class SqliteTrendsApiTests() : TrendsApiTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresTrendsApiTests() : TrendsApiTests(DatabaseProvider.PostgreSql);
