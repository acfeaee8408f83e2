using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Playwright;

namespace Supervision.Board.Tests;

/// <summary>The board's plan-import page in real Chromium against a real server: a supervisor previews, then confirms.</summary>
[Trait("Browser", "Chromium")]
[Collection(SharedBoard.Name)]
public sealed class ImportPageTests(BoardFixture fixture)
{
    private const string PlanName = "测试市2026年政务公开工作要点";

    // Units the demo knows by alias or group, and 测试新设局, which no department matches. Item 3 counts from an event.
    private const string Plan = """
        测试市2026年政务公开工作要点任务分解表
        序号,主要任务,牵头单位,责任单位,完成时限
        1,推进行政规范性文件公开,市司法局,市教育局、市自然资源局,2026年12月底前
        2,做好新设机构信息公开,测试新设局,市政府办公室,2026年12月底前
        3,做好新规配套解读,市卫健委,各区政府,新规出台后1个月内
        """;

    // A file named like markup: its name must show as text.
    private const string FileName = "<script>测试计划.csv";

    private static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 150_000, PollingInterval = 100 };

    private Task<long> PlanTasksAsync() =>
        fixture.ScalarAsync("SELECT count(*) FROM items WHERE kind = 'task' AND json_extract(payload, '$.plan') = @plan", new { plan = PlanName });

    private Task<long> OpenTaskAssignmentsAsync() =>
        fixture.ScalarAsync("SELECT count(*) FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.kind = 'task' AND a.closed_at IS NULL");

    private static async Task<string> FactAsync(IPage page, string key) => (await page.Locator($"#import-facts dd[data-fact={key}]").InnerTextAsync()).Trim();

    [Fact]
    public async Task A_supervisor_previews_a_plan_is_refused_for_its_unknown_unit_then_confirms_creating_it()
    {
        using var file = new TempFile(FileName, new UTF8Encoding(false).GetBytes(Plan));
        var openTasksBefore = await fixture.ScalarAsync("SELECT count(*) FROM items WHERE kind = 'task' AND closed_at IS NULL");
        var assignmentsBefore = await OpenTaskAssignmentsAsync();

        var page = await fixture.SignedInAsync("zhao");
        Assert.Equal("导入计划", (await page.Locator("#nav-imports").InnerTextAsync()).Trim());
        await page.ClickAsync("#nav-imports");
        await page.WaitForSelectorAsync("#imports-view:not([hidden]) #imports-list tbody tr");
        Assert.EndsWith("/imports", page.Url, StringComparison.Ordinal);

        // The dry run: what was read, nothing created.
        await page.SetInputFilesAsync("#import-form input[name=file]", file.Path);
        var uploaded = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#import-form button[type=submit]"),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/api/imports", StringComparison.Ordinal));
        Assert.Equal((int)HttpStatusCode.Created, uploaded.Status);
        await page.WaitForSelectorAsync("#import-report:not([hidden]) #import-rows tbody tr");
        Assert.Matches(@"/imports/\d+$", page.Url);
        Assert.Equal(FileName, await FactAsync(page, "importFile"));
        Assert.Equal(0, await page.Locator("#imports-view script").CountAsync());
        Assert.Equal("测试市2026年政务公开工作要点任务分解表", await FactAsync(page, "importTitle"));
        Assert.Equal("2026", await FactAsync(page, "importYear"));
        Assert.Equal("CSV 表格（UTF-8）", await FactAsync(page, "importLayout"));
        Assert.Equal("3", await FactAsync(page, "importItems"));
        Assert.Equal("3", await FactAsync(page, "importTaskRows"));
        Assert.Equal("1", await FactAsync(page, "importUnknown"));
        Assert.Equal(PlanName, (await page.Locator("#import-title").InnerTextAsync()).Trim());
        Assert.Equal(new[] { "测试新设局" }, await page.Locator("#import-units li[data-unit]").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.unit)"));

        var rows = page.Locator("#import-rows tbody tr[data-line]");
        Assert.Equal(3, await rows.CountAsync());
        var first = await rows.Nth(0).InnerTextAsync();
        Assert.Contains("推进行政规范性文件公开", first, StringComparison.Ordinal);
        Assert.Contains("2026-12-31前", first, StringComparison.Ordinal);
        Assert.Contains("原文：2026年12月底前", first, StringComparison.Ordinal);
        Assert.Contains("测试新设局（未匹配）", await rows.Nth(1).InnerTextAsync(), StringComparison.Ordinal);
        // Only the task counted from its event is marked as waiting for it.
        Assert.Equal(1, await page.Locator("#import-rows tr.awaiting").CountAsync());
        var awaiting = await page.Locator("#import-rows tr.awaiting").InnerTextAsync();
        Assert.Contains("新规出台后1个月内", awaiting, StringComparison.Ordinal);
        Assert.Contains("待事件发生后起算", awaiting, StringComparison.Ordinal);
        Assert.Equal(0, await PlanTasksAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "import-preview.png"), FullPage = true });

        // Three task rows, more than the fixture's two: confirming is a background job the page follows. Without
        // allowing new units the job is refused, and the page names the unit; still nothing is created.
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#import-confirm"), r => r.Url.EndsWith("/confirm", StringComparison.Ordinal));
        Assert.Equal((int)HttpStatusCode.Accepted, refused.Status);
        await page.WaitForFunctionAsync("() => document.querySelector('#confirm-error').textContent.includes('测试新设局')", null, Patience);
        Assert.Equal(0, await PlanTasksAsync());
        Assert.Equal("previewed", await page.Locator("#import-status").GetAttributeAsync("data-status"));

        // Allowed to create it, confirming creates every task and the unit.
        await page.CheckAsync("#create-units");
        var confirmed = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#import-confirm"), r => r.Url.EndsWith("/confirm", StringComparison.Ordinal));
        Assert.Equal((int)HttpStatusCode.Accepted, confirmed.Status);
        // Rows the plan gives no deadline would be due at the plan year's end: the page's default choice, sent with the confirmation.
        Assert.Contains("\"undated\":\"year-end\"", confirmed.Request.PostData, StringComparison.Ordinal);
        await page.WaitForSelectorAsync("#import-result:not([hidden]) #import-outcomes tbody tr[data-outcome]");
        Assert.Equal(2, await page.Locator("#import-outcomes tr[data-outcome=created]").CountAsync());
        Assert.Equal(1, await page.Locator("#import-outcomes tr[data-outcome=awaiting-event]").CountAsync());
        var created = await page.Locator("#import-outcomes tr[data-outcome] a[data-item]").CountAsync();
        Assert.Equal(3, created);
        Assert.Contains("测试新设局", await page.Locator("#created-units").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("imported", await page.Locator("#import-status").GetAttributeAsync("data-status"));
        Assert.True(await page.Locator("#import-confirm-box").IsHiddenAsync());
        Assert.Equal("", (await page.Locator("#confirm-error").InnerTextAsync()).Trim());
        Assert.Contains("测试新设局（已新建）", await rows.Nth(1).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(3, await PlanTasksAsync());
        Assert.Equal(1, await fixture.ScalarAsync("SELECT count(*) FROM departments WHERE name = '测试新设局'"));
        var importId = (await page.Locator("#import-report").GetAttributeAsync("data-import"))!;
        await page.WaitForSelectorAsync($"#imports-list tr[data-import='{importId}'] .status-imported");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "import.png"), FullPage = true });

        // The same page in English.
        await page.ClickAsync("#lang");
        await page.WaitForFunctionAsync("() => document.querySelector('#import-outcomes thead').textContent.includes('Outcome')", null, Patience);
        Assert.Equal("Import plan", (await page.Locator("#nav-imports").InnerTextAsync()).Trim());
        Assert.Contains("created and assigned", await page.Locator("#import-outcomes").InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "import-en.png"), FullPage = true });
        await page.ClickAsync("#lang");
        await page.WaitForFunctionAsync("() => document.querySelector('#import-outcomes thead').textContent.includes('结果')", null, Patience);

        // A created row's link opens its item.
        var link = page.Locator("#import-outcomes tr[data-outcome=created] a[data-item]").First;
        var itemId = (await link.GetAttributeAsync("data-item"))!;
        var title = (await link.InnerTextAsync()).Trim();
        await link.ClickAsync();
        await page.WaitForSelectorAsync("#item-view:not([hidden]) #item-facts dd");
        Assert.EndsWith($"/items/{itemId}", page.Url, StringComparison.Ordinal);
        Assert.Equal(title, (await page.Locator("#item-title").InnerTextAsync()).Trim());
        Assert.Contains(PlanName, await page.Locator("#item-facts").InnerTextAsync(), StringComparison.Ordinal);

        // The board's task totals grew by what was created: departments' assignments on the board, items in its list.
        var assignmentsAfter = await OpenTaskAssignmentsAsync();
        Assert.Equal(assignmentsAfter - assignmentsBefore, await fixture.ScalarAsync(
            "SELECT count(*) FROM assignments a JOIN items i ON i.id = a.item_id WHERE json_extract(i.payload, '$.plan') = @plan", new { plan = PlanName }));
        await page.ClickAsync("#home");
        await page.WaitForSelectorAsync("#board-view:not([hidden]) #board tbody tr[data-department]");
        await page.SelectOptionAsync("#filters select[name=kind]", "task");
        await page.ClickAsync("#filters button[type=submit]");
        await page.WaitForFunctionAsync("n => document.querySelector('#board tfoot button[data-light=open]').textContent === String(n)", assignmentsAfter, Patience);
        await page.ClickAsync("#board tfoot button[data-light=open]");
        await page.WaitForSelectorAsync("#list-card:not([hidden]) #list tbody tr");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"共 {openTasksBefore + created} 条"), await page.Locator("#page-info").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recent_import_opens_from_the_list_and_an_unreadable_file_shows_the_servers_reason()
    {
        var page = await fixture.SignedInAsync("zhao");
        await page.GotoAsync("/imports");
        await page.WaitForSelectorAsync("#imports-view:not([hidden]) #imports-list tbody tr[data-import]");
        Assert.True(await page.Locator("#import-report").IsHiddenAsync());

        // The demo uploads the sample workbook without confirming it: opened from the list, it can still be confirmed.
        var row = page.Locator("#imports-list tbody tr[data-import]", new PageLocatorOptions { HasText = "sample-plan.xlsx" });
        var id = (await row.GetAttributeAsync("data-import"))!;
        await row.Locator("a").ClickAsync();
        await page.WaitForSelectorAsync($"#import-report[data-import='{id}']:not([hidden]) #import-rows tbody tr");
        Assert.EndsWith($"/imports/{id}", page.Url, StringComparison.Ordinal);
        Assert.Equal("previewed", await page.Locator("#import-status").GetAttributeAsync("data-status"));
        Assert.True(await page.Locator("#import-confirm").IsVisibleAsync());
        Assert.Equal(await FactAsync(page, "importTaskRows"), (await page.Locator("#import-rows tbody tr[data-line]").CountAsync()).ToString(CultureInfo.InvariantCulture));
        Assert.True(await page.Locator("#import-result").IsHiddenAsync());

        // A file that is not what its name says: the server's problem detail is the page's error message.
        using var file = new TempFile("损坏的计划.docx", [0x50, 0x4B, 0x03, 0x04, .. "not a zip"u8]);
        await page.SetInputFilesAsync("#import-form input[name=file]", file.Path);
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#import-form button[type=submit]"),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/api/imports", StringComparison.Ordinal));
        Assert.Equal((int)HttpStatusCode.BadRequest, refused.Status);
        await page.WaitForFunctionAsync("() => document.querySelector('#upload-error').textContent.includes('not a readable Office file')", null, Patience);
        Assert.Contains("损坏的计划.docx", await page.Locator("#upload-error").InnerTextAsync(), StringComparison.Ordinal);
        Assert.EndsWith($"/imports/{id}", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_imported_task_awaiting_its_event_shows_its_plan_text_and_asks_for_the_events_day()
    {
        // The demo imports the sample plan: one task is counted from an event (新规出台后1个月内) and carries its plan's paragraph.
        var id = await fixture.ScalarAsync(
            "SELECT id FROM items WHERE kind = 'task' AND step = 'assign' AND json_extract(payload, '$.startsAfter') IS NOT NULL AND json_extract(payload, '$.planText') IS NOT NULL ORDER BY id LIMIT 1");
        var planText = await fixture.TextAsync("SELECT json_extract(payload, '$.planText') FROM items WHERE id = @id", new { id });
        var page = await fixture.SignedInAsync("zhao");
        await page.GotoAsync($"/items/{id}");
        await page.WaitForSelectorAsync("#item-view:not([hidden]) #item-facts dd");

        var facts = await page.Locator("#item-facts").InnerTextAsync();
        Assert.Contains("工作要点原文", facts, StringComparison.Ordinal);
        Assert.Equal(planText, (await page.Locator("#item-facts dd.quote").InnerTextAsync()).Trim());
        Assert.Contains("起算事件", facts, StringComparison.Ordinal);
        Assert.Contains("新规出台后1个月内", facts, StringComparison.Ordinal);
        Assert.DoesNotContain("1 month", facts, StringComparison.Ordinal);

        // Assigning it asks for the day the event happened, as a date.
        var assign = page.Locator("form[data-action=complete][data-outcome=assigned]");
        Assert.Equal("date", await assign.Locator("input[name='field:eventOn']").GetAttributeAsync("type"));
        Assert.Contains("事件发生日期", await assign.TextContentAsync(), StringComparison.Ordinal);
        await page.Locator("details.action", new PageLocatorOptions { Has = assign }).Locator("summary").ClickAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "import-awaiting-item.png"), FullPage = true });

        // In English the labels and the deadline are English too (the definitions give their labels in Chinese only).
        await page.ClickAsync("#lang");
        await page.WaitForFunctionAsync("() => document.querySelector('#item-facts').textContent.includes('Plan text')", null, Patience);
        var english = await page.Locator("#item-facts").InnerTextAsync();
        Assert.Contains("Counted from (event)", english, StringComparison.Ordinal);
        Assert.Contains("within 1 month after 新规出台", english, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_sees_no_import_entry_and_the_import_address_shows_the_board()
    {
        var page = await fixture.SignedInAsync("zhang");
        Assert.True(await page.Locator("#nav-imports").IsHiddenAsync());

        await page.GotoAsync("/imports");
        await page.WaitForSelectorAsync("#board-view:not([hidden]) #board tbody tr[data-department]");
        Assert.True(await page.Locator("#imports-view").IsHiddenAsync());
        Assert.True(await page.Locator("#nav-imports").IsHiddenAsync());
        Assert.Equal("/board", new Uri(page.Url).AbsolutePath);

        using var api = await fixture.ApiAsync("zhang");
        using var list = await api.GetAsync(new Uri("/api/imports", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
    }
}

/// <summary>A file written into a temporary folder of its own, both removed on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("board-import-");

    public TempFile(string name, byte[] content)
    {
        Path = System.IO.Path.Combine(_folder.FullName, name);
        File.WriteAllBytes(Path, content);
    }

    public string Path { get; }

    public void Dispose() => _folder.Delete(recursive: true);
}
