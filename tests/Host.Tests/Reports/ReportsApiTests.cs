using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Api;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace Supervision.Host.Tests.Reports;

/// <summary>
/// Statistics, scores and exports over October 2025 from a history built through the API on a fake clock, every
/// figure worked out by hand (the National Day holiday runs 10-01..10-08; 09-28 and 10-11 are working weekend days).
/// </summary>
public abstract class ReportsApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private ApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2025, 10, 9, 9, 0, 0, Cst));
        await BuildOctoberAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void At(int month, int day, int hour = 10)
    {
        var target = new DateTimeOffset(2025, month, day, hour, 0, 0, Cst);
        _server.Clock.Advance(target - _server.Clock.GetUtcNow());
    }

    private static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private static Task<JsonElement> ActAsync(HttpClient client, long id, string action, object body) =>
        OkAsync(client.PostAsJsonAsync($"/api/items/{id}/actions/{action}", body));

    private static async Task<long> RequestAsync(HttpClient client, string title, string received, string department) =>
        (await OkAsync(client.PostAsJsonAsync("/api/requests", new { title, applicant = "甲", channel = "online", receivedOn = received, department, content = title }))).GetProperty("id").GetInt64();

    private async Task AnswerAsync(HttpClient client, long id, string replyDate, bool extend = false)
    {
        await ActAsync(client, id, "complete", new { step = "review", outcome = "accepted" });
        if (extend)
        {
            // The handler asks and the head of the disclosure office approves (article 33).
            using var wang = _server.Client("wang");
            await ActAsync(client, id, "extend", new { workingDays = 5, reason = "需调取档案" });
            await ActAsync(wang, id, "approve-extension", new { });
        }

        await ActAsync(client, id, "complete", new { step = "handle", outcome = "ready-to-reply" });
        await ActAsync(client, id, "complete", new { step = "reply", outcome = "disclosed", fields = new { replyDate, delivery = "online" } });
    }

    // Justice: R1 (received 09-15, due 10-17, extended, answered 10-10), R2 (received 08-20, due 09-17, answered 10-13:
    // 14 working days late), and its share of task T1 (due 10-31) still open. Education: R3 (received 10-20, paused),
    // its share of T1, returned once and accepted on 10-16, and R4 (received 10-28, entered 11-05). Queried on 11-05.
    private async Task BuildOctoberAsync()
    {
        using var zhang = _server.Client("zhang");
        using var li = _server.Client("li");
        using var zhao = _server.Client("zhao");
        var r1 = await RequestAsync(zhang, "R1", "2025-09-15", "市司法局");
        var r2 = await RequestAsync(zhang, "R2", "2025-08-20", "市司法局");
        var t1 = (await OkAsync(zhao.PostAsJsonAsync("/api/tasks", new { title = "T1", content = "T1", leadDepartments = new[] { "市司法局" }, responsibleDepartments = new[] { "市教育局" }, deadline = "2025-10-31" }))).GetProperty("id").GetInt64();
        await ActAsync(zhao, t1, "complete", new { step = "assign", outcome = "assigned" });
        var detail = await OkAsync(zhao.GetAsync(new Uri($"/api/items/{t1}", UriKind.Relative)));
        var education = detail.GetProperty("assignments").EnumerateArray().Single(a => a.GetProperty("department").GetProperty("name").GetString() == "市教育局").GetProperty("id").GetInt64();

        At(10, 10);
        await AnswerAsync(zhang, r1, "2025-10-10", extend: true);
        At(10, 13);
        await AnswerAsync(zhang, r2, "2025-10-13");
        At(10, 15);
        await ActAsync(li, t1, "complete", new { step = "handle", outcome = "submitted", assignment = education });
        await ActAsync(zhao, t1, "complete", new { step = "review", outcome = "returned", assignment = education });
        At(10, 16);
        await ActAsync(li, t1, "complete", new { step = "handle", outcome = "submitted", assignment = education });
        await ActAsync(zhao, t1, "complete", new { step = "review", outcome = "accepted", assignment = education });
        At(10, 20);
        var r3 = await RequestAsync(li, "R3", "2025-10-20", "市教育局");
        At(10, 21);
        await ActAsync(li, r3, "complete", new { step = "review", outcome = "accepted" });
        await ActAsync(li, r3, "pause", new { reason = "third-party-consultation", note = "征求第三方意见" });
        At(11, 5);
        // R4 was received on 10-28 but entered only on 11-05: it counts in October, as received then and open at its end.
        await RequestAsync(li, "R4", "2025-10-28", "市教育局");
    }

    private static JsonElement Department(JsonElement report, string name) =>
        report.GetProperty("departments").EnumerateArray().Single(d => d.GetProperty("name").GetString() == name);

    [Fact]
    public async Task October_figures_and_scores_per_department_are_as_worked_out_by_hand()
    {
        using var zhao = _server.Client("zhao");

        var report = await OkAsync(zhao.GetAsync(new Uri("/api/reports/departments?from=2025-10-01&to=2025-10-31", UriKind.Relative)));

        var justice = Department(report, "市司法局");
        var own = justice.GetProperty("own");
        Assert.Equal((1, 1, 1, 0), (own.GetProperty("received").GetInt32(), own.GetProperty("completedOnTime").GetInt32(), own.GetProperty("completedLate").GetInt32(), own.GetProperty("withdrawn").GetInt32()));
        // T1 was due at the end of 10-31: at the period's end it was yellow (5 working days' warning), though red by 11-05.
        Assert.Equal((0, 1, 0), (own.GetProperty("openGreen").GetInt32(), own.GetProperty("openYellow").GetInt32(), own.GetProperty("openRed").GetInt32()));
        Assert.Equal(0.5, own.GetProperty("onTimeRate").GetDouble());
        // R1: 14 working days (09-15 to 10-10); R2: 34 (08-20 to 10-13).
        Assert.Equal((24.0, 34), (own.GetProperty("averageWorkingDays").GetDouble(), own.GetProperty("p90WorkingDays").GetInt32()));
        Assert.Equal((1, 0, 0), (own.GetProperty("extensions").GetInt32(), own.GetProperty("pauses").GetInt32(), own.GetProperty("returns").GetInt32()));
        // -6 for R2 answered late; T1 not overdue within October.
        Assert.Equal(94, justice.GetProperty("score").GetProperty("total").GetDouble());
        Assert.Equal([("request-overdue", 1), ("task-overdue", 0), ("returned", 0), ("task-early", 0)],
            justice.GetProperty("score").GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("rule").GetString(), l.GetProperty("count").GetInt32())));

        var education = Department(report, "市教育局").GetProperty("own");
        Assert.Equal((3, 1, 0), (education.GetProperty("received").GetInt32(), education.GetProperty("completedOnTime").GetInt32(), education.GetProperty("completedLate").GetInt32()));
        Assert.Equal((2, 1), (education.GetProperty("openGreen").GetInt32(), education.GetProperty("openPaused").GetInt32()));
        // T1 accepted 10-16: 6 working days after 10-09 (10-11 a working Saturday); 11 working days early.
        Assert.Equal((6.0, 6), (education.GetProperty("averageWorkingDays").GetDouble(), education.GetProperty("p90WorkingDays").GetInt32()));
        Assert.Equal((1, 1), (education.GetProperty("pauses").GetInt32(), education.GetProperty("returns").GetInt32()));
        Assert.Equal(99.5, Department(report, "市教育局").GetProperty("score").GetProperty("total").GetDouble());

        // The office has none of its own; with the bureaus under it, all of them.
        var office = Department(report, "市政府办公室");
        Assert.Equal(0, office.GetProperty("own").GetProperty("received").GetInt32());
        Assert.Equal(4, office.GetProperty("total").GetProperty("received").GetInt32());
        Assert.Equal(3, report.GetProperty("totals").GetProperty("completedOnTime").GetInt32() + report.GetProperty("totals").GetProperty("completedLate").GetInt32());
        Assert.Equal(["disclosure-request", "supervision-task"], report.GetProperty("workflows").EnumerateArray().Select(w => w.GetProperty("key").GetString()));

        // A handler sees only their own department.
        using var zhang = _server.Client("zhang");
        var mine = await OkAsync(zhang.GetAsync(new Uri("/api/reports/departments?from=2025-10-01&to=2025-10-31", UriKind.Relative)));
        Assert.Equal(["市司法局"], mine.GetProperty("departments").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task The_statistics_and_ledger_workbooks_read_back_cell_by_cell_and_csv_defuses_formulas()
    {
        using var zhao = _server.Client("zhao");
        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<DepartmentStore>(_server.Services);
        var office = await store.FindByNameAsync("市政府办公室", default);
        await store.AddAsync(new Engine.Organisation.Department { Name = "=HYPERLINK(\"http://x\",\"局\")", ParentId = office!.Id }, default);

        var statistics = await zhao.GetByteArrayAsync(new Uri("/api/reports/statistics.xlsx?from=2025-10-01&to=2025-10-31", UriKind.Relative));
        var ledger = await zhao.GetByteArrayAsync(new Uri("/api/reports/ledger.xlsx?from=2025-10-01&to=2025-10-31", UriKind.Relative));

        var sheets = Read(statistics);
        Assert.Equal(["部门统计", "考核得分", "按流程", "按计划", "按任务事项"], sheets.Keys);
        var departments = sheets["部门统计"];
        // A title row (the office, what, the period, the sheet) above the headings, printed on every page with them.
        Assert.Equal("市政府办公室统计（2025-10-01至2025-10-31）  部门统计", Assert.Single(departments[0]));
        Assert.Equal(["部门", "上级部门", "收件/交办数", "按时办结", "超期办结"], departments[1].Take(5));
        var justice = departments.Single(r => r[0] == "市司法局");
        Assert.Equal(["市司法局", "市政府办公室", "1", "1", "1", "0", "0", "1", "0", "0", "0", "0.5", "24", "34", "1", "0", "0", "0", "94"], justice);
        Assert.StartsWith("合计（2025-10-01至2025-10-31）", departments[^1][0], StringComparison.Ordinal);
        Assert.Contains(sheets["考核得分"], r => r.SequenceEqual(["市教育局", "审核退回重办，每次扣1分，最多扣10分", "1", "-1"]));

        var rows = Read(ledger);
        Assert.Equal("市政府办公室台账（2025-10-01至2025-10-31）  台账", Assert.Single(rows["台账"][0]));
        var r2 = rows["台账"].Single(r => r.Length > 2 && r[2] == "R2");
        Assert.Equal(["依申请公开", "R2"], r2.Skip(1).Take(2));
        // Received 08-20, due 09-17, answered 10-13: 34 working days taken, 14 late.
        Assert.Equal(["市司法局", "承办", "archive", "2025-08-20", "2025-09-17", "2025-10-13", "超期办结", "超期", "34", "14"], r2.Skip(6).Take(10));
        var r1 = rows["台账"].Single(r => r.Length > 2 && r[2] == "R1")[0];
        Assert.Equal(["registered", "complete", "extension-requested", "extension-approved", "complete", "complete"], rows["办理过程"].Where(h => h.Length > 4 && h[0] == r1).Select(h => h[4]));
        Assert.Equal("2025-10-10 10:00:00", rows["办理过程"].Single(h => h.Length > 4 && h[0] == r1 && h[4] == "extension-approved")[2]);

        using var csv = await zhao.GetAsync(new Uri("/api/reports/statistics.csv?from=2025-10-01&to=2025-10-31", UriKind.Relative));
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Contains("市司法局,市政府办公室,1,1,1,0,0,1,0,0,0,0.5,24,34,1,0,0,0,94", text, StringComparison.Ordinal);
        // A name a spreadsheet would run as a formula is written as text: an apostrophe in CSV, an inline string in the workbook.
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"局\"\")\",市政府办公室,0", text, StringComparison.Ordinal);
        var formula = Read(await zhao.GetByteArrayAsync(new Uri("/api/reports/statistics.xlsx?from=2025-10-01&to=2025-10-31", UriKind.Relative)))["部门统计"];
        Assert.Contains(formula, r => r[0] == "=HYPERLINK(\"http://x\",\"局\")");

        using var badDay = await zhao.GetAsync(new Uri("/api/reports/departments?from=2025-13-01", UriKind.Relative));
        using var backwards = await zhao.GetAsync(new Uri("/api/reports/departments?from=2025-10-31&to=2025-10-01", UriKind.Relative));
        using var badTable = await zhao.GetAsync(new Uri("/api/reports/statistics.csv?table=secrets", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, badDay.StatusCode);
        Assert.Contains("from: '2025-13-01' is not a day", await badDay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badTable.StatusCode);
    }

    [Fact]
    public async Task A_circulation_is_generated_once_a_month_on_demand_for_any_period_and_printed_for_those_it_covers()
    {
        using var zhao = _server.Client("zhao");
        using var zhang = _server.Client("zhang");
        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<DepartmentStore>(_server.Services);
        var office = await store.FindByNameAsync("市政府办公室", default);
        await store.AddAsync(new Engine.Organisation.Department { Name = "<script>alert(1)</script>局", ParentId = office!.Id }, default);
        var monthly = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Supervision.Host.Reports.MonthlyCirculation>(_server.Services);

        // The monthly job for October, run twice (two Hosts, or a retry): one circulation, its notice written once.
        Assert.Equal(1, await monthly.RunAsync(new DateOnly(2025, 10, 1), default));
        Assert.Equal(0, await monthly.RunAsync(new DateOnly(2025, 10, 1), default));
        var onDemand = await OkAsync(zhao.PostAsJsonAsync("/api/reports/circulations", new { from = "2025-10-09", to = "2025-10-16" }));
        using var byHandler = await zhang.PostAsJsonAsync("/api/reports/circulations", new { from = "2025-10-09", to = "2025-10-16" });

        Assert.Equal(0, onDemand.GetProperty("notices").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, byHandler.StatusCode);
        // The bureaus under the office read its circulations too, newest first.
        var list = await OkAsync(zhang.GetAsync(new Uri("/api/reports/circulations", UriKind.Relative)));
        Assert.Equal(["on-demand", "monthly"], list.EnumerateArray().Select(c => c.GetProperty("kind").GetString()));
        var october = list.EnumerateArray().Last();
        Assert.Equal(("2025-10-01", "2025-10-31", "system"), (october.GetProperty("from").GetString(), october.GetProperty("to").GetString(), october.GetProperty("generatedBy").GetString()));
        Assert.Equal(3, october.GetProperty("totals").GetProperty("completedOnTime").GetInt32() + october.GetProperty("totals").GetProperty("completedLate").GetInt32());
        var id = october.GetProperty("id").GetInt64();
        var stored = await OkAsync(zhang.GetAsync(new Uri($"/api/reports/circulations/{id}", UriKind.Relative)));
        Assert.Equal(94, Department(stored.GetProperty("report"), "市司法局").GetProperty("score").GetProperty("total").GetDouble());
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM notices WHERE kind = 'circulation'"));

        using var page = await zhang.GetAsync(new Uri($"/circulations/{id}", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>市政府办公室2025年10月政务公开办理情况通报</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>市司法局</td><td>1</td><td>1</td><td>1</td><td>50%</td>", html, StringComparison.Ordinal);
        Assert.Contains("市司法局：依申请公开逾期答复1次（-6分），得分94分。", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;局", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        using var css = await zhang.GetAsync(new Uri("/print.css", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        using var missing = await zhang.GetAsync(new Uri("/circulations/999", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var database = new Database(_server.DatabaseSettings);
        await using var connection = await database.OpenAsync(default);
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, sql);
    }

    // Every sheet's rows as text, as a spreadsheet shows the values (numbers invariant, date cells as days).
    private static Dictionary<string, List<string[]>> Read(byte[] workbook)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(workbook), false);
        var part = document.WorkbookPart!;
        var dateStyles = part.WorkbookStylesPart!.Stylesheet.CellFormats!.Elements<S.CellFormat>().Select((f, i) => (f, i)).Where(x => x.f.NumberFormatId?.Value == 164).Select(x => (uint)x.i).ToHashSet();
        var result = new Dictionary<string, List<string[]>>();
        foreach (var sheet in part.Workbook.Sheets!.Elements<S.Sheet>())
        {
            var worksheet = ((WorksheetPart)part.GetPartById(sheet.Id!)).Worksheet;
            result[sheet.Name!] = worksheet.Descendants<S.Row>().Select(row => row.Elements<S.Cell>().Select(c =>
                c.DataType?.Value == S.CellValues.InlineString ? c.InlineString!.Text!.Text
                : c.StyleIndex is { } s && dateStyles.Contains(s.Value) && c.CellValue is { } v ? DateOnly.FromDateTime(DateTime.FromOADate(double.Parse(v.Text, System.Globalization.CultureInfo.InvariantCulture))).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
                : c.CellValue?.Text ?? string.Empty).ToArray()).ToList();
        }

        return result;
    }
}

public sealed class SqliteReportsApiTests() : ReportsApiTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresReportsApiTests() : ReportsApiTests(DatabaseProvider.PostgreSql);
