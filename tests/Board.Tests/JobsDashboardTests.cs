using Microsoft.Playwright;

namespace Supervision.Board.Tests;

/// <summary>
/// Hangfire's dashboard at /jobs in real Chromium against a real server: reached from the board's header, behind the
/// board's own sign-in, in the board's language; an administrator triggers a recurring job and sees it run, a
/// supervisor only looks, a handler is refused.
/// </summary>
[Trait("Browser", "Chromium")]
[Collection(SharedBoard.Name)]
public sealed class JobsDashboardTests(BoardFixture fixture)
{
    // How long to wait for what must happen before concluding it never will; not a limit on the product.
    private static readonly PageWaitForSelectorOptions Patience = new() { Timeout = 150_000 };

    [Fact]
    public async Task Someone_not_signed_in_is_sent_to_the_sign_in_and_brought_back_to_the_recurring_jobs()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Address.ToString(), Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(150_000);
        page.SetDefaultNavigationTimeout(150_000);

        await page.GotoAsync("/jobs/recurring");
        Assert.EndsWith("/?next=%2Fjobs%2Frecurring", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#signin-form input[name=login]", "admin");
        await page.FillAsync("#signin-form input[name=password]", BoardFixture.Password);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForURLAsync("**/jobs/recurring", new() { WaitUntil = WaitUntilState.DOMContentLoaded });

        Assert.Contains("定期作业", await page.TitleAsync(), StringComparison.Ordinal);
        await context.CloseAsync();
    }

    [Fact]
    public async Task An_administrator_opens_the_dashboard_from_the_board_triggers_the_light_counts_and_sees_them_succeed()
    {
        var page = await fixture.SignedInAsync("admin");
        // A loaded machine (CI) may take long over a page; the waits are patience, not limits.
        page.SetDefaultTimeout(150_000);
        page.SetDefaultNavigationTimeout(150_000);
        Assert.True(await page.IsVisibleAsync("#nav-jobs"));
        await page.ClickAsync("#nav-jobs");
        await page.WaitForURLAsync("**/jobs", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        Assert.Contains("仪表盘", await page.TitleAsync(), StringComparison.Ordinal);

        await page.GotoAsync("/jobs/recurring");
        var recurring = await page.Locator("tr.js-jobs-list-row").AllInnerTextsAsync();
        foreach (var id in new[] { "overdue-run", "monthly-circulation", "light-daily", "history-digest" })
        {
            Assert.Contains(recurring, row => row.Contains(id, StringComparison.Ordinal));
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "jobs-recurring.png"), FullPage = true });
        var before = await fixture.ScalarAsync("SELECT count(*) FROM light_daily");
        await page.CheckAsync("tr.js-jobs-list-row:has-text('light-daily') input.js-jobs-list-checkbox");
        // The dashboard posts the command, then reloads the page: both are awaited before going on.
        var reloaded = new TaskCompletionSource();
        void OnLoad(object? sender, IPage loaded) => reloaded.TrySetResult();
        page.Load += OnLoad;
        var triggered = await page.RunAndWaitForResponseAsync(
            () => page.ClickAsync("button.js-jobs-list-command:has-text('立即执行')"), response => response.Url.EndsWith("/jobs/recurring/trigger", StringComparison.Ordinal));
        Assert.Equal(204, triggered.Status);
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(150));
        page.Load -= OnLoad;
        // The triggered run appears among the succeeded jobs.
        await page.GotoAsync("/jobs/jobs/succeeded");
        await page.WaitForSelectorAsync("tr.js-jobs-list-row:has-text('light-daily')", Patience);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "jobs-succeeded.png"), FullPage = true });
        Assert.True(await fixture.ScalarAsync("SELECT count(*) FROM light_daily") >= before);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_supervisor_only_looks_in_english_and_a_handler_is_refused()
    {
        var supervisor = await fixture.SignedInAsync("zhao", "en");
        supervisor.SetDefaultTimeout(150_000);
        supervisor.SetDefaultNavigationTimeout(150_000);
        await supervisor.ClickAsync("#nav-jobs");
        await supervisor.WaitForURLAsync("**/jobs", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await supervisor.GotoAsync("/jobs/recurring");
        Assert.Contains("Recurring Jobs", await supervisor.TitleAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await supervisor.Locator("button.js-jobs-list-command").CountAsync());
        Assert.Equal(0, await supervisor.Locator("input.js-jobs-list-checkbox").CountAsync());
        await supervisor.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "jobs-supervisor-en.png"), FullPage = true });
        await supervisor.Context.CloseAsync();

        var handler = await fixture.SignedInAsync("zhang");
        Assert.False(await handler.IsVisibleAsync("#nav-jobs"));
        var refused = await handler.GotoAsync("/jobs");
        Assert.Equal(403, refused!.Status);
        await handler.Context.CloseAsync();
    }
}
