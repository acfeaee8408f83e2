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
        using (var zhang = await fixture.ApiAsync("zhang"))
        {
            using var response = await zhang.PostAsJsonAsync("/api/requests", new { title = "紧急件：大屏实时测试", department = "演示市司法局", content = "一分钟时限", definition = "urgent-request" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        await page.WaitForFunctionAsync("n => document.querySelector(n[0]).textContent === n[1]", new[] { yellow, (before + 1).ToString(CultureInfo.InvariantCulture) }, new PageWaitForFunctionOptions { Timeout = (float)Patience.TotalMilliseconds });

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

    private static Task<bool> FitsAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollHeight <= window.innerHeight && document.documentElement.scrollWidth <= window.innerWidth && [...document.querySelectorAll('.tile')].every(t => t.getBoundingClientRect().bottom <= window.innerHeight)");
}
