using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Host.Escalation;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// The right day for every clock event and the Regulations' limits on corrections (art. 30), pauses (arts. 32, 34),
/// extensions (art. 33), overrides (art. 35) and the reply date, driven through the HTTP API only on a real server
/// and a real database of each provider, with the server's clock moved by hand.
/// </summary>
public abstract class DisclosureRulesApiTests(DatabaseProvider provider)
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private static DateTimeOffset At(int year, int month, int day, int hour = 10) => new(year, month, day, hour, 0, 0, Cst);

    private Task<ApiServer> StartAsync(DateTimeOffset now) => ApiServer.StartAsync(provider, now);

    // Moves the server's clock and brings the stored lights up to it, as the transition loop does.
    private static async Task MoveToAsync(ApiServer server, DateTimeOffset when)
    {
        server.Clock.Advance(when - server.Clock.GetUtcNow());
        await server.Services.GetRequiredService<LightTransitions>().ProcessDueAsync(null, default);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    // The problem's detail, after checking its status and form.
    private static async Task<string> RefusedAsync(Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("detail").GetString()!;
    }

    private static Task<HttpResponseMessage> ActAsync(HttpClient client, long id, string action, object body) =>
        client.PostAsJsonAsync($"/api/items/{id}/actions/{action}", body);

    private static Task<JsonElement> DoAsync(HttpClient client, long id, string action, object body) => OkAsync(ActAsync(client, id, action, body));

    private static Task<JsonElement> CompleteAsync(HttpClient client, long id, string step, string outcome, object? fields = null) =>
        DoAsync(client, id, "complete", new { step, outcome, fields = fields ?? new { } });

    private static async Task<long> RegisterAsync(HttpClient client, string receivedOn) =>
        (await OkAsync(client.PostAsJsonAsync("/api/requests", new { title = "申请公开行政复议统计", applicant = "李某", channel = "post", receivedOn, department = "市司法局", content = "2024年行政复议案件统计数据" })))
            .GetProperty("id").GetInt64();

    private static Task<JsonElement> DetailAsync(HttpClient client, long id) => OkAsync(client.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative)));

    private static async Task<List<string>> ActionsAsync(HttpClient client, long id) =>
        (await DetailAsync(client, id)).GetProperty("actions").EnumerateArray()
            .Select(a => a.GetProperty("action").GetString() + (a.GetProperty("outcome").ValueKind == JsonValueKind.String ? ":" + a.GetProperty("outcome").GetString() : string.Empty)).ToList();

    private static async Task<JsonElement> JusticeFiguresAsync(HttpClient client, string from, string to)
    {
        var report = await OkAsync(client.GetAsync(new Uri($"/api/reports/departments?from={from}&to={to}", UriKind.Relative)));
        return report.GetProperty("departments").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "市司法局").GetProperty("own");
    }

    private static void CitesArticle(string detail, string chinese, string english)
    {
        Assert.Contains(chinese, detail, StringComparison.Ordinal);
        Assert.Contains(english, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Article_30_a_correction_is_asked_for_once_and_the_period_counts_afresh_once_whatever_route_leads_back()
    {
        await using var server = await StartAsync(At(2025, 9, 26));
        using var zhang = server.Client("zhang");
        var id = await RegisterAsync(zhang, "2025-09-26");
        await MoveToAsync(server, At(2025, 9, 29));
        await CompleteAsync(zhang, id, "review", "correction-requested");

        // The corrected outcome shows the page its own declared, required date.
        var corrected = (await DetailAsync(zhang, id)).GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("outcome").ValueKind == JsonValueKind.String && a.GetProperty("outcome").GetString() == "corrected");
        var field = Assert.Single(corrected.GetProperty("fields").EnumerateArray());
        Assert.Equal(("correctedOn", "date", true), (field.GetProperty("name").GetString(), field.GetProperty("type").GetString(), field.GetProperty("required").GetBoolean()));

        await MoveToAsync(server, At(2025, 10, 20));
        var missing = await RefusedAsync(ActAsync(zhang, id, "complete", new { step = "await-correction", outcome = "corrected", fields = new { } }), HttpStatusCode.BadRequest);
        var future = await RefusedAsync(ActAsync(zhang, id, "complete", new { step = "await-correction", outcome = "corrected", fields = new { correctedOn = "2025-10-21" } }), HttpStatusCode.BadRequest);
        var beforeReceipt = await RefusedAsync(ActAsync(zhang, id, "complete", new { step = "await-correction", outcome = "corrected", fields = new { correctedOn = "2025-09-25" } }), HttpStatusCode.BadRequest);
        var item = await CompleteAsync(zhang, id, "await-correction", "corrected", new { correctedOn = "2025-10-15" });
        Assert.StartsWith("correctedOn: required", missing, StringComparison.Ordinal);
        Assert.StartsWith("correctedOn: 2025-10-21 is in the future", future, StringComparison.Ordinal);
        Assert.StartsWith("correctedOn: 2025-09-25 is before the request was received", beforeReceipt, StringComparison.Ordinal);
        // Counted from the paper file of 10-15, not from the click on 10-20.
        Assert.Equal("2025-11-12", item.GetProperty("dueOn").GetString());

        // Back to review: asking again is refused; back to the correction step: counting afresh again is refused.
        await DoAsync(zhang, id, "return", new { toStep = "review", reason = "申请内容仍需核实" });
        var askAgain = await RefusedAsync(ActAsync(zhang, id, "complete", new { step = "review", outcome = "correction-requested", fields = new { reason = "再次补正" } }), HttpStatusCode.UnprocessableEntity);
        await CompleteAsync(zhang, id, "review", "accepted");
        await DoAsync(zhang, id, "return", new { toStep = "await-correction", reason = "补正材料有误" });
        var restartAgain = await RefusedAsync(ActAsync(zhang, id, "complete", new { step = "await-correction", outcome = "corrected", fields = new { correctedOn = "2025-10-20" } }), HttpStatusCode.UnprocessableEntity);

        CitesArticle(askAgain, "第三十条", "article 30");
        CitesArticle(restartAgain, "第三十条", "article 30");
        Assert.Equal("2025-11-12", (await DetailAsync(zhang, id)).GetProperty("item").GetProperty("dueOn").GetString());
    }

    [Fact]
    public async Task Article_30_after_acceptance_the_clock_pauses_for_consultation_only()
    {
        await using var server = await StartAsync(At(2025, 9, 29));
        using var zhang = server.Client("zhang");
        var id = await RegisterAsync(zhang, "2025-09-26");
        await CompleteAsync(zhang, id, "review", "accepted");

        var pause = (await DetailAsync(zhang, id)).GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("action").GetString() == "pause");
        var correction = await RefusedAsync(ActAsync(zhang, id, "pause", new { reason = "awaiting-correction" }), HttpStatusCode.UnprocessableEntity);
        var custom = await RefusedAsync(ActAsync(zhang, id, "pause", new { reason = "custom" }), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["third-party-consultation", "agency-consultation"], pause.GetProperty("choices").EnumerateArray().Select(c => c.GetString()));
        CitesArticle(correction, "第三十条", "article 30");
        Assert.Contains("does not pause for 'custom'", custom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Article_30_a_correction_asked_for_after_7_working_days_needs_a_reason_and_shows_as_late_on_the_item_and_in_the_report()
    {
        // Received 09-26 (a letter entered late): the 7 working days of review ended with 10-13.
        await using var server = await StartAsync(At(2025, 10, 14));
        using var zhang = server.Client("zhang");
        using var zhao = server.Client("zhao");
        var late = await RegisterAsync(zhang, "2025-09-26");
        var onTime = await RegisterAsync(zhang, "2025-10-10");

        var noReason = await RefusedAsync(ActAsync(zhang, late, "complete", new { step = "review", outcome = "correction-requested" }), HttpStatusCode.BadRequest);
        await CompleteAsync(zhang, late, "review", "correction-requested", new { reason = "申请经转办后才送达本机关" });
        await CompleteAsync(zhang, onTime, "review", "correction-requested");

        Assert.StartsWith("reason: required", noReason, StringComparison.Ordinal);
        var detail = await DetailAsync(zhang, late);
        Assert.True(detail.GetProperty("lateCorrection").GetBoolean());
        var entry = detail.GetProperty("history").EnumerateArray().Last();
        Assert.True(entry.GetProperty("detail").GetProperty("late").GetBoolean());
        Assert.Equal("申请经转办后才送达本机关", entry.GetProperty("detail").GetProperty("reason").GetString());
        Assert.False((await DetailAsync(zhang, onTime)).GetProperty("lateCorrection").GetBoolean());
        Assert.Equal(1, (await JusticeFiguresAsync(zhao, "2025-10-01", "2025-10-31")).GetProperty("lateCorrections").GetInt32());
    }

    [Fact]
    public async Task Articles_32_and_34_a_pause_and_a_resumption_take_the_day_given_and_the_history_says_who_entered_it_when()
    {
        await using var server = await StartAsync(At(2025, 9, 26));
        using var zhang = server.Client("zhang");
        var id = await RegisterAsync(zhang, "2025-09-26");
        await CompleteAsync(zhang, id, "review", "accepted");

        // The consultation letter went out on Thursday 10-09 and was entered on Monday 10-13.
        await MoveToAsync(server, At(2025, 10, 13));
        await DoAsync(zhang, id, "pause", new { reason = "third-party-consultation", note = "征求某公司意见", on = "2025-10-09" });
        // The answer came on Monday 10-20 and was entered on Wednesday 10-22.
        await MoveToAsync(server, At(2025, 10, 22));
        var future = await RefusedAsync(ActAsync(zhang, id, "resume", new { on = "2025-10-23" }), HttpStatusCode.BadRequest);
        var beforePause = await RefusedAsync(ActAsync(zhang, id, "resume", new { on = "2025-10-08" }), HttpStatusCode.BadRequest);
        var notADay = await RefusedAsync(ActAsync(zhang, id, "resume", new { on = "10/20/2025" }), HttpStatusCode.BadRequest);
        var item = await DoAsync(zhang, id, "resume", new { note = "已收到回复", on = "2025-10-20" });

        Assert.Equal("on: 2025-10-23 is in the future; enter it once it has happened", future);
        Assert.Equal("on: 2025-10-08 is before the clock's previous event (paused on 2025-10-09)", beforePause);
        Assert.StartsWith("on: '10/20/2025' is not a date", notADay, StringComparison.Ordinal);
        // 16 working days were left on 10-09; they count from 10-21: due 11-11, as if entered on the days themselves.
        Assert.Equal("2025-11-11", item.GetProperty("dueOn").GetString());
        var history = (await DetailAsync(zhang, id)).GetProperty("history").EnumerateArray().ToList();
        var paused = history.Single(h => h.GetProperty("action").GetString() == "pause");
        var resumed = history.Single(h => h.GetProperty("action").GetString() == "resume");
        Assert.Equal(("zhang", At(2025, 10, 13), "2025-10-09"), (paused.GetProperty("actor").GetString(), paused.GetProperty("at").GetDateTimeOffset(), paused.GetProperty("detail").GetProperty("data").GetProperty("on").GetString()));
        Assert.Equal(("zhang", At(2025, 10, 22), "2025-10-20"), (resumed.GetProperty("actor").GetString(), resumed.GetProperty("at").GetDateTimeOffset(), resumed.GetProperty("detail").GetProperty("data").GetProperty("on").GetString()));
    }

    [Fact]
    public async Task Article_33_the_reply_date_decides_on_time_or_late_for_the_light_and_the_report()
    {
        await using var server = await StartAsync(At(2026, 11, 6));
        using var zhang = server.Client("zhang");
        using var zhao = server.Client("zhao");
        // Received 11-05: due 12-03. Received 11-18: due 12-16.
        var early = await RegisterAsync(zhang, "2026-11-05");
        await MoveToAsync(server, At(2026, 11, 19));
        var late = await RegisterAsync(zhang, "2026-11-18");
        foreach (var id in new[] { early, late })
        {
            await CompleteAsync(zhang, id, "review", "accepted");
            await CompleteAsync(zhang, id, "handle", "ready-to-reply");
        }

        // Replied on 12-02, entered on 12-06 when the request was already red: on time.
        await MoveToAsync(server, At(2026, 12, 6));
        Assert.Equal("red", (await DetailAsync(zhang, early)).GetProperty("item").GetProperty("light").GetString());
        var replied = await CompleteAsync(zhang, early, "reply", "disclosed", new { replyDate = "2026-12-02", delivery = "post" });
        Assert.Equal("done-on-time", replied.GetProperty("light").GetString());

        // A reply date still to come, or before receipt, is refused; replied 2027-01-15, entered the next day: late.
        await MoveToAsync(server, At(2026, 12, 10));
        var future = await RefusedAsync(ActAsync(zhang, late, "complete", new { step = "reply", outcome = "disclosed", fields = new { replyDate = "2027-01-15", delivery = "post" } }), HttpStatusCode.BadRequest);
        var beforeReceipt = await RefusedAsync(ActAsync(zhang, late, "complete", new { step = "reply", outcome = "disclosed", fields = new { replyDate = "2026-11-17", delivery = "post" } }), HttpStatusCode.BadRequest);
        await MoveToAsync(server, At(2027, 1, 16));
        var overdue = await CompleteAsync(zhang, late, "reply", "disclosed", new { replyDate = "2027-01-15", delivery = "post" });

        Assert.Equal("replyDate: 2027-01-15 is in the future; enter it once it has happened", future);
        Assert.Equal("replyDate: 2026-11-17 is before the request was received (2026-11-18)", beforeReceipt);
        Assert.Equal("done-late", overdue.GetProperty("light").GetString());
        var december = await JusticeFiguresAsync(zhao, "2026-12-01", "2026-12-31");
        var january = await JusticeFiguresAsync(zhao, "2027-01-01", "2027-01-31");
        Assert.Equal((1, 0), (december.GetProperty("completedOnTime").GetInt32(), december.GetProperty("completedLate").GetInt32()));
        Assert.Equal((0, 1), (january.GetProperty("completedOnTime").GetInt32(), january.GetProperty("completedLate").GetInt32()));
        // Working days taken count to the reply date: 11-05 to 12-02 is 19.
        Assert.Equal(19, december.GetProperty("averageWorkingDays").GetDouble());
    }

    [Fact]
    public async Task Article_33_a_handlers_extension_waits_for_the_lead_and_an_overdue_request_is_not_extended()
    {
        await using var server = await StartAsync(At(2026, 11, 6));
        using var zhang = server.Client("zhang");
        using var wang = server.Client("wang");
        using var li = server.Client("li");
        // Three requests received 11-05, due 12-03.
        var asked = await RegisterAsync(zhang, "2026-11-05");
        var overdue = await RegisterAsync(zhang, "2026-11-05");
        var tooLate = await RegisterAsync(zhang, "2026-11-05");
        foreach (var id in new[] { asked, overdue, tooLate })
        {
            await CompleteAsync(zhang, id, "review", "accepted");
        }

        await MoveToAsync(server, At(2026, 11, 20));
        var typed = await RefusedAsync(ActAsync(zhang, asked, "extend", new { workingDays = 10, approver = "王主任", reason = "需调取档案" }), HttpStatusCode.BadRequest);
        var request = await DoAsync(zhang, asked, "extend", new { workingDays = 10, reason = "需调取档案" });
        Assert.StartsWith("approver: not accepted", typed, StringComparison.Ordinal);
        Assert.Equal("2026-12-03", request.GetProperty("dueOn").GetString());
        var pending = Assert.Single((await DetailAsync(zhang, asked)).GetProperty("pendingExtensions").EnumerateArray());
        Assert.Equal((10, "需调取档案", "zhang"), (pending.GetProperty("workingDays").GetInt32(), pending.GetProperty("reason").GetString(), pending.GetProperty("requestedBy").GetString()));
        Assert.DoesNotContain("extend", await ActionsAsync(zhang, asked));
        Assert.Contains("approve-extension", await ActionsAsync(wang, asked));
        Assert.Contains("reject-extension", await ActionsAsync(wang, asked));

        var byHandler = await RefusedAsync(ActAsync(zhang, asked, "approve-extension", new { }), HttpStatusCode.Forbidden);
        await RefusedAsync(ActAsync(li, asked, "approve-extension", new { }), HttpStatusCode.NotFound);
        var approved = await DoAsync(wang, asked, "approve-extension", new { });
        Assert.Contains("head of the disclosure office", byHandler, StringComparison.Ordinal);
        Assert.Equal("2026-12-17", approved.GetProperty("dueOn").GetString());
        var detail = await DetailAsync(wang, asked);
        Assert.Empty(detail.GetProperty("pendingExtensions").EnumerateArray());
        Assert.Equal([("zhang", "extension-requested"), ("wang", "extension-approved")],
            detail.GetProperty("history").EnumerateArray().Where(h => h.GetProperty("action").GetString()!.StartsWith("extension-", StringComparison.Ordinal))
                .Select(h => (h.GetProperty("actor").GetString(), h.GetProperty("action").GetString())));
        Assert.Contains("wang", detail.GetProperty("explanation").GetProperty("zh").GetString(), StringComparison.Ordinal);

        // Asked on 12-02 while the period ran, decided on 12-06 after it ended: approval is refused, rejection is not.
        await MoveToAsync(server, At(2026, 12, 2));
        await DoAsync(zhang, tooLate, "extend", new { workingDays = 5, reason = "涉及档案调阅" });
        await MoveToAsync(server, At(2026, 12, 6));
        var leadExtends = await RefusedAsync(ActAsync(wang, overdue, "extend", new { workingDays = 10, reason = "需调取档案" }), HttpStatusCode.UnprocessableEntity);
        var handlerAsks = await RefusedAsync(ActAsync(zhang, overdue, "extend", new { workingDays = 10, reason = "需调取档案" }), HttpStatusCode.UnprocessableEntity);
        var approveLate = await RefusedAsync(ActAsync(wang, tooLate, "approve-extension", new { }), HttpStatusCode.UnprocessableEntity);
        await DoAsync(wang, tooLate, "reject-extension", new { reason = "已超过答复期限" });

        CitesArticle(leadExtends, "第三十三条", "article 33");
        CitesArticle(handlerAsks, "第三十三条", "article 33");
        CitesArticle(approveLate, "第三十三条", "article 33");
        var stillRed = (await DetailAsync(wang, overdue)).GetProperty("item");
        Assert.Equal(("red", "2026-12-03"), (stillRed.GetProperty("light").GetString(), stillRed.GetProperty("dueOn").GetString()));
        Assert.DoesNotContain("extend", await ActionsAsync(wang, overdue));
        Assert.Empty((await DetailAsync(wang, tooLate)).GetProperty("pendingExtensions").EnumerateArray());
        Assert.Equal("2026-12-03", (await DetailAsync(wang, tooLate)).GetProperty("item").GetProperty("dueOn").GetString());
    }

    [Fact]
    public async Task Article_35_an_override_sets_only_a_later_reply_date()
    {
        await using var server = await StartAsync(At(2025, 9, 29));
        using var zhang = server.Client("zhang");
        using var zhao = server.Client("zhao");
        var id = await RegisterAsync(zhang, "2025-09-26");
        await CompleteAsync(zhang, id, "review", "accepted");

        var beforeReceipt = await RefusedAsync(ActAsync(zhao, id, "override", new { dueOn = "2025-09-25", reason = "申请数量明显超出合理范围" }), HttpStatusCode.UnprocessableEntity);
        var same = await RefusedAsync(ActAsync(zhao, id, "override", new { dueOn = "2025-10-30", reason = "申请数量明显超出合理范围" }), HttpStatusCode.UnprocessableEntity);
        var earlier = await RefusedAsync(ActAsync(zhao, id, "override", new { dueOn = "2025-10-20", reason = "申请数量明显超出合理范围" }), HttpStatusCode.UnprocessableEntity);
        var later = await DoAsync(zhao, id, "override", new { dueOn = "2025-12-31", reason = "申请数量明显超出合理范围" });

        Assert.All([beforeReceipt, same, earlier], d => CitesArticle(d, "第三十五条", "article 35"));
        Assert.Equal("2025-12-31", later.GetProperty("dueOn").GetString());
    }
}

public sealed class SqliteDisclosureRulesApiTests() : DisclosureRulesApiTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresDisclosureRulesApiTests() : DisclosureRulesApiTests(DatabaseProvider.PostgreSql);
