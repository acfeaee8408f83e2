using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Cli;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// The administration over HTTP: people and their sessions, API tokens, notice channels with a test message, the
/// access log with what each change changed, and the health summary, on both providers.
/// </summary>
public abstract class AdministrationTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, DateTimeOffset.UtcNow);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
            if (body.Length == 0)
            {
                return default;
            }

            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static Uri At(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task People_are_added_and_changed_and_a_new_role_a_new_password_or_disabling_ends_their_sessions_at_once()
    {
        using var admin = _server.Client("admin");
        using var zhang = _server.Client("zhang");

        var added = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/users", new { login = "chenjing", displayName = "陈静", role = "handler", department = "市司法局", password = "given by the admin 7", email = "chen@example.org" }), HttpStatusCode.Created);
        Assert.Equal(("陈静", "市司法局", true, false), (added.GetProperty("displayName").GetString(), added.GetProperty("department").GetProperty("name").GetString(), added.GetProperty("mustChangePassword").GetBoolean(), added.GetProperty("disabled").GetBoolean()));

        // Refusals name the field and add nobody.
        var taken = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/users", new { login = "CHENJING", displayName = "另一个", role = "handler", department = "市司法局", password = "given by the admin 7" }), HttpStatusCode.Conflict);
        Assert.Contains("already in use", taken.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var weak = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/users", new { login = "xiaoli", displayName = "小李", role = "handler", department = "市司法局", password = "1234567890" }), HttpStatusCode.BadRequest);
        Assert.StartsWith("password:", weak.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var noPassword = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/users", new { login = "xiaoli", displayName = "小李", role = "handler", department = "市司法局" }), HttpStatusCode.BadRequest);
        Assert.StartsWith("password:", noPassword.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var unknownDepartment = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/users", new { login = "xiaoli", displayName = "小李", role = "handler", department = "不存在的局", password = "given by the admin 7" }), HttpStatusCode.BadRequest);
        Assert.StartsWith("department:", unknownDepartment.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var stray = await JsonAsync(await admin.PatchAsync(At("/api/admin/users/chenjing"), Json("""{"shoeSize":42}""")), HttpStatusCode.BadRequest);
        Assert.StartsWith("shoeSize:", stray.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var nobody = await JsonAsync(await admin.GetAsync(At("/api/admin/users?text=xiaoli")), HttpStatusCode.OK);
        Assert.Equal(0, nobody.GetArrayLength());

        // Filters: 市司法局's handlers are zhang and chenjing, not 市教育局's li; a handler may not read the list.
        var handlers = await JsonAsync(await admin.GetAsync(At("/api/admin/users?role=handler&department=市司法局")), HttpStatusCode.OK);
        Assert.Equal(["chenjing", "zhang"], handlers.EnumerateArray().Select(u => u.GetProperty("login").GetString()));
        using (var refused = await zhang.GetAsync(At("/api/admin/users")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // She signs in, chooses her password, and works.
        using var browser = _server.Client();
        async Task<HttpStatusCode> SignInAsync(string password)
        {
            using var response = await browser.PostAsJsonAsync("/api/session", new { login = "chenjing", password });
            return response.StatusCode;
        }

        async Task<HttpStatusCode> BoardAsync()
        {
            using var response = await browser.GetAsync(At("/api/board"));
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await SignInAsync("given by the admin 7"));
        await JsonAsync(await browser.PutAsJsonAsync("/api/session/password", new { current = "given by the admin 7", @new = "陈静自己的密码2026" }), HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.OK, await BoardAsync());

        // A new role ends her session at once; the record says so.
        var lead = await JsonAsync(await admin.PatchAsync(At("/api/admin/users/chenjing"), Json("""{"role":"lead","displayName":"陈静（科长）"}""")), HttpStatusCode.OK);
        Assert.Equal(("lead", "陈静（科长）"), (lead.GetProperty("role").GetString(), lead.GetProperty("displayName").GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, await BoardAsync());

        // A new password from the administrator: the session ends and she must choose her own again.
        Assert.Equal(HttpStatusCode.OK, await SignInAsync("陈静自己的密码2026"));
        var reset = await JsonAsync(await admin.PatchAsync(At("/api/admin/users/chenjing"), Json("""{"password":"reset by the admin 9"}""")), HttpStatusCode.OK);
        Assert.True(reset.GetProperty("mustChangePassword").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, await BoardAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync("陈静自己的密码2026"));
        Assert.Equal(HttpStatusCode.OK, await SignInAsync("reset by the admin 9"));
        Assert.Equal(HttpStatusCode.Forbidden, await BoardAsync());
        await JsonAsync(await browser.PutAsJsonAsync("/api/session/password", new { current = "reset by the admin 9", @new = "陈静又选的密码2027" }), HttpStatusCode.NoContent);

        // Signed out by the administrator; then disabled: no sign-in at all; the address removed.
        await JsonAsync(await admin.PostAsync(At("/api/admin/users/chenjing/sign-out"), null), HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.Unauthorized, await BoardAsync());
        var disabled = await JsonAsync(await admin.PatchAsync(At("/api/admin/users/chenjing"), Json("""{"disabled":true,"email":null}""")), HttpStatusCode.OK);
        Assert.Equal((true, JsonValueKind.Null), (disabled.GetProperty("disabled").GetBoolean(), disabled.GetProperty("email").ValueKind));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync("陈静又选的密码2027"));
        var moved = await JsonAsync(await admin.PatchAsync(At("/api/admin/users/chenjing"), Json("""{"disabled":false,"department":"市教育局"}""")), HttpStatusCode.OK);
        Assert.Equal("市教育局", moved.GetProperty("department").GetProperty("name").GetString());

        // The only administrator can neither be demoted nor disabled: someone must still administer.
        var last = await JsonAsync(await admin.PatchAsync(At("/api/admin/users/admin"), Json("""{"role":"supervisor"}""")), HttpStatusCode.Conflict);
        Assert.Contains("last active administrator", last.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await JsonAsync(await admin.PatchAsync(At("/api/admin/users/nobody"), Json("""{"role":"lead"}""")), HttpStatusCode.NotFound);

        // Every change is in the access log, newest first, with what it changed and never a password.
        var log = await JsonAsync(await admin.GetAsync(At("/api/admin/access-log?user=admin&route=/api/admin/users&status=2xx")), HttpStatusCode.OK);
        var details = log.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("detail").GetString() ?? string.Empty).ToList();
        Assert.Equal(6, details.Count);
        Assert.Equal("chenjing: department: 市司法局 → 市教育局; enabled", details[0]);
        Assert.Contains(details, d => d.Contains("role: handler → lead", StringComparison.Ordinal));
        Assert.Contains(details, d => d.Contains("password reset", StringComparison.Ordinal));
        Assert.DoesNotContain(details, d => d.Contains("reset by the admin 9", StringComparison.Ordinal));
        Assert.Equal("added chenjing (陈静), handler of 市司法局", details[^1]);

        // Paged: one at a time, each page's next address going on from where it ended.
        var first = await JsonAsync(await admin.GetAsync(At("/api/admin/access-log?user=admin&route=/api/admin/users&status=2xx&limit=4")), HttpStatusCode.OK);
        var next = first.GetProperty("next").GetString()!;
        var second = await JsonAsync(await admin.GetAsync(At(next)), HttpStatusCode.OK);
        Assert.Equal(details, first.GetProperty("entries").EnumerateArray().Concat(second.GetProperty("entries").EnumerateArray()).Select(e => e.GetProperty("detail").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
        var refusedEntries = await JsonAsync(await admin.GetAsync(At("/api/admin/access-log?status=4xx&route=/api/admin/users")), HttpStatusCode.OK);
        Assert.Contains(refusedEntries.GetProperty("entries").EnumerateArray(), e => e.GetProperty("status").GetInt32() == 409 && e.GetProperty("reason").GetString()!.Contains("last active administrator", StringComparison.Ordinal));
        var badStatus = await JsonAsync(await admin.GetAsync(At("/api/admin/access-log?status=teapot")), HttpStatusCode.BadRequest);
        Assert.StartsWith("status:", badStatus.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_is_shown_once_works_until_revoked_and_is_listed_without_itself()
    {
        using var admin = _server.Client("admin");
        var created = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/users/wang/tokens", new { name = "政务服务网对接" }), HttpStatusCode.Created);
        var token = created.GetProperty("token").GetString()!;
        var id = created.GetProperty("id").GetInt64();
        Assert.StartsWith("sv_", token, StringComparison.Ordinal);

        using var program = _server.Client();
        program.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var me = await JsonAsync(await program.GetAsync(At("/api/session")), HttpStatusCode.OK);
        Assert.Equal("wang", me.GetProperty("login").GetString());

        var listed = await JsonAsync(await admin.GetAsync(At("/api/admin/users/wang/tokens")), HttpStatusCode.OK);
        var row = listed.EnumerateArray().Single(t => t.GetProperty("id").GetInt64() == id);
        Assert.Equal("政务服务网对接", row.GetProperty("name").GetString());
        Assert.DoesNotContain(token, listed.GetRawText(), StringComparison.Ordinal);

        await JsonAsync(await admin.DeleteAsync(At($"/api/admin/tokens/{id}")), HttpStatusCode.NoContent);
        await JsonAsync(await program.GetAsync(At("/api/session")), HttpStatusCode.Unauthorized);
        await JsonAsync(await admin.DeleteAsync(At($"/api/admin/tokens/{id}")), HttpStatusCode.NotFound);
        await JsonAsync(await admin.GetAsync(At("/api/admin/users/nobody/tokens")), HttpStatusCode.NotFound);
        var unnamed = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/users/wang/tokens", new { name = " " }), HttpStatusCode.BadRequest);
        Assert.StartsWith("name:", unnamed.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_channel_is_added_tested_with_the_receivers_answer_changed_and_removed()
    {
        using var admin = _server.Client("admin");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = """{"received":true}""";
        var added = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/channels", new { department = "市司法局", channel = "webhook", address = receiver.Address, secret = "s3cret" }), HttpStatusCode.Created);
        var id = added.GetProperty("id").GetInt64();
        Assert.Equal((true, "市司法局", JsonValueKind.Null), (added.GetProperty("hasSecret").GetBoolean(), added.GetProperty("department").GetProperty("name").GetString(), added.GetProperty("lastDelivery").ValueKind));
        Assert.DoesNotContain("s3cret", added.GetRawText(), StringComparison.Ordinal);
        await JsonAsync(await admin.PostAsJsonAsync("/api/admin/channels", new { department = "市司法局", channel = "webhook", address = receiver.Address }), HttpStatusCode.Conflict);
        var badAddress = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/channels", new { department = "市司法局", channel = "webhook", address = "ftp://example.org/x" }), HttpStatusCode.BadRequest);
        Assert.StartsWith("address:", badAddress.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var badKind = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/channels", new { department = "市司法局", channel = "pigeon", address = receiver.Address }), HttpStatusCode.BadRequest);
        Assert.StartsWith("channel:", badKind.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A test message now: it arrives signed, and the receiver's answer is shown.
        var tested = await JsonAsync(await admin.PostAsync(At($"/api/admin/channels/{id}/test"), null), HttpStatusCode.OK);
        Assert.True(tested.GetProperty("delivered").GetBoolean(), tested.GetRawText());
        Assert.Equal("200 OK: {\"received\":true}", tested.GetProperty("answer").GetString());
        var hook = Assert.Single(receiver.Received);
        Assert.StartsWith("sha256=", hook.Signature, StringComparison.Ordinal);
        using (var sent = JsonDocument.Parse(hook.Body))
        {
            Assert.Contains("测试", sent.RootElement.GetProperty("subject").GetString(), StringComparison.Ordinal);
        }

        // The receiver fails: the answer says how, and the channel shows its last failure beside its last delivery.
        receiver.Status = 503;
        receiver.Answer = null;
        var failed = await JsonAsync(await admin.PostAsync(At($"/api/admin/channels/{id}/test"), null), HttpStatusCode.OK);
        Assert.False(failed.GetProperty("delivered").GetBoolean());
        Assert.Contains("503", failed.GetProperty("answer").GetString(), StringComparison.Ordinal);
        var listed = (await JsonAsync(await admin.GetAsync(At("/api/admin/channels")), HttpStatusCode.OK)).EnumerateArray().Single(c => c.GetProperty("id").GetInt64() == id);
        Assert.Equal(JsonValueKind.String, listed.GetProperty("lastDelivery").ValueKind);
        Assert.Contains("503", listed.GetProperty("lastFailure").GetProperty("error").GetString(), StringComparison.Ordinal);

        // Changed: no secret any more, another department; then removed.
        var changed = await JsonAsync(await admin.PatchAsync(At($"/api/admin/channels/{id}"), Json("""{"secret":null,"department":"市教育局"}""")), HttpStatusCode.OK);
        Assert.Equal((false, "市教育局"), (changed.GetProperty("hasSecret").GetBoolean(), changed.GetProperty("department").GetProperty("name").GetString()));
        await JsonAsync(await admin.DeleteAsync(At($"/api/admin/channels/{id}")), HttpStatusCode.NoContent);
        await JsonAsync(await admin.PostAsync(At($"/api/admin/channels/{id}/test"), null), HttpStatusCode.NotFound);
        Assert.Equal(0, (await JsonAsync(await admin.GetAsync(At("/api/admin/channels")), HttpStatusCode.OK)).GetArrayLength());
        var log = await JsonAsync(await admin.GetAsync(At("/api/admin/access-log?route=/api/admin/channels")), HttpStatusCode.OK);
        Assert.Contains(log.GetProperty("entries").EnumerateArray(), e => e.GetProperty("detail").GetString() == $"channel {id}: secret removed, department set; now webhook {receiver.Address} for 市教育局");
    }

    [Fact]
    public async Task The_health_summary_shows_the_database_the_jobs_the_nightly_run_failed_notices_and_the_last_verification()
    {
        using var admin = _server.Client("admin");
        using var zhao = _server.Client("zhao");
        var health = await JsonAsync(await admin.GetAsync(At("/api/admin/health")), HttpStatusCode.OK);
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        var data = health.GetProperty("database").GetProperty("data");
        Assert.Equal(data.GetProperty("latestSchemaVersion").GetInt32(), data.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(provider == DatabaseProvider.PostgreSql ? "postgresql" : "sqlite", data.GetProperty("provider").GetString());
        var recurring = health.GetProperty("jobs").GetProperty("recurring").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(["history-digest", "light-daily", "monthly-circulation", "overdue-run"], recurring);
        Assert.Equal("0 2 * * *", health.GetProperty("lastNightlyRun").GetProperty("cron").GetString());
        Assert.Equal(JsonValueKind.Null, health.GetProperty("history").GetProperty("lastVerification").ValueKind);
        await JsonAsync(await zhao.GetAsync(At("/api/admin/health")), HttpStatusCode.Forbidden);

        var job = await JsonAsync(await zhao.PostAsync(At("/api/history/verify"), null), HttpStatusCode.Accepted);
        Assert.Equal("succeeded", (await ApiServer.FinishedJobAsync(admin, job.GetProperty("href").GetString()!)).GetProperty("status").GetString());
        var verified = (await JsonAsync(await admin.GetAsync(At("/api/admin/health")), HttpStatusCode.OK)).GetProperty("history").GetProperty("lastVerification");
        Assert.Equal(("zhao", true), (verified.GetProperty("requestedBy").GetString(), verified.GetProperty("intact").GetBoolean()));
    }
}

public sealed class SqliteAdministrationTests() : AdministrationTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresAdministrationTests() : AdministrationTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The State Council's notice pasted as text: previewed (what it says day by day and whose due days it would move,
/// nothing stored), refused naming the line when it cannot be read exactly, and applied as a background job.
/// </summary>
public abstract class AdminCalendarTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2027, 2, 15, 10, 0, 0, TimeSpan.FromHours(8)));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static Uri At(string path) => new(path, UriKind.Relative);

    private static StringContent Text(string text, string type = "text/plain") => new(text, Encoding.UTF8, type);

    [Fact]
    public async Task A_pasted_notice_is_previewed_with_the_due_days_it_would_move_then_applied_as_a_job()
    {
        using var admin = _server.Client("admin");
        using var zhang = _server.Client("zhang");
        // Received 2027-01-18: on the law's provisional 2027 (02-11 and 02-12 worked) due 02-19; on the notice 02-22.
        var request = await AdministrationTests.JsonAsync(await zhang.PostAsJsonAsync("/api/requests", new { title = "春节前收到的申请", applicant = "甲", channel = "online", receivedOn = "2027-01-18", department = "市司法局", content = "甲" }), HttpStatusCode.Created);
        var id = request.GetProperty("id").GetInt64();
        async Task<string?> DueAsync() => (await AdministrationTests.JsonAsync(await zhang.GetAsync(At($"/api/items/{id}")), HttpStatusCode.OK)).GetProperty("item").GetProperty("dueOn").GetString();
        Assert.Equal("2027-02-19", await DueAsync());

        var years = await AdministrationTests.JsonAsync(await admin.GetAsync(At("/api/admin/calendars")), HttpStatusCode.OK);
        var y2027 = years.GetProperty("years").EnumerateArray().Single(y => y.GetProperty("year").GetInt32() == 2027);
        Assert.Equal(("provisional", 2028), (y2027.GetProperty("source").GetString(), years.GetProperty("years")[0].GetProperty("year").GetInt32()));
        Assert.Contains(years.GetProperty("years").EnumerateArray(), y => y.GetProperty("source").GetString() == "shipped");

        var preview = await AdministrationTests.JsonAsync(await admin.PostAsync(At("/api/admin/calendars/2027/notice"), Text(CalendarCommandTests.Notice2027)), HttpStatusCode.OK);
        Assert.Equal(2027, preview.GetProperty("year").GetInt32());
        Assert.Contains("2027-02-11", preview.GetProperty("holidays").EnumerateArray().Select(d => d.GetString()));
        Assert.Contains("2027-02-20", preview.GetProperty("workdays").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("provisional", preview.GetProperty("inForce").GetString());
        var items = preview.GetProperty("openItems");
        Assert.Equal((1L, 1), (items.GetProperty("lookedAt").GetInt64(), items.GetProperty("dueDaysMove").GetInt32()));
        var move = items.GetProperty("examples")[0];
        Assert.Equal((id, "2027-02-19", "2027-02-22"), (move.GetProperty("itemId").GetInt64(), move.GetProperty("dueOn").GetString(), move.GetProperty("newDueOn").GetString()));
        Assert.Equal("2027-02-19", await DueAsync());

        // Refusals: a notice that cannot be read exactly names its line; another year than the address; not text.
        var broken = await AdministrationTests.JsonAsync(await admin.PostAsync(At("/api/admin/calendars/2027/notice"), Text(CalendarCommandTests.Notice2027.Replace("2月20日（周六）上班", "2月31日（周六）上班", StringComparison.Ordinal))), HttpStatusCode.BadRequest);
        Assert.Contains("line ", broken.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var otherYear = await AdministrationTests.JsonAsync(await admin.PostAsync(At("/api/admin/calendars/2028/notice"), Text(CalendarCommandTests.Notice2027)), HttpStatusCode.BadRequest);
        Assert.Contains("not 2028", otherYear.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AdministrationTests.JsonAsync(await admin.PostAsync(At("/api/admin/calendars/2027/notice"), Text("{}", "application/json")), HttpStatusCode.UnsupportedMediaType);
        await AdministrationTests.JsonAsync(await zhang.PostAsync(At("/api/admin/calendars/2027/notice"), Text(CalendarCommandTests.Notice2027)), HttpStatusCode.Forbidden);
        Assert.Equal("2027-02-19", await DueAsync());

        // Applied: stored at once, the open items recomputed by a background job.
        var applied = await AdministrationTests.JsonAsync(await admin.PostAsync(At("/api/admin/calendars/2027/notice?apply=true"), Text(CalendarCommandTests.Notice2027)), HttpStatusCode.Accepted);
        var job = await ApiServer.FinishedJobAsync(admin, applied.GetProperty("job").GetProperty("href").GetString()!);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(1, job.GetProperty("result").GetProperty("dueDaysMoved").GetInt32());
        Assert.Equal("2027-02-22", await DueAsync());
        var after = await AdministrationTests.JsonAsync(await admin.GetAsync(At("/api/admin/calendars")), HttpStatusCode.OK);
        var stored = after.GetProperty("years").EnumerateArray().Single(y => y.GetProperty("year").GetInt32() == 2027);
        Assert.Equal(("stored", "admin"), (stored.GetProperty("source").GetString(), stored.GetProperty("storedBy").GetString()));
        var change = after.GetProperty("changes")[0];
        Assert.Equal((2027, true, 1), (change.GetProperty("year").GetInt32(), change.GetProperty("recomputed").GetBoolean(), change.GetProperty("dueDaysMoved").GetInt32()));
        var log = await AdministrationTests.JsonAsync(await admin.GetAsync(At("/api/admin/access-log?route=/api/admin/calendars&status=202")), HttpStatusCode.OK);
        Assert.StartsWith("calendar 2027 stored from the notice", log.GetProperty("entries")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

public sealed class SqliteAdminCalendarTests() : AdminCalendarTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresAdminCalendarTests() : AdminCalendarTests(DatabaseProvider.PostgreSql);

/// <summary>A notice whose changed window holds more open items than the inline limit is previewed by a background
/// job, whose result is the same preview.</summary>
public abstract class AdminCalendarPreviewJobTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2027, 2, 15, 10, 0, 0, TimeSpan.FromHours(8)),
        new Dictionary<string, string> { ["Supervision:Calendar:PreviewInline"] = "0" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_large_preview_is_a_job_with_the_same_answer()
    {
        using var admin = _server.Client("admin");
        using var zhang = _server.Client("zhang");
        await AdministrationTests.JsonAsync(await zhang.PostAsJsonAsync("/api/requests", new { title = "春节前收到的申请", applicant = "甲", channel = "online", receivedOn = "2027-01-18", department = "市司法局", content = "甲" }), HttpStatusCode.Created);

        var accepted = await AdministrationTests.JsonAsync(await admin.PostAsync(new Uri("/api/admin/calendars/2027/notice", UriKind.Relative), new StringContent(CalendarCommandTests.Notice2027, Encoding.UTF8, "text/plain")), HttpStatusCode.Accepted);
        Assert.Equal("calendar-preview", accepted.GetProperty("kind").GetString());
        var job = await ApiServer.FinishedJobAsync(admin, accepted.GetProperty("href").GetString()!);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var preview = job.GetProperty("result");
        Assert.Equal((2027, 1), (preview.GetProperty("year").GetInt32(), preview.GetProperty("openItems").GetProperty("dueDaysMove").GetInt32()));
        Assert.Equal("2027-02-22", preview.GetProperty("openItems").GetProperty("examples")[0].GetProperty("newDueOn").GetString());
        await using var database = new Database(_server.DatabaseSettings);
        await using var connection = await database.OpenAsync(default);
        Assert.Equal(0L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT count(*) FROM calendar_years"));
    }
}

public sealed class SqliteAdminCalendarPreviewJobTests() : AdminCalendarPreviewJobTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresAdminCalendarPreviewJobTests() : AdminCalendarPreviewJobTests(DatabaseProvider.PostgreSql);
