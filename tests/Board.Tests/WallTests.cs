using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Supervision.Board.Tests;

/// <summary>
/// The wall (<c>/wall</c>) on the meeting room's screen, opened with a display link and no person's password: every
/// department a tile in its worst light, no scrolling at 1920 × 1080 nor at 3840 × 2160, live when a light changes,
/// read-only, and ended by revoking the link.
/// </summary>
[Trait("Browser", "Chromium")]
[Collection(SharedBoard.Name)]
public sealed class WallTests(BoardFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_wall_shows_every_department_in_its_worst_light_without_scrolling_live_and_read_only_until_revoked()
    {
        using var zhao = await fixture.ApiAsync("zhao");
        using var made = await zhao.PostAsJsonAsync("/api/display-links", new { name = "会议室大屏", department = "演示市人民政府办公室" });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var link = await made.Content.ReadFromJsonAsync<JsonElement>();
        using var board = JsonDocument.Parse(await zhao.GetStringAsync(new Uri("/api/board", UriKind.Relative)));

        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Address.ToString(), Locale = "zh-CN", TimezoneId = "Asia/Shanghai", ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(150_000);
        await page.GotoAsync(link.GetProperty("url").GetString()!);
        await page.WaitForSelectorAsync(".tile[data-department]");

        // Every department of the board, each in its worst light.
        foreach (var row in board.RootElement.GetProperty("departments").EnumerateArray())
        {
            var expected = row.GetProperty("seriouslyOverdue").GetInt32() > 0 ? "serious" : row.GetProperty("red").GetInt32() > 0 ? "red"
                : row.GetProperty("yellow").GetInt32() > 0 ? "yellow" : row.GetProperty("green").GetInt32() > 0 ? "green" : "none";
            var tile = page.Locator($".tile[data-department='{row.GetProperty("departmentId").GetInt64()}']");
            Assert.Equal(expected, await tile.GetAttributeAsync("data-light"));
        }

        Assert.True(await FitsAsync(page), "the wall scrolls at 1920 × 1080");
        await page.WaitForSelectorAsync("#live[data-state=on]");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "wall-1920.png") });

        // Read-only: the board yes, anything else no.
        Assert.Equal(200, await page.EvaluateAsync<int>("async () => (await fetch('/api/board')).status"));
        Assert.Equal(403, await page.EvaluateAsync<int>("async () => (await fetch('/api/items')).status"));

        // Live: a request whose light turns yellow half a minute after it is registered, with no other action.
        var justice = await fixture.ScalarAsync("SELECT id FROM departments WHERE name = '演示市司法局'");
        var yellow = $".tile[data-department='{justice}'] .pill[data-light=yellow]";
        var before = long.Parse(await page.Locator(yellow).InnerTextAsync(), CultureInfo.InvariantCulture);
        using var zhang = await fixture.ApiAsync("zhang");
        var urgent = (await BoardFixture.RegisterUrgentRequestAsync(zhang, "紧急件：大屏实时测试")).GetProperty("id").GetInt64();

        await page.WaitForFunctionAsync("n => document.querySelector(n[0]).textContent === n[1]", new[] { yellow, (before + 1).ToString(CultureInfo.InvariantCulture) }, new PageWaitForFunctionOptions { Timeout = (float)Patience.TotalMilliseconds });
        await BoardFixture.FinishUrgentRequestAsync(zhang, urgent);

        // The same page on a 4K screen: larger, still without scrolling.
        await page.SetViewportSizeAsync(3840, 2160);
        await page.WaitForTimeoutAsync(300);
        Assert.True(await FitsAsync(page), "the wall scrolls at 3840 × 2160");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "wall-3840.png") });

        // Revoked: the screen's session ends at once.
        using var revoked = await zhao.DeleteAsync(new Uri($"/api/display-links/{link.GetProperty("id").GetInt64()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/api/board')).status"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_supervisor_makes_a_display_link_on_the_board_for_their_own_departments_and_revokes_it_there()
    {
        // The departments a supervisor may make a link for: theirs and those under it.
        var own = await fixture.ScalarAsync("SELECT department_id FROM users WHERE login = 'zhao'");
        using var zhao = await fixture.ApiAsync("zhao");
        using var departments = JsonDocument.Parse(await zhao.GetStringAsync(new Uri("/api/departments", UriKind.Relative)));
        var all = departments.RootElement.EnumerateArray().Select(d => (Id: d.GetProperty("id").GetInt64(), Parent: d.GetProperty("parentId").ValueKind == JsonValueKind.Null ? (long?)null : d.GetProperty("parentId").GetInt64(), Name: d.GetProperty("name").GetString()!)).ToList();
        var scope = new HashSet<long> { own };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var d in all.Where(d => d.Parent is { } parent && scope.Contains(parent) && !scope.Contains(d.Id)))
            {
                grew = scope.Add(d.Id);
            }
        }

        var page = await fixture.SignedInAsync("zhao");
        await page.ClickAsync("#nav-displays");
        await page.WaitForSelectorAsync("#display-add select[name=department]:has(option)");
        Assert.Equal("/displays", new Uri(page.Url).AbsolutePath);
        var offered = await page.Locator("#display-add select[name=department] option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)");
        Assert.Equal(scope.Order(), offered.Select(v => long.Parse(v, CultureInfo.InvariantCulture)).Order());

        await fixture.MakeOpenAndRevokeDisplayLinkAsync(page, "值班室大屏", all.Single(d => d.Id == own).Name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "displays.png"), FullPage = true });
        await page.Context.CloseAsync();

        // A handler neither sees the link to the page nor reaches it: the address gives the board.
        var handler = await fixture.SignedInAsync("zhang");
        Assert.True(await handler.Locator("#nav-displays").IsHiddenAsync());
        await handler.GotoAsync("/displays");
        await handler.WaitForSelectorAsync("#board tbody tr[data-department]");
        Assert.Equal("/board", new Uri(handler.Url).AbsolutePath);
        Assert.True(await handler.Locator("#displays-view").IsHiddenAsync());
        await handler.Context.CloseAsync();
    }

    private static Task<bool> FitsAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollHeight <= window.innerHeight && document.documentElement.scrollWidth <= window.innerWidth && [...document.querySelectorAll('.tile')].every(t => t.getBoundingClientRect().bottom <= window.innerHeight)");
}
