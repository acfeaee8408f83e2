using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Host.People;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>The HTTP API on a real server, against both providers: a disclosure request from registration to archive
/// through HTTP only, and every kind of refusal as problem details.</summary>
public abstract class ItemsApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static object Request(string department = "市司法局") => new
    {
        title = "申请公开2024年行政复议案件统计",
        applicant = "李某",
        channel = "post",
        receivedOn = "2025-09-26",
        department,
        content = "2024年行政复议案件数量及结果",
    };

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static async Task<long> RegisterAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/requests", Request());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("id").GetInt64();
    }

    private static Task<HttpResponseMessage> ActAsync(HttpClient client, long id, string action, object body) =>
        client.PostAsJsonAsync($"/api/items/{id}/actions/{action}", body);

    [Fact]
    public async Task Step_limits_light_beside_the_reply_deadline_and_are_filterable()
    {
        using var zhang = _server.Client("zhang");

        using var fresh = await zhang.PostAsJsonAsync("/api/requests", Request());
        using var late = await zhang.PostAsJsonAsync("/api/requests", new
        {
            title = "申请公开执法检查记录",
            applicant = "周某",
            channel = "letter",
            receivedOn = "2025-09-10",
            department = "市司法局",
            content = "执法检查记录",
        });
        var onTime = await JsonAsync(fresh);
        var overdue = await JsonAsync(late);
        var red = await JsonAsync(await zhang.GetAsync(new Uri("/api/items?stepLight=red", UriKind.Relative)));
        var detail = await JsonAsync(await zhang.GetAsync(new Uri($"/api/items/{overdue.GetProperty("id").GetInt64()}", UriKind.Relative)));
        using var wrong = await zhang.GetAsync(new Uri("/api/items?stepLight=purple", UriKind.Relative));

        // Article 30: review within 7 working days of receipt; received 2025-09-26: 2025-10-13; 2025-09-10: 2025-09-19.
        Assert.Equal(("green", "2025-10-13", "step:review"), (onTime.GetProperty("stepLight").GetString(), onTime.GetProperty("stepDueOn").GetString(), onTime.GetProperty("stepBasis").GetString()));
        Assert.Equal(("red", "2025-09-19"), (overdue.GetProperty("stepLight").GetString(), overdue.GetProperty("stepDueOn").GetString()));
        Assert.Equal("green", overdue.GetProperty("light").GetString());
        Assert.Equal([overdue.GetProperty("id").GetInt64()], red.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        var limit = detail.GetProperty("stepLimit");
        Assert.Equal(("red", "2025-09-19", "step:review"), (limit.GetProperty("light").GetString(), limit.GetProperty("dueOn").GetString(), limit.GetProperty("basis").GetString()));
        Assert.Equal("审核环节（7个工作日，自收到申请之日起）", limit.GetProperty("name").GetProperty("zh").GetString());
        Assert.Equal("red", Assert.Single(detail.GetProperty("assignments").EnumerateArray()).GetProperty("stepLimit").GetProperty("light").GetString());
        Assert.Contains("stepLight", (await ProblemAsync(wrong, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disclosure_request_goes_from_registration_to_archive_through_http_only()
    {
        using var zhang = _server.Client("zhang");

        using var created = await zhang.PostAsJsonAsync("/api/requests", Request());
        var item = await JsonAsync(created);
        var id = item.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/items/{id}", created.Headers.Location?.ToString());
        Assert.Equal("request", item.GetProperty("kind").GetString());
        Assert.Equal("市司法局", item.GetProperty("department").GetProperty("name").GetString());
        Assert.Equal("review", item.GetProperty("step").GetString());
        Assert.Equal("green", item.GetProperty("light").GetString());
        Assert.Equal("2025-10-30", item.GetProperty("dueOn").GetString());
        Assert.False(item.GetProperty("paused").GetBoolean());
        Assert.Equal(new DateTimeOffset(2025, 10, 23, 0, 0, 0, Cst), item.GetProperty("nextChangeAt").GetDateTimeOffset());

        // Handled and answered on 10-20 (a reply date is never ahead of the day it is entered).
        _server.Clock.Advance(new DateTimeOffset(2025, 10, 20, 10, 0, 0, Cst) - _server.Clock.GetUtcNow());
        foreach (var (step, outcome, fields) in new (string, string, object)[]
        {
            ("review", "accepted", new { }),
            ("handle", "ready-to-reply", new { }),
            ("reply", "partly-disclosed", new { replyDate = "2025-10-20", delivery = "post" }),
        })
        {
            using var done = await ActAsync(zhang, id, "complete", new { step, outcome, fields });
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        using var detail = await zhang.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative));
        var body = await JsonAsync(detail);
        Assert.Equal("archive", body.GetProperty("item").GetProperty("step").GetString());
        Assert.Equal("done-on-time", body.GetProperty("item").GetProperty("light").GetString());
        Assert.Equal("partly-disclosed", body.GetProperty("item").GetProperty("result").GetString());
        // Registered and three steps completed; the server's transition loop may also have recorded that the review's
        // own 7 working days had passed by 10-20 (step-light-changed) before it was completed.
        Assert.Equal(["registered", "complete", "complete", "complete"], body.GetProperty("history").EnumerateArray()
            .Select(h => h.GetProperty("action").GetString()).Where(a => a != "step-light-changed"));
        Assert.Equal("archive", body.GetProperty("assignments")[0].GetProperty("step").GetString());
        Assert.Contains("国庆节、中秋节", body.GetProperty("explanation").GetProperty("zh").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_items_detail_lists_what_the_caller_may_do_now_by_the_same_rules_the_actions_check()
    {
        using var zhang = _server.Client("zhang");
        using var li = _server.Client("li");
        using var zhao = _server.Client("zhao");
        var id = (await JsonAsync(await zhang.PostAsJsonAsync("/api/requests", Request()))).GetProperty("id").GetInt64();
        using var accepted = await ActAsync(zhang, id, "complete", new { step = "review", outcome = "accepted", fields = new { } });

        static async Task<List<string>> ActionsAsync(HttpClient client, long id)
        {
            using var response = await client.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative));
            var body = await JsonAsync(response);
            return body.GetProperty("actions").EnumerateArray()
                .Select(a => a.GetProperty("action").GetString() + (a.GetProperty("outcome").ValueKind == JsonValueKind.String ? ":" + a.GetProperty("outcome").GetString() : string.Empty))
                .ToList();
        }

        // The handler at the handling step: its outcome and every action of the step that fits a running clock.
        Assert.Equal(["complete:ready-to-reply", "pause", "extend", "transfer", "return", "report", "withdraw"], await ActionsAsync(zhang, id));
        // The supervising office may set the deadline (art. 35) and transfer, but not handle.
        Assert.Equal(["override", "transfer"], await ActionsAsync(zhao, id));

        using var paused = await ActAsync(zhang, id, "pause", new { reason = "third-party-consultation" });
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal(["complete:ready-to-reply", "resume", "transfer", "return", "report", "withdraw"], await ActionsAsync(zhang, id));

        // Another bureau's handler cannot see the item at all: the same answer as for an item that does not exist.
        using var elsewhere = await li.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative));
        using var none = await li.GetAsync(new Uri("/api/items/999999", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Equal((await none.Content.ReadAsStringAsync()).Replace("999999", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), await elsewhere.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_credentials_or_with_a_wrong_token_the_answer_is_401_with_a_reason()
    {
        using var anonymous = _server.Client();
        using var forged = _server.Client();
        forged.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sv_forged");

        var none = await ProblemAsync(await anonymous.GetAsync(new Uri("/api/items", UriKind.Relative)), HttpStatusCode.Unauthorized);
        var wrong = await ProblemAsync(await forged.GetAsync(new Uri("/api/items", UriKind.Relative)), HttpStatusCode.Unauthorized);

        Assert.Contains("API token", none.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("The API token is unknown or revoked.", wrong.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Each_error_status_comes_with_its_problem_body_and_nothing_is_half_written()
    {
        using var zhang = _server.Client("zhang");
        using var li = _server.Client("li");
        using var wang = _server.Client("wang");
        var id = await RegisterAsync(zhang);

        using var malformed = await zhang.PostAsync(new Uri("/api/requests", UriKind.Relative), new StringContent("{\"title\": 5,", Encoding.UTF8, "application/json"));
        using var missing = await zhang.PostAsJsonAsync("/api/requests", new { title = "x", department = "市司法局", channel = "pigeon" });
        using var unknown = await zhang.GetAsync(new Uri("/api/items/999999", UriKind.Relative));
        using var forbidden = await ActAsync(li, id, "complete", new { step = "review", outcome = "accepted" });
        using var first = await ActAsync(zhang, id, "complete", new { step = "review", outcome = "accepted" });
        using var twice = await ActAsync(zhang, id, "complete", new { step = "review", outcome = "accepted" });
        using var typedApprover = await ActAsync(zhang, id, "extend", new { workingDays = 20, approver = "王主任", reason = "需调取档案" });
        using var extended = await ActAsync(wang, id, "extend", new { workingDays = 20, reason = "需调取档案" });
        using var over = await ActAsync(wang, id, "extend", new { workingDays = 1, reason = "再延" });
        using var stale = await ActAsync(zhang, id, "pause", new { reason = "third-party-consultation", version = 1 });

        Assert.Contains("not valid JSON", (await ProblemAsync(malformed, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var missingProblem = await ProblemAsync(missing, HttpStatusCode.BadRequest);
        Assert.Contains("channel: 'pigeon' is not one of", missingProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("receivedOn: required", missingProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAsync(unknown, HttpStatusCode.NotFound);
        // Another bureau's handler: scope before state, the unknown item's 404, nothing about the item told.
        Assert.Equal($"Item {id} does not exist.", (await ProblemAsync(forbidden, HttpStatusCode.NotFound)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("already done", (await ProblemAsync(twice, HttpStatusCode.Conflict)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("approver: not accepted", (await ProblemAsync(typedApprover, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        Assert.Equal("Extension would exceed 20 working days: 20 already used, 1 requested.", (await ProblemAsync(over, HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString());
        Assert.Contains("changed by someone else", (await ProblemAsync(stale, HttpStatusCode.Conflict)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        await using var database = new Database(_server.DatabaseSettings);
        await using var connection = await database.OpenAsync(default);
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items"));
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM item_history"));
        var refused = (await connection.QueryAsync<(string Actor, long Status, string Reason)>(
            "SELECT actor, CAST(status AS bigint), reason FROM access_log WHERE allowed = @no ORDER BY id", new { no = false })).ToList();
        Assert.Contains(refused, r => r.Actor == "li" && r.Status == 404);   // another bureau's item: as if it did not exist
        Assert.Contains(refused, r => r.Actor == "wang" && r.Status == 422);
    }

    [Fact]
    public async Task Search_shows_each_user_only_what_their_departments_may_see()
    {
        using var zhang = _server.Client("zhang");
        using var li = _server.Client("li");
        using var zhao = _server.Client("zhao");
        await RegisterAsync(zhang);
        using (await li.PostAsJsonAsync("/api/requests", Request("市教育局")))
        {
        }

        var mine = await JsonAsync(await zhang.GetAsync(new Uri("/api/items?kind=request&light=green", UriKind.Relative)));
        var all = await JsonAsync(await zhao.GetAsync(new Uri("/api/items?text=行政复议", UriKind.Relative)));
        var byDepartment = await JsonAsync(await zhao.GetAsync(new Uri("/api/items?department=市教育局", UriKind.Relative)));
        var bad = await ProblemAsync(await zhao.GetAsync(new Uri("/api/items?light=purple", UriKind.Relative)), HttpStatusCode.BadRequest);

        Assert.Equal(1, mine.GetProperty("total").GetInt64());
        Assert.Equal(2, all.GetProperty("total").GetInt64());
        Assert.Equal("市教育局", byDepartment.GetProperty("items")[0].GetProperty("department").GetProperty("name").GetString());
        Assert.Contains("light: 'purple'", bad.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task People_sign_in_with_a_password_and_carry_a_cookie()
    {
        using var browser = _server.Client();

        using var wrong = await browser.PostAsJsonAsync("/api/session", new { login = "zhang", password = "guess" });
        using var right = await browser.PostAsJsonAsync("/api/session", new { login = "zhang", password = "correct horse battery" });
        using var me = await browser.GetAsync(new Uri("/api/session", UriKind.Relative));

        await ProblemAsync(wrong, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("市司法局", (await JsonAsync(me)).GetProperty("department").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Only_an_admin_replaces_a_calendar_year_and_open_items_follow()
    {
        using var zhang = _server.Client("zhang");
        using var admin = _server.Client("admin");
        var year = new
        {
            year = 2025,
            source = "test correction",
            holidays = new[] { new { name = "国庆节、中秋节", nameEn = "National Day", from = "2025-10-01", to = "2025-10-10" } },
            makeUpDays = Array.Empty<object>(),
        };
        var id = await RegisterAsync(zhang);

        using var refused = await zhang.PutAsJsonAsync("/api/calendars/2025", year);
        using var replaced = await admin.PutAsJsonAsync("/api/calendars/2025", year);
        using var missing = await zhang.GetAsync(new Uri("/api/calendars/2031", UriKind.Relative));
        var item = await JsonAsync(await zhang.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative)));
        Assert.Equal("2025-10-30", item.GetProperty("item").GetProperty("dueOn").GetString());

        await ProblemAsync(refused, HttpStatusCode.Forbidden);
        // Stored at once; the open items follow in a background job whose address the answer gives.
        Assert.Equal(HttpStatusCode.Accepted, replaced.StatusCode);
        var href = replaced.Headers.Location!.OriginalString;
        var accepted = JsonDocument.Parse(await replaced.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(href, accepted.GetProperty("job").GetProperty("href").GetString());
        Assert.Equal("calendar-recompute", accepted.GetProperty("job").GetProperty("kind").GetString());
        Assert.Contains("2025-10-09", accepted.GetProperty("changedDates").EnumerateArray().Select(d => d.GetString()));
        var job = await ApiServer.FinishedJobAsync(admin, href);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal("admin", job.GetProperty("requestedBy").GetString());
        Assert.Equal(1, job.GetProperty("result").GetProperty("itemsRecomputed").GetInt32());
        Assert.Equal(1, job.GetProperty("result").GetProperty("dueDaysMoved").GetInt32());
        using var othersJob = await zhang.GetAsync(new Uri(href, UriKind.Relative));
        await ProblemAsync(othersJob, HttpStatusCode.NotFound);
        item = await JsonAsync(await zhang.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative)));
        var provisional = await JsonAsync(missing);
        Assert.True(provisional.GetProperty("provisional").GetBoolean());
        Assert.Contains(provisional.GetProperty("holidays").EnumerateArray(), h => h.GetProperty("name").GetString() == "元旦" && h.GetProperty("from").GetString() == "2031-01-01");
        Assert.Empty(provisional.GetProperty("makeUpDays").EnumerateArray());
        Assert.NotEqual("2025-10-30", item.GetProperty("item").GetProperty("dueOn").GetString());
    }

    [Fact]
    public async Task The_board_counts_assignments_per_department_and_forecasts_the_coming_changes()
    {
        using var zhang = _server.Client("zhang");
        using var li = _server.Client("li");
        using var zhao = _server.Client("zhao");
        // Received 2025-09-01: due Sunday 2025-09-28 (a make-up working day), yellow now, red within 3 working days.
        using (await zhang.PostAsJsonAsync("/api/requests", new { title = "甲", applicant = "甲", channel = "online", receivedOn = "2025-09-01", department = "市司法局", content = "甲" }))
        {
        }

        // Received 2025-09-15: due 2025-10-17, turns yellow on 2025-10-11, within 7 working days.
        using (await li.PostAsJsonAsync("/api/requests", new { title = "乙", applicant = "乙", channel = "online", receivedOn = "2025-09-15", department = "市教育局", content = "乙" }))
        {
        }

        var board = await JsonAsync(await zhao.GetAsync(new Uri("/api/board", UriKind.Relative)));
        var own = await JsonAsync(await zhang.GetAsync(new Uri("/api/board", UriKind.Relative)));

        Assert.Equal(1, board.GetProperty("totals").GetProperty("green").GetInt32());
        Assert.Equal(1, board.GetProperty("totals").GetProperty("yellow").GetInt32());
        var rows = board.GetProperty("departments").EnumerateArray().ToDictionary(r => r.GetProperty("department").GetString()!, r => r);
        Assert.Equal(1, rows["市司法局"].GetProperty("yellow").GetInt32());
        Assert.Equal(1, rows["市教育局"].GetProperty("green").GetInt32());
        Assert.Equal(0, rows["市自然资源局"].GetProperty("open").GetInt32());
        var forecast = board.GetProperty("forecast").EnumerateArray().Select(f => (f.GetProperty("workingDays").GetInt32(), f.GetProperty("turnYellow").GetInt32(), f.GetProperty("turnRed").GetInt32())).ToList();
        Assert.Equal([(1, 0, 0), (3, 0, 1), (7, 1, 1)], forecast);
        Assert.Equal(["市司法局"], own.GetProperty("departments").EnumerateArray().Select(r => r.GetProperty("department").GetString()));
    }

    [Fact]
    public async Task A_supervision_task_is_registered_assigned_and_handled_per_department_over_http()
    {
        using var zhao = _server.Client("zhao");
        using var zhang = _server.Client("zhang");
        using var handlerTries = await zhang.PostAsJsonAsync("/api/tasks", new { title = "x", content = "x", leadDepartments = new[] { "市司法局" }, deadline = "2025-12-31" });
        using var created = await zhao.PostAsJsonAsync("/api/tasks", new
        {
            title = "推进行政执法信息公开",
            content = "推进行政执法信息公开",
            leadDepartments = new[] { "市司法局" },
            responsibleDepartments = new[] { "市教育局" },
            deadline = "month-end 2025-12",
            plan = "2025年政务公开工作要点",
            planItem = "3",
        });
        var id = (await JsonAsync(created)).GetProperty("id").GetInt64();
        using var assigned = await ActAsync(zhao, id, "complete", new { step = "assign", outcome = "assigned" });
        var detail = await JsonAsync(await zhao.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative)));
        var justice = detail.GetProperty("assignments").EnumerateArray().Single(a => a.GetProperty("department").GetProperty("name").GetString() == "市司法局");
        using var submitted = await ActAsync(zhang, id, "complete", new { step = "handle", outcome = "submitted", assignment = justice.GetProperty("id").GetInt64() });
        using var report = await ActAsync(zhang, id, "report", new { assignment = justice.GetProperty("id").GetInt64(), text = "进展" });

        Assert.Equal(HttpStatusCode.Forbidden, handlerTries.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        Assert.Equal(2, detail.GetProperty("assignments").GetArrayLength());
        Assert.Equal("2025-12-31", justice.GetProperty("dueOn").GetString());
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        Assert.Contains("'report' is not allowed at step 'review'", (await ProblemAsync(report, HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reference_data_and_the_session_are_served()
    {
        using var zhang = _server.Client("zhang");
        using var browser = _server.Client();

        var departments = await JsonAsync(await zhang.GetAsync(new Uri("/api/departments", UriKind.Relative)));
        var definitions = await JsonAsync(await zhang.GetAsync(new Uri("/api/definitions", UriKind.Relative)));
        var year = await JsonAsync(await zhang.GetAsync(new Uri("/api/calendars/2025", UriKind.Relative)));
        using (await browser.PostAsJsonAsync("/api/session", new { login = "zhang", password = "correct horse battery" }))
        {
        }

        using var signedIn = await browser.GetAsync(new Uri("/api/session", UriKind.Relative));
        using var signOut = await browser.DeleteAsync(new Uri("/api/session", UriKind.Relative));
        using var signedOut = await browser.GetAsync(new Uri("/api/session", UriKind.Relative));

        Assert.Contains(departments.EnumerateArray(), d => d.GetProperty("name").GetString() == "市政府办公室" && d.GetProperty("aliases")[0].GetString() == "市府办");
        Assert.Equal(["disclosure-request", "supervision-task"], definitions.EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal(6, definitions[0].GetProperty("steps").GetArrayLength());
        Assert.Equal(2025, year.GetProperty("year").GetInt32());
        Assert.Contains(year.GetProperty("makeUpDays").EnumerateArray(), m => m.GetProperty("date").GetString() == "2025-09-28");
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, signedOut.StatusCode);
    }

    [Fact]
    public async Task The_inbox_lists_my_notices_once_and_marks_them_read()
    {
        var notices = (Supervision.Host.Notices.NoticeStore)_server.Services.GetService(typeof(Supervision.Host.Notices.NoticeStore))!;
        var users = (UserStore)_server.Services.GetService(typeof(UserStore))!;
        var zhangId = (await users.FindByLoginAsync("zhang", default))!.Id;
        var notice = new Supervision.Host.Notices.NewNotice("test:red:zhang", "inbox", "red", zhangId, null, "申请已超期", "请尽快办理", null, "light-changed");
        Assert.True(await notices.EnqueueAsync(notice, default));
        Assert.False(await notices.EnqueueAsync(notice, default));
        using var zhang = _server.Client("zhang");
        using var li = _server.Client("li");

        var inbox = await JsonAsync(await zhang.GetAsync(new Uri("/api/notices", UriKind.Relative)));
        var others = await JsonAsync(await li.GetAsync(new Uri("/api/notices", UriKind.Relative)));
        var id = inbox.GetProperty("notices")[0].GetProperty("id").GetInt64();
        using var notMine = await li.PostAsync(new Uri($"/api/notices/{id}/read", UriKind.Relative), null);
        using var read = await zhang.PostAsync(new Uri($"/api/notices/{id}/read", UriKind.Relative), null);
        var unread = await JsonAsync(await zhang.GetAsync(new Uri("/api/notices?unread=true", UriKind.Relative)));

        Assert.Equal(1, inbox.GetProperty("total").GetInt64());
        Assert.Equal(1, inbox.GetProperty("unread").GetInt64());
        Assert.Equal("申请已超期", inbox.GetProperty("notices")[0].GetProperty("subject").GetString());
        // The light it reports, for the page to draw as the board does.
        Assert.Equal("red", inbox.GetProperty("notices")[0].GetProperty("light").GetString());
        Assert.False(inbox.GetProperty("notices")[0].GetProperty("stepLimit").GetBoolean());
        Assert.Equal(0, others.GetProperty("total").GetInt64());
        await ProblemAsync(notMine, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NoContent, read.StatusCode);
        Assert.Equal(0, unread.GetProperty("total").GetInt64());
    }
}

public sealed class SqliteItemsApiTests() : ItemsApiTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresItemsApiTests() : ItemsApiTests(DatabaseProvider.PostgreSql);

/// <summary>The OpenAPI document and the token subcommands, on SQLite.</summary>
[Collection(Infrastructure.ProcessEnvironment.Name)]
public sealed class ApiDocumentAndTokenTests : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(DatabaseProvider.Sqlite, DateTimeOffset.UtcNow);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_openapi_document_is_served_without_signing_in_and_lists_the_endpoints()
    {
        using var anonymous = _server.Client();

        using var response = await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(text);
        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/requests", "/api/tasks", "/api/items", "/api/items/{id}", "/api/items/{id}/actions/{action}", "/api/calendars/{year}", "/api/session" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the document");
        }

        Assert.Equal("Supervision API", document.RootElement.GetProperty("info").GetProperty("title").GetString());

        // A contract programs can build on: every operation named and summarised (ids unique), the two sign-ins
        // declared and required by every operation but signing in and setting up a fresh office, each error answer a problem.
        var schemes = document.RootElement.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(("http", "bearer"), (schemes.GetProperty("bearer").GetProperty("type").GetString(), schemes.GetProperty("bearer").GetProperty("scheme").GetString()));
        Assert.Equal(("apiKey", "cookie"), (schemes.GetProperty("cookie").GetProperty("type").GetString(), schemes.GetProperty("cookie").GetProperty("in").GetString()));
        var ids = new List<string>();
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var what = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("summary").GetString()), what);
                ids.Add(operation.Value.GetProperty("operationId").GetString()!);
                var security = operation.Value.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Order(StringComparer.Ordinal).ToList();
                Assert.Equal(what is "POST /api/session" or "GET /api/setup" or "POST /api/setup" or "POST /api/display-session" ? [] : ["bearer", "cookie"], security);
                var responses = operation.Value.GetProperty("responses");
                Assert.True(responses.EnumerateObject().Any(r => r.Name.StartsWith('4')), what);
            }
        }

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.True(ids.Count >= 29);

        // Each endpoint's own refusals, from the Results<...> union it returns, as problem details; and what it
        // answers when it succeeds.
        string[] Statuses(string path, string method) =>
            [.. paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal)];
        Assert.Equal(["200", "400", "401", "403", "404", "409", "422", "429"], Statuses("/api/items/{id}/actions/{action}", "post"));
        Assert.Equal(["201", "400", "401", "403", "404", "409", "422", "429"], Statuses("/api/requests", "post"));
        // Confirmed in place (200) or, for a large plan, by a background job (202), as the calendar's recomputation.
        Assert.Equal(["200", "202", "400", "401", "403", "404", "409", "422", "429"], Statuses("/api/imports/{id}/confirm", "post"));
        Assert.Equal(["200", "202", "400", "401", "403", "404", "409", "422", "429"], Statuses("/api/calendars/{year}", "put"));
        Assert.Equal(["200", "400", "401", "403", "404", "429"], Statuses("/api/jobs/{id}", "get"));
        Assert.Equal(["202", "400", "401", "403", "429"], Statuses("/api/board/recount", "post"));
        Assert.Equal(["201", "400", "401", "403", "413", "422", "429"], Statuses("/api/imports", "post"));
        Assert.Equal(["200", "400", "401", "429"], Statuses("/api/session", "post"));
        Assert.Contains("404", Statuses("/api/calendars/{year}", "get"));
        Assert.DoesNotContain("409", Statuses("/api/items/{id}", "get"));
        var conflict = paths.GetProperty("/api/items/{id}/actions/{action}").GetProperty("post").GetProperty("responses").GetProperty("409").GetProperty("content");
        Assert.True(conflict.TryGetProperty("application/problem+json", out _));
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                Assert.True(operation.Value.GetProperty("responses").EnumerateObject().Any(r => r.Name.StartsWith('2')), $"{operation.Name} {path.Name} says nothing of success");
            }
        }
    }

    [Fact]
    public async Task A_token_created_on_the_command_line_works_until_it_is_revoked()
    {
        using var _ = new Infrastructure.EnvironmentVariable(DatabaseSettings.EnvironmentVariable, _server.DatabaseSettings.ConnectionString);

        var (created, token, _) = await Infrastructure.CliRunner.RunAsync("tokens", "create", "--user", "zhao", "--name", "dashboard");
        using var client = _server.Client();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Trim());
        using var before = await client.GetAsync(new Uri("/api/session", UriKind.Relative));
        var (_, listed, _) = await Infrastructure.CliRunner.RunAsync("tokens", "list", "--user", "zhao");
        var id = listed.Split('\n').First(l => l.Contains("dashboard", StringComparison.Ordinal)).Split('\t')[0];
        var (revoked, _, _) = await Infrastructure.CliRunner.RunAsync("tokens", "revoke", id);
        using var after = await client.GetAsync(new Uri("/api/session", UriKind.Relative));
        var (unknownUser, _, unknownError) = await Infrastructure.CliRunner.RunAsync("tokens", "create", "--user", "nobody");

        Assert.Equal(0, created);
        Assert.StartsWith("sv_", token, StringComparison.Ordinal);
        Assert.Single(token.Trim().Split('\n'));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.DoesNotContain(token.Trim(), listed, StringComparison.Ordinal);
        Assert.Equal(0, revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(2, unknownUser);
        Assert.Contains("No user 'nobody'", unknownError, StringComparison.Ordinal);
    }
}

/// <summary>Limits that keep one caller from hurting the others.</summary>
public sealed class ApiLimitTests
{
    [Fact]
    public async Task Over_the_rate_limit_is_429_with_problem_details_and_other_users_are_not_affected()
    {
        await using var server = await ApiServer.StartAsync(DatabaseProvider.Sqlite, DateTimeOffset.UtcNow, new Dictionary<string, string> { ["Supervision:RateLimit:PermitsPerMinute"] = "3" });
        using var zhang = server.Client("zhang");
        using var li = server.Client("li");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await zhang.GetAsync(new Uri("/api/session", UriKind.Relative));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("60", response.Headers.GetValues("Retry-After").Single());
            }
        }

        using var other = await li.GetAsync(new Uri("/api/session", UriKind.Relative));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task The_limit_holds_after_a_health_check_for_users_and_for_anonymous_sign_ins()
    {
        // A health check once made a "no limit" partition under the caller's own key, kept from then on: after one
        // GET /health, 200 wrong passwords in 9 seconds were all answered.
        await using var server = await ApiServer.StartAsync(DatabaseProvider.Sqlite, DateTimeOffset.UtcNow, new Dictionary<string, string> { ["Supervision:RateLimit:PermitsPerMinute"] = "3" });
        using var zhang = server.Client("zhang");
        using var anonymous = server.Client();

        var health = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var z = await zhang.GetAsync(new Uri("/health", UriKind.Relative));
            using var a = await anonymous.GetAsync(new Uri("/health", UriKind.Relative));
            health.AddRange([z.StatusCode, a.StatusCode]);
        }

        var user = new List<HttpStatusCode>();
        var signIns = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var me = await zhang.GetAsync(new Uri("/api/session", UriKind.Relative));
            using var guess = await anonymous.PostAsJsonAsync("/api/session", new { login = "zhang", password = $"guess-{i}" });
            user.Add(me.StatusCode);
            signIns.Add(guess.StatusCode);
        }

        Assert.All(health, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], user);
        Assert.Equal(HttpStatusCode.TooManyRequests, signIns[^1]);
        Assert.DoesNotContain(HttpStatusCode.OK, signIns);
    }

    [Fact]
    public async Task A_page_far_beyond_the_end_is_empty_not_the_first_page_again()
    {
        // page × pageSize overflowed 32 bits: page 2147483647 answered the first page.
        await using var server = await ApiServer.StartAsync(DatabaseProvider.Sqlite, DateTimeOffset.UtcNow);
        using var zhang = server.Client("zhang");
        using var created = await zhang.PostAsJsonAsync("/api/requests", new { title = "申请", applicant = "李某", channel = "post", receivedOn = DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), department = "市司法局", content = "内容" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        foreach (var path in new[] { "/api/items?page=2147483647&pageSize=200", "/api/items?page=2147483647&pageSize=200&department=市司法局", "/api/notices?page=2147483647&pageSize=200" })
        {
            using var response = await zhang.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var list = page.RootElement.TryGetProperty("items", out var items) ? items : page.RootElement.GetProperty("notices");
            Assert.Equal(0, list.GetArrayLength());
        }
    }

    [Fact]
    public async Task An_oversized_body_or_title_is_refused_before_anything_is_written()
    {
        await using var server = await ApiServer.StartAsync(DatabaseProvider.Sqlite, DateTimeOffset.UtcNow);
        using var zhang = server.Client("zhang");

        using var huge = await zhang.PostAsync(new Uri("/api/requests", UriKind.Relative),
            new StringContent("{\"title\":\"" + new string('x', 1_100_000) + "\"}", Encoding.UTF8, "application/json"));
        using var longTitle = await zhang.PostAsJsonAsync("/api/requests", new { title = new string('长', 501), applicant = "a", channel = "post", receivedOn = "2025-09-26", department = "市司法局", content = "c" });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        var hugeBody = await huge.Content.ReadAsStringAsync();
        Assert.True(hugeBody.Contains("at most 1024 KiB", StringComparison.Ordinal), hugeBody);
        Assert.Equal(HttpStatusCode.BadRequest, longTitle.StatusCode);
        Assert.Contains("title: at most 500 characters", await longTitle.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var database = new Database(server.DatabaseSettings);
        await using var connection = await database.OpenAsync(default);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items"));
    }
}

/// <summary>The running server changes lights by itself when their instant comes and tells the handler.</summary>
public sealed class TransitionLoopTests
{
    [Fact]
    public async Task The_server_turns_a_light_yellow_when_its_instant_comes_and_the_handler_finds_a_notice()
    {
        var cst = TimeSpan.FromHours(8);
        await using var server = await ApiServer.StartAsync(DatabaseProvider.Sqlite, new DateTimeOffset(2025, 9, 26, 10, 0, 0, cst),
            new Dictionary<string, string> { ["Supervision:Transitions:SafetySweep"] = "00:00:00.100" });
        using var zhang = server.Client("zhang");
        using var created = await zhang.PostAsJsonAsync("/api/requests", new { title = "申请", applicant = "李某", channel = "post", receivedOn = "2025-09-26", department = "市司法局", content = "内容" });
        using var createdBody = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var id = createdBody.RootElement.GetProperty("id").GetInt64();
        // Accepted: at handling only the reply deadline lights (the review's own 7 days would have run out too).
        using var accepted = await zhang.PostAsJsonAsync($"/api/items/{id}/actions/complete", new { step = "review", outcome = "accepted" });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        server.Clock.Advance(new DateTimeOffset(2025, 10, 23, 0, 0, 1, cst) - server.Clock.GetUtcNow());
        string? light = null;
        for (var i = 0; i < 300 && light != "yellow"; i++)
        {
            await Task.Delay(100);
            using var item = JsonDocument.Parse(await zhang.GetStringAsync(new Uri($"/api/items/{id}", UriKind.Relative)));
            light = item.RootElement.GetProperty("item").GetProperty("light").GetString();
        }

        using var inbox = JsonDocument.Parse(await zhang.GetStringAsync(new Uri("/api/notices", UriKind.Relative)));

        Assert.Equal("yellow", light);
        Assert.Equal(1, inbox.RootElement.GetProperty("total").GetInt64());
        Assert.StartsWith("【临近办理期限（黄灯）】申请", inbox.RootElement.GetProperty("notices")[0].GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Equal("yellow", inbox.RootElement.GetProperty("notices")[0].GetProperty("light").GetString());
    }
}

/// <summary>Hangfire holds the nightly overdue run in the product's database, in the office's zone.</summary>
public abstract class SchedulerTests(DatabaseProvider provider)
{
    [Fact]
    public async Task The_overdue_run_is_a_recurring_job_in_the_office_zone_and_urges_overdue_work_once_a_day()
    {
        var cst = TimeSpan.FromHours(8);
        await using var server = await ApiServer.StartAsync(provider, new DateTimeOffset(2025, 9, 26, 10, 0, 0, cst));
        using var zhang = server.Client("zhang");
        using (var created = await zhang.PostAsJsonAsync("/api/requests", new { title = "逾期申请", applicant = "李某", channel = "post", receivedOn = "2025-08-01", department = "市司法局", content = "内容" }))
        {
            Assert.Equal("red", JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("light").GetString());
        }

        var storage = server.Services.GetRequiredService<Hangfire.JobStorage>();
        using (var connection = storage.GetConnection())
        {
            var overdue = Assert.Single(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection), r => r.Id == "overdue-run");
            Assert.Equal("0 2 * * *", overdue.Cron);
            Assert.Equal("Asia/Shanghai", overdue.TimeZoneId);
            // Next at 02:00 in Beijing, which is 18:00 UTC.
            Assert.Equal(18, overdue.NextExecution!.Value.Hour);
        }

        // Run now (as an administrator's "trigger" on the dashboard does), twice: the second finds nothing new that day.
        var recurring = server.Services.GetRequiredService<Hangfire.IRecurringJobManager>();
        await using var database = new Database(server.DatabaseSettings);
        long urging = 0;
        foreach (var run in new[] { 1, 2 })
        {
            recurring.Trigger("overdue-run");
            var monitoring = storage.GetMonitoringApi();
            for (var i = 0; i < 1200 && monitoring.SucceededJobs(0, 100).Count(j => j.Value.Job?.Method.Name == nameof(Supervision.Host.Scheduling.RecurringRuns.OverdueAsync)) < run; i++)
            {
                await Task.Delay(100);
            }

            await using var connection = await database.OpenAsync(default);
            urging = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notices WHERE kind = 'urging'");
            Assert.Equal(2, urging);
        }
    }
}

public sealed class SqliteSchedulerTests() : SchedulerTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresSchedulerTests() : SchedulerTests(DatabaseProvider.PostgreSql);
