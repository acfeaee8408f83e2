using System.Net;
using System.Text.Json;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// Long administrative work handed off with 202 and read at <c>GET /api/jobs/{id}</c> (a board recount, a history
/// verification), who may start and read it, and the jobs dashboard's door: the sign-in for someone not signed in,
/// 403 for handlers and leads, and no actions for supervisors.
/// </summary>
public abstract class JobsApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, DateTimeOffset.UtcNow);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task An_administrator_recounts_the_board_in_a_job_whose_result_says_what_it_found_and_others_may_not_start_it()
    {
        using var admin = _server.Client("admin");
        using var zhang = _server.Client("zhang");
        using var zhao = _server.Client("zhao");
        await RegisterAsync(zhang);

        using var refusedHandler = await zhang.PostAsync(new Uri("/api/board/recount", UriKind.Relative), null);
        using var refusedSupervisor = await zhao.PostAsync(new Uri("/api/board/recount", UriKind.Relative), null);
        using var accepted = await admin.PostAsync(new Uri("/api/board/recount", UriKind.Relative), null);

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (refusedHandler.StatusCode, refusedSupervisor.StatusCode));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var ticket = await JsonAsync(accepted);
        Assert.Equal(("board-recount", "queued"), (ticket.GetProperty("kind").GetString(), ticket.GetProperty("status").GetString()));
        Assert.Equal(accepted.Headers.Location!.OriginalString, ticket.GetProperty("href").GetString());
        var job = await ApiServer.FinishedJobAsync(admin, ticket.GetProperty("href").GetString()!);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal("admin", job.GetProperty("requestedBy").GetString());
        // The kept counts agreed with the assignments before (0 differences); one row, the bureau's requests, written.
        Assert.Equal(0, job.GetProperty("result").GetProperty("differences").GetInt32());
        Assert.True(job.GetProperty("result").GetProperty("rows").GetInt32() >= 1);
        Assert.Equal(JsonValueKind.Null, job.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task A_supervisor_verifies_the_histories_in_a_job_read_by_administrators_and_by_nobody_else()
    {
        using var zhao = _server.Client("zhao");
        using var admin = _server.Client("admin");
        using var li = _server.Client("li");
        using var zhang = _server.Client("zhang");
        await RegisterAsync(zhang);

        using var refused = await zhang.PostAsync(new Uri("/api/history/verify", UriKind.Relative), null);
        using var accepted = await zhao.PostAsync(new Uri("/api/history/verify", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var href = accepted.Headers.Location!.OriginalString;
        var job = await ApiServer.FinishedJobAsync(zhao, href);
        Assert.Equal(("succeeded", "history-verify"), (job.GetProperty("status").GetString(), job.GetProperty("kind").GetString()));
        var result = job.GetProperty("result");
        Assert.True(result.GetProperty("intact").GetBoolean());
        Assert.Equal(1, result.GetProperty("items").GetInt32());
        Assert.Empty(result.GetProperty("problems").EnumerateArray());

        using var byAdmin = await admin.GetAsync(new Uri(href, UriKind.Relative));
        using var byAnother = await li.GetAsync(new Uri(href, UriKind.Relative));
        using var notAJob = await admin.GetAsync(new Uri("/api/jobs/abc", UriKind.Relative));
        using var noSuchJob = await admin.GetAsync(new Uri("/api/jobs/987654321", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound), (byAnother.StatusCode, notAJob.StatusCode, noSuchJob.StatusCode));
        Assert.Equal("application/problem+json", byAnother.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_dashboard_sends_strangers_to_sign_in_refuses_handlers_and_leads_and_lets_supervisors_only_look()
    {
        using var anonymous = _server.Client(followRedirects: false);
        using var zhang = _server.Client("zhang");
        using var wang = _server.Client("wang");
        using var zhao = _server.Client("zhao");
        using var admin = _server.Client("admin");

        using var stranger = await anonymous.GetAsync(new Uri("/jobs/recurring", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, stranger.StatusCode);
        Assert.Equal("/?next=%2Fjobs%2Frecurring", stranger.Headers.Location!.OriginalString);
        using var handler = await zhang.GetAsync(new Uri("/jobs", UriKind.Relative));
        using var lead = await wang.GetAsync(new Uri("/jobs/recurring", UriKind.Relative));
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (handler.StatusCode, lead.StatusCode));

        // Chinese by default; the supervisor's page has no trigger or delete, the administrator's has both.
        var supervisorPage = await zhao.GetStringAsync(new Uri("/jobs/recurring", UriKind.Relative));
        var adminPage = await admin.GetStringAsync(new Uri("/jobs/recurring", UriKind.Relative));
        Assert.Contains("定期作业", supervisorPage, StringComparison.Ordinal);
        Assert.Contains("overdue-run", supervisorPage, StringComparison.Ordinal);
        Assert.DoesNotContain("js-jobs-list-command", supervisorPage, StringComparison.Ordinal);
        Assert.Contains("js-jobs-list-command", adminPage, StringComparison.Ordinal);

        // A supervisor's action is refused by the dashboard itself, whatever the page showed.
        var monitoring = _server.Services.GetService(typeof(Hangfire.JobStorage)) is Hangfire.JobStorage storage ? storage.GetMonitoringApi() : throw new InvalidOperationException("no job storage");
        var before = monitoring.EnqueuedCount("default") + monitoring.ProcessingCount() + monitoring.SucceededListCount();
        using var trigger = await zhao.PostAsync(new Uri("/jobs/recurring/trigger", UriKind.Relative), new FormUrlEncodedContent([new("jobs[]", "overdue-run")]));
        Assert.False(trigger.IsSuccessStatusCode, $"{(int)trigger.StatusCode}");
        Assert.Equal(before, monitoring.EnqueuedCount("default") + monitoring.ProcessingCount() + monitoring.SucceededListCount());

        // English when the board's language switch says so.
        using var english = new HttpRequestMessage(HttpMethod.Get, new Uri("/jobs/recurring", UriKind.Relative));
        english.Headers.Add("Cookie", "supervision.lang=en");
        using var plainZhao = _server.Client("zhao", handleCookies: false);
        using var englishPage = await plainZhao.SendAsync(english);
        Assert.Contains("Recurring Jobs", await englishPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task RegisterAsync(HttpClient handler)
    {
        using var created = await handler.PostAsync(new Uri("/api/requests", UriKind.Relative), JsonContent(new { title = "申请", applicant = "李某", channel = "post", receivedOn = Today(), department = "市司法局", content = "内容" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private static string Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}

public sealed class SqliteJobsApiTests() : JobsApiTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresJobsApiTests() : JobsApiTests(DatabaseProvider.PostgreSql);
