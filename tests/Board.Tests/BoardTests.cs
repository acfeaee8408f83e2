using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Supervision.Board.Tests;

/// <summary>The light board in real Chromium against a real server: what a supervising office sees and does.</summary>
[Trait("Browser", "Chromium")]
[Collection(SharedBoard.Name)]
public sealed class BoardTests(BoardFixture fixture, ITestOutputHelper output)
{
    // How long to wait for what must happen before concluding it never will; not a limit on the product.
    private static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 150_000, PollingInterval = 100 };

    private static readonly string[] Lights = ["green", "yellow", "red", "serious", "paused", "open"];

    private async Task<long> OfficeAsync() => await fixture.ScalarAsync("SELECT id FROM departments WHERE name = '演示市人民政府办公室'");

    private async Task<Dictionary<string, long>> DatabaseCountsAsync(long? department, string? kind = null)
    {
        var where = department is null ? "1 = 1" : "a.department_id = @department";
        var kindFilter = kind is null ? string.Empty : " AND i.kind = @kind";
        var counts = new Dictionary<string, long>();
        foreach (var (light, condition) in new[]
        {
            ("green", "a.light = 'green'"), ("yellow", "a.light = 'yellow'"), ("red", "a.light = 'red'"),
            ("serious", "a.light = 'red' AND a.seriously_overdue = 1"), ("paused", "a.paused = 1 AND a.closed_at IS NULL"), ("open", "a.closed_at IS NULL"),
        })
        {
            counts[light] = await fixture.ScalarAsync(
                $"SELECT count(*) FROM assignments a JOIN items i ON i.id = a.item_id WHERE {where} AND {condition}{kindFilter}", new { department, kind });
        }

        return counts;
    }

    private static async Task<Dictionary<string, long>> PageCountsAsync(ILocator row)
    {
        var counts = new Dictionary<string, long>();
        foreach (var light in Lights)
        {
            counts[light] = long.Parse(await row.Locator($"button.count[data-light={light}]").InnerTextAsync(), CultureInfo.InvariantCulture);
        }

        return counts;
    }

    [Fact]
    public async Task A_supervisor_signs_in_and_every_count_on_the_board_matches_the_database()
    {
        var page = await fixture.SignedInAsync("zhao");

        Assert.Equal("督办亮灯看板", await page.TitleAsync());
        // Read the database on both sides of reading the page, so a light changing meanwhile cannot confuse the comparison.
        for (var attempt = 0; ; attempt++)
        {
            var before = await DatabaseCountsAsync(null);
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("#board tbody tr[data-department]");
            var shown = await PageCountsAsync(page.Locator("#board tfoot tr"));
            if (attempt < 3 && !before.SequenceEqual(await DatabaseCountsAsync(null)))
            {
                continue;
            }

            Assert.Equal(before, shown);
            break;
        }

        var leaves = page.Locator("#board tbody tr[data-department]:not(:has(button.toggle))");
        Assert.True(await leaves.CountAsync() >= 4);
        for (var i = 0; i < await leaves.CountAsync(); i++)
        {
            var row = leaves.Nth(i);
            var id = long.Parse((await row.GetAttributeAsync("data-department"))!, CultureInfo.InvariantCulture);
            Assert.Equal(await DatabaseCountsAsync(id), await PageCountsAsync(row));
        }

        // The trend chart draws red and yellow per day from the recorded daily counts (recorded at start-up).
        await page.WaitForSelectorAsync("#trend-chart svg polyline.red");
        Assert.Equal(2, await page.Locator("#trend-chart svg polyline").CountAsync());

        // Colour is never alone: every count header carries a symbol and a word.
        Assert.Contains("● 绿灯", await page.Locator("#board thead").InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "board.png"), FullPage = true });
    }

    [Fact]
    public async Task A_department_named_like_markup_shows_as_text()
    {
        var office = await OfficeAsync();
        await using (var connection = await fixture.Database.OpenAsync(default))
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE departments SET parent_id = @office WHERE name = @name", new { office, name = BoardFixture.MarkupDepartment });
        }

        var page = await fixture.SignedInAsync("zhao");
        var cell = page.Locator("#board tbody td.dept", new PageLocatorOptions { HasText = BoardFixture.MarkupDepartment });

        Assert.Equal(BoardFixture.MarkupDepartment, (await cell.InnerTextAsync()).Trim());
        Assert.Equal(0, await page.Locator("#board script").CountAsync());
    }

    [Fact]
    public async Task Filtering_by_kind_counts_only_that_kind_and_a_count_drills_down_to_exactly_those_items()
    {
        var page = await fixture.SignedInAsync("zhao");
        await page.SelectOptionAsync("#filters select[name=kind]", "task");
        await page.ClickAsync("#filters button[type=submit]");
        var expected = await DatabaseCountsAsync(null, "task");
        await page.WaitForFunctionAsync("n => document.querySelector('#board tfoot button[data-light=open]').textContent === String(n)", expected["open"], Patience);
        Assert.Equal(expected, await PageCountsAsync(page.Locator("#board tfoot tr")));

        await page.SelectOptionAsync("#filters select[name=kind]", string.Empty);
        await page.ClickAsync("#filters button[type=submit]");
        var justice = await fixture.ScalarAsync("SELECT id FROM departments WHERE name = '演示市司法局'");
        var open = (await DatabaseCountsAsync(justice))["open"];
        await page.WaitForFunctionAsync("n => document.querySelector(`#board tr[data-department='${n[0]}'] button[data-light=open]`).textContent === String(n[1])", new[] { justice, open }, Patience);
        await page.ClickAsync($"#board tr[data-department='{justice}'] button[data-light=open]");
        await page.WaitForSelectorAsync("#list-card:not([hidden]) #list tbody tr");

        var listed = await page.Locator("#list tbody tr[data-item]").CountAsync();
        var distinctItems = await fixture.ScalarAsync("SELECT count(DISTINCT item_id) FROM assignments WHERE department_id = @justice AND closed_at IS NULL", new { justice });
        Assert.Equal(Math.Min(20, distinctItems), listed);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"共 {distinctItems} 条"), await page.Locator("#page-info").InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "list.png"), FullPage = true });
    }

    [Fact]
    public async Task A_handler_opens_an_item_acts_on_it_and_the_supervisors_board_updates_without_reload()
    {
        var board = await fixture.SignedInAsync("zhao");
        var justice = await fixture.ScalarAsync("SELECT id FROM departments WHERE name = '演示市司法局'");
        var pausedBefore = long.Parse(await board.Locator($"#board tr[data-department='{justice}'] button[data-light=paused]").InnerTextAsync(), CultureInfo.InvariantCulture);

        // A request of the handler's own department at the handling step, with a running clock.
        var id = await fixture.ScalarAsync(
            "SELECT i.id FROM items i WHERE i.department_id = @justice AND i.kind = 'request' AND i.step = 'handle' AND i.paused = 0 AND i.closed_at IS NULL ORDER BY i.id LIMIT 1", new { justice });
        var handler = await fixture.SignedInAsync("zhang");
        await handler.GotoAsync($"/items/{id}");
        await handler.WaitForSelectorAsync("#item-view:not([hidden]) #history li");
        // The deadline explained step by step: the start, the span counted, the due day.
        Assert.Contains("起算", await handler.Locator("#timeline li").First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("截止日", await handler.Locator("#timeline").InnerTextAsync(), StringComparison.Ordinal);
        await handler.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "item.png"), FullPage = true });

        var pause = handler.Locator("details.action", new PageLocatorOptions { Has = handler.Locator("form[data-action=pause]") });
        await pause.Locator("summary").ClickAsync();
        await pause.Locator("select[name=reason]").SelectOptionAsync("third-party-consultation");
        await pause.Locator("input[name=note]").FillAsync("征求第三方意见");
        var historyBefore = await handler.Locator("#history li").CountAsync();
        await pause.Locator("button[type=submit]").ClickAsync();
        await handler.WaitForFunctionAsync("n => document.querySelectorAll('#history li').length > n", historyBefore, Patience);
        Assert.Contains("暂停", await handler.Locator("#item-light").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1L, await fixture.ScalarAsync("SELECT count(*) FROM items WHERE id = @id AND paused = 1", new { id }));

        // The supervisor's open board shows the pause without being reloaded.
        await board.WaitForFunctionAsync(
            "n => document.querySelector(`#board tr[data-department='${n[0]}'] button[data-light=paused]`).textContent === String(n[1])",
            new[] { justice, pausedBefore + 1 }, Patience);
    }

    [Fact]
    public async Task A_light_turning_yellow_at_its_instant_reaches_an_open_board_live()
    {
        var board = await fixture.SignedInAsync("zhao");
        var justice = await fixture.ScalarAsync("SELECT id FROM departments WHERE name = '演示市司法局'");
        var yellowCell = $"#board tr[data-department='{justice}'] button[data-light=yellow]";
        var yellowBefore = long.Parse(await board.Locator(yellowCell).InnerTextAsync(), CultureInfo.InvariantCulture);
        using var api = await fixture.ApiAsync("zhang");

        // One minute in all, yellow at half-time: no action follows, only the clock.
        var item = await BoardFixture.RegisterUrgentRequestAsync(api, "紧急件：看板实时测试");
        var yellowAt = item.GetProperty("nextChangeAt").GetDateTimeOffset();
        await board.WaitForFunctionAsync("n => document.querySelector(n[0]).textContent === n[1]", new[] { yellowCell, (yellowBefore + 1).ToString(CultureInfo.InvariantCulture) }, Patience);

        var shown = DateTimeOffset.UtcNow;
        output.WriteLine($"yellow due {yellowAt:O}, on the open board {(shown - yellowAt).TotalMilliseconds:F0} ms later");
        Assert.True(shown >= yellowAt, "the board showed yellow before its instant");
        await BoardFixture.FinishUrgentRequestAsync(api, item.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task A_tasks_page_explains_each_departments_deadline()
    {
        var page = await fixture.SignedInAsync("zhao");
        var task = await fixture.ScalarAsync("SELECT i.id FROM items i WHERE i.kind = 'task' AND i.closed_at IS NULL AND (SELECT count(*) FROM assignments a WHERE a.item_id = i.id) > 1 ORDER BY i.id LIMIT 1");
        var departments = await fixture.ScalarAsync("SELECT count(*) FROM assignments WHERE item_id = @task", new { task });
        await page.GotoAsync($"/items/{task}");
        await page.WaitForSelectorAsync("#item-view:not([hidden]) #assignment-timelines h3");

        Assert.Equal(departments, await page.Locator("#assignment-timelines h3").CountAsync());
        Assert.Equal(departments, await page.Locator("#assignments tbody tr").CountAsync());
        Assert.Contains("截止日", await page.Locator("#assignment-timelines").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_limit_shows_apart_from_the_reply_deadline_and_a_provisional_year_is_said()
    {
        // An open request whose step (review, from receipt) or consultation has a light of its own.
        var id = await fixture.ScalarAsync(
            "SELECT id FROM items WHERE kind = 'request' AND step_light IS NOT NULL AND closed_at IS NULL AND department_id = (SELECT department_id FROM users WHERE login = 'zhang') ORDER BY id LIMIT 1");
        var stepLight = await fixture.TextAsync("SELECT step_light FROM items WHERE id = @id", new { id });
        var page = await fixture.SignedInAsync("zhang");
        await page.GotoAsync($"/items/{id}");
        await page.WaitForSelectorAsync("#item-view:not([hidden]) #item-facts dd.step-limit");

        var facts = await page.Locator("#item-facts").InnerTextAsync();
        Assert.Contains("答复期限（法定）", facts, StringComparison.Ordinal);
        Assert.Contains("环节期限", facts, StringComparison.Ordinal);
        Assert.Equal(stepLight, await page.Locator("#item-facts dd.step-limit").GetAttributeAsync("data-step-light"));
        Assert.Matches("(审核环节（7个工作日，自收到申请之日起）|征求.*（第三十[二四]条，15个工作日，自暂停之日起）)", await page.Locator("#item-facts dd.step-limit").InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "item-step-limit.png"), FullPage = true });

        // The board says when due days fall in a year whose holiday arrangement is not published, as the server says.
        using var api = await fixture.ApiAsync("zhang");
        using var board = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/board", UriKind.Relative)));
        var years = board.RootElement.GetProperty("provisionalYears").EnumerateArray().Select(y => y.GetInt32()).ToList();
        var home = await fixture.SignedInAsync("zhang");
        await home.WaitForSelectorAsync("#forecast tbody tr");
        var note = home.Locator("#provisional-note");
        Assert.Equal(years.Count > 0, await note.IsVisibleAsync());
        foreach (var year in years)
        {
            Assert.Contains($"{year}年放假安排尚未公布", await note.InnerTextAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_board_switches_to_english_and_back()
    {
        var page = await fixture.SignedInAsync("zhao");
        await page.ClickAsync("#lang");
        await page.WaitForFunctionAsync("() => document.querySelector('#board thead').textContent.includes('Green') && document.querySelector('#board tfoot td').textContent.trim() === 'Total'", null, Patience);

        Assert.Equal("Supervision light board", await page.TitleAsync());
        Assert.Equal("en", await page.EvaluateAsync<string>("document.documentElement.lang"));
        Assert.Contains("● Green", await page.Locator("#board thead").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("Total", (await page.Locator("#board tfoot td").First.InnerTextAsync()).Trim());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "board-en.png"), FullPage = true });

        await page.ClickAsync("#lang");
        Assert.Equal("督办亮灯看板", await page.TitleAsync());
    }
}
