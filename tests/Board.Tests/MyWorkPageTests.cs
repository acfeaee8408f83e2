using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Supervision.Board.Tests;

/// <summary>
/// Each person's own work (<c>/my</c>): a handler lands on it, sees their department's work most urgent first with
/// what to do, does it in one tap, and the page fits a phone.
/// </summary>
[Trait("Browser", "Chromium")]
[Collection(SharedBoard.Name)]
public sealed class MyWorkPageTests(BoardFixture fixture)
{
    private static readonly Dictionary<string, int> Rank = new(StringComparer.Ordinal) { ["serious"] = 0, ["red"] = 1, ["yellow"] = 2, ["green"] = 3 };

    [Fact]
    public async Task A_handler_lands_on_their_work_ordered_by_urgency_and_acts_in_one_tap()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Address.ToString(), Locale = "zh-CN", TimezoneId = "Asia/Shanghai", ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(150_000);
        await page.GotoAsync("/");
        await page.FillAsync("#signin-form input[name=login]", "zhang");
        await page.FillAsync("#signin-form input[name=password]", BoardFixture.Password);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForSelectorAsync("#my-work li.work-row");
        Assert.EndsWith("/my", page.Url, StringComparison.Ordinal);

        // The same rows as the API, most urgent first: by light, then by due day.
        using var api = await fixture.ApiAsync("zhang");
        using var work = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/my/work", UriKind.Relative)));
        var expected = work.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("itemId").GetInt64().ToString(CultureInfo.InvariantCulture)).ToList();
        var rows = await page.Locator("#my-work li.work-row").AllAsync();
        var shown = new List<(string Id, string Light, string Due)>();
        foreach (var row in rows)
        {
            shown.Add((await row.GetAttributeAsync("data-item-id") ?? "", await row.GetAttributeAsync("data-light") ?? "", await row.GetAttributeAsync("data-due") ?? ""));
        }

        Assert.Equal(expected, shown.Select(r => r.Id));
        Assert.True(shown.Count > 3, $"only {shown.Count} rows of work for zhang in the demo");
        for (var i = 1; i < shown.Count; i++)
        {
            var (before, after) = (shown[i - 1], shown[i]);
            Assert.True(Rank[before.Light] < Rank[after.Light] || (Rank[before.Light] == Rank[after.Light] && string.CompareOrdinal(before.Due, after.Due) <= 0),
                $"{before} is listed before {after}");
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "my-work.png"), FullPage = true });

        // One tap: a review accepted from the list; the item moves on and the list says so.
        var review = page.Locator("#my-work li.work-row", new PageLocatorOptions { Has = page.Locator("button[data-outcome='accepted']") }).First;
        var id = long.Parse(await review.GetAttributeAsync("data-item-id") ?? "0", CultureInfo.InvariantCulture);
        await review.Locator("button[data-outcome='accepted']").ClickAsync();
        await page.WaitForFunctionAsync("id => !document.querySelector(`#my-work li[data-item-id='${id}'] button[data-outcome='accepted']`)", id.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("handle", await fixture.TextAsync("SELECT step FROM items WHERE id = @id", new { id }));

        // On a phone nothing scrolls sideways.
        await page.SetViewportSizeAsync(390, 844);
        await page.WaitForTimeoutAsync(100);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            $"the page is {await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")} pixels wide at 390");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "my-work-phone.png"), FullPage = true });
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_tap_on_work_someone_else_did_first_says_why_on_its_row()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Address.ToString(), Locale = "zh-CN", TimezoneId = "Asia/Shanghai", ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(150_000);
        // The live connection is down (a flaky office network), so the list is not redrawn when the item moves on.
        await page.RouteAsync("**/api/events", route => route.AbortAsync());
        await page.GotoAsync("/my");
        await page.FillAsync("#signin-form input[name=login]", "zhang");
        await page.FillAsync("#signin-form input[name=password]", BoardFixture.Password);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForSelectorAsync("#my-work li.work-row button[data-outcome='accepted']");
        var row = page.Locator("#my-work li.work-row", new PageLocatorOptions { Has = page.Locator("button[data-outcome='accepted']") }).Last;
        var id = long.Parse(await row.GetAttributeAsync("data-item-id") ?? "0", CultureInfo.InvariantCulture);

        // The colleague at the next desk accepts it first, through the API.
        using (var api = await fixture.ApiAsync("zhang"))
        {
            using var done = await api.PostAsJsonAsync($"/api/items/{id}/actions/complete", new { step = "review", outcome = "accepted" });
            Assert.True(done.IsSuccessStatusCode, await done.Content.ReadAsStringAsync());
        }

        await row.Locator("button[data-outcome='accepted']").ClickAsync();
        var refusal = row.Locator(".work-error");
        await page.WaitForFunctionAsync("e => e.textContent.length > 0", await refusal.ElementHandleAsync());
        // In the page's words, and the server's reason kept in its tooltip.
        Assert.Contains("已经有人办理", await refusal.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("already done", await refusal.GetAttributeAsync("title") ?? string.Empty, StringComparison.Ordinal);
        // The button is back, and the item stands where the colleague left it.
        Assert.True(await row.Locator("button[data-outcome='accepted']").IsEnabledAsync());
        Assert.Equal("handle", await fixture.TextAsync("SELECT step FROM items WHERE id = @id", new { id }));
        await context.CloseAsync();
    }

    [Fact]
    public async Task An_action_on_an_items_page_someone_else_did_first_shows_the_item_as_it_stands_and_says_so()
    {
        using var api = await fixture.ApiAsync("zhang");
        using var registered = await api.PostAsJsonAsync("/api/requests", new { title = "依申请公开：同时办理测试", applicant = "王某", channel = "online", receivedOn = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), department = "演示市司法局", content = "申请公开某文件" });
        Assert.True(registered.StatusCode == System.Net.HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        var id = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("review", await fixture.TextAsync("SELECT step FROM items WHERE id = @id", new { id }));

        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Address.ToString(), Locale = "zh-CN", TimezoneId = "Asia/Shanghai", ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(150_000);
        // No live updates (a flaky network): the page still shows the item at review when the colleague acts.
        await page.RouteAsync("**/api/events", route => route.AbortAsync());
        await page.GotoAsync($"/items/{id}");
        await page.FillAsync("#signin-form input[name=login]", "zhang");
        await page.FillAsync("#signin-form input[name=password]", BoardFixture.Password);
        await page.ClickAsync("#signin-form button[type=submit]");
        var accept = page.Locator("details.action", new PageLocatorOptions { Has = page.Locator("form[data-action=complete][data-outcome=accepted]") });
        await accept.WaitForAsync();

        using (var done = await api.PostAsJsonAsync($"/api/items/{id}/actions/complete", new { step = "review", outcome = "accepted" }))
        {
            Assert.True(done.IsSuccessStatusCode, await done.Content.ReadAsStringAsync());
        }

        await accept.Locator("summary").ClickAsync();
        await accept.Locator("button[type=submit]").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#action-error').textContent.includes('事项已有变化')");
        // Shown as it now stands: the accept is no longer offered, and nothing was done twice.
        Assert.Equal(0, await page.Locator("form[data-action=complete][data-outcome=accepted]").CountAsync());
        Assert.Equal("handle", await fixture.TextAsync("SELECT step FROM items WHERE id = @id", new { id }));
        Assert.Equal(1L, await fixture.ScalarAsync("SELECT count(*) FROM item_history WHERE item_id = @id AND action = 'complete' AND from_step = 'review'", new { id }));
        await context.CloseAsync();
    }
}
