using Microsoft.Playwright;

namespace Supervision.Board.Tests;

/// <summary>
/// On a 390 × 844 phone, the way most handlers open a link from a WeCom or DingTalk notice, no page scrolls sideways:
/// the header folds into a menu, the board's and lists' tables become cards.
/// </summary>
[Trait("Browser", "Chromium")]
[Collection(SharedBoard.Name)]
public sealed class PhoneTests(BoardFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private async Task<IPage> PhoneAsync(string login)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Address.ToString(), Locale = "zh-CN", TimezoneId = "Asia/Shanghai", ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true, HasTouch = true, DeviceScaleFactor = 2,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(150_000);
        await page.GotoAsync("/board");
        await page.FillAsync("#signin-form input[name=login]", login);
        await page.FillAsync("#signin-form input[name=password]", BoardFixture.Password);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForSelectorAsync("#board tbody tr[data-department]");
        return page;
    }

    private static Task<int> WidthAsync(IPage page) => page.EvaluateAsync<int>("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)");

    [Fact]
    public async Task No_page_scrolls_sideways_at_390_pixels_and_the_header_folds_into_a_menu()
    {
        var item = await fixture.ScalarAsync("SELECT id FROM items WHERE kind = 'request' AND closed_at IS NULL ORDER BY id LIMIT 1");
        var task = await fixture.ScalarAsync("SELECT id FROM items WHERE kind = 'task' AND closed_at IS NULL ORDER BY id LIMIT 1");
        var wide = new List<string>();
        async Task CheckAsync(IPage page, string path, string ready)
        {
            await page.GotoAsync(path);
            await page.WaitForSelectorAsync(ready);
            await page.WaitForTimeoutAsync(300);
            var width = await WidthAsync(page);
            output.WriteLine($"{path}: {width} px");
            if (width > 390)
            {
                wide.Add($"{path}: {width} px");
            }

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, $"phone{path.Replace('/', '-').TrimEnd('-')}.png"), FullPage = true });
        }

        var supervisor = await PhoneAsync("zhao");
        // The header's links are behind the menu button, and open from it.
        Assert.True(await supervisor.Locator("#nav-reports").IsHiddenAsync());
        await supervisor.ClickAsync("#menu");
        Assert.True(await supervisor.Locator("#nav-reports").IsVisibleAsync());
        await supervisor.ClickAsync("#menu");
        // So are the board's filters.
        Assert.True(await supervisor.Locator("#filters").IsHiddenAsync());
        await supervisor.ClickAsync("#filters-toggle");
        Assert.True(await supervisor.Locator("#filters select[name=light]").IsVisibleAsync());
        await CheckAsync(supervisor, "/board", "#board tbody tr[data-department]");
        await CheckAsync(supervisor, $"/items/{item}", "#item-view:not([hidden]) #item-title");
        await CheckAsync(supervisor, $"/items/{task}", "#item-view:not([hidden]) #item-title");
        await CheckAsync(supervisor, "/reports", "#reports-view:not([hidden]) table tbody tr");
        await CheckAsync(supervisor, "/imports", "#imports-view:not([hidden])");
        await CheckAsync(supervisor, "/displays", "#displays-view:not([hidden]) #display-add select:has(option)");
        await supervisor.GotoAsync("/board");
        await supervisor.WaitForSelectorAsync("#board tbody tr[data-department]");
        await supervisor.Locator("#board tbody tr[data-department] button.count[data-light=open]:not(.zero)").First.ClickAsync();
        await supervisor.WaitForSelectorAsync("#list tbody tr");
        var listWidth = await WidthAsync(supervisor);
        if (listWidth > 390)
        {
            wide.Add($"the list: {listWidth} px");
        }

        var handler = await PhoneAsync("zhang");
        await CheckAsync(handler, "/my", "#my-work li.work-row");
        // An item's page on a phone: what can be done comes first.
        var mine = await fixture.ScalarAsync("SELECT i.id FROM items i JOIN departments d ON d.id = i.department_id WHERE d.name = '演示市司法局' AND i.kind = 'request' AND i.step = 'review' AND i.closed_at IS NULL ORDER BY i.id LIMIT 1");
        await CheckAsync(handler, $"/items/{mine}", "#actions form, #actions details");
        var actionsTop = await handler.Locator("#actions-card").EvaluateAsync<double>("e => e.getBoundingClientRect().top");
        var factsTop = await handler.Locator("#item-facts").EvaluateAsync<double>("e => e.getBoundingClientRect().top");
        Assert.True(actionsTop < factsTop, $"the actions ({actionsTop}) come after the facts ({factsTop})");

        var admin = await PhoneAsync("admin");
        foreach (var section in new[] { "departments", "people", "channels", "displays", "calendars", "definitions", "access-log", "health" })
        {
            await CheckAsync(admin, $"/admin/{section}", $"#section-{section}:not([hidden])");
        }

        Assert.Empty(wide);
        foreach (var page in new[] { supervisor, handler, admin })
        {
            await page.Context.CloseAsync();
        }
    }
}
