using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Board.Tests;

/// <summary>
/// A county office set up from the browser alone: a server started on an empty database, the setup code read from
/// its log, the office and its first administrator made on the board's page, then a department and a person added on
/// the administration's pages, and that person signing in.
/// </summary>
[Trait("Browser", "Chromium")]
[Collection(AdminBoard.Name)]
public sealed partial class FirstRunPageTests(BoardFixture fixture)
{
    [Fact]
    public async Task A_fresh_office_is_set_up_and_staffed_in_the_browser_after_starting_the_server()
    {
        await using var database = new SqliteTestDatabase();
        await using var host = new RunningHost(new Dictionary<string, string> { ["SUPERVISION_DB"] = database.Settings.ConnectionString, ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" });
        var address = await host.ListeningAsync() ?? throw new InvalidOperationException(host.Output);
        Assert.True(await host.WaitForAsync("setup code"), host.Output);
        var code = SetupCode().Match(host.Output).Groups["code"].Value;

        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = address.ToString(), Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(150_000);
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("#setup-view:not([hidden])");
        Assert.True(await page.Locator("#signin").IsHiddenAsync());

        // A mistyped code is refused in words; the right one (as typed: lower case, no dashes) sets the office up.
        await page.FillAsync("#setup-form input[name=code]", "AAAA-BBBB-CCCC");
        await page.FillAsync("#setup-form input[name=office]", "某某县人民政府办公室");
        await page.FillAsync("#setup-form input[name=login]", "chen");
        await page.FillAsync("#setup-form input[name=displayName]", "陈主任");
        await page.FillAsync("#setup-form input[name=password]", "县政府办的管理密码2026");
        await page.ClickAsync("#setup-form button[type=submit]");
        await page.WaitForFunctionAsync("() => document.querySelector('#setup-error').textContent.includes('设置码不对')");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "first-run-setup.png"), FullPage = true });
        await page.FillAsync("#setup-form input[name=code]", code.Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant());
        await page.ClickAsync("#setup-form button[type=submit]");
        await page.WaitForURLAsync("**/admin/departments");
        await page.WaitForSelectorAsync("#department-tree .tree-name");
        Assert.Equal("某某县人民政府办公室", (await page.Locator("#department-tree .tree-name").InnerTextAsync()).Trim());

        // The office's departments and a person, on the administration's pages.
        await page.FillAsync("#department-add input[name=name]", "某某县司法局");
        await page.SelectOptionAsync("#department-add select[name=parent]", new SelectOptionValue { Label = "某某县人民政府办公室" });
        await page.ClickAsync("#department-add button[type=submit]");
        await page.Locator("#department-tree .tree-name", new PageLocatorOptions { HasText = "某某县司法局" }).WaitForAsync();
        await page.ClickAsync("#admin-nav a[data-section='people']");
        await page.WaitForSelectorAsync("#people tbody tr[data-login='chen']");
        await page.FillAsync("#person-add input[name=login]", "liu");
        await page.FillAsync("#person-add input[name=displayName]", "刘科员");
        await page.SelectOptionAsync("#person-add select[name=department]", new SelectOptionValue { Label = "　某某县司法局" });
        await page.FillAsync("#person-add input[name=password]", "first one from chen 1");
        await page.ClickAsync("#person-add button[type=submit]");
        await page.WaitForSelectorAsync("#people tbody tr[data-login='liu']");
        await context.CloseAsync();

        var theirs = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = address.ToString(), Locale = "zh-CN" });
        var own = await theirs.NewPageAsync();
        own.SetDefaultTimeout(150_000);
        await own.GotoAsync("/");
        await own.WaitForSelectorAsync("#signin:not([hidden])");
        await own.FillAsync("#signin-form input[name=login]", "liu");
        await own.FillAsync("#signin-form input[name=password]", "first one from chen 1");
        await own.ClickAsync("#signin-form button[type=submit]");
        await own.WaitForSelectorAsync("#password-view:not([hidden])");
        await own.FillAsync("#password-form input[name=current]", "first one from chen 1");
        await own.FillAsync("#password-form input[name=new]", "刘科员自己的密码2026");
        await own.ClickAsync("#password-form button[type=submit]");
        await own.WaitForSelectorAsync("#my-view:not([hidden])");
        Assert.Contains("刘科员", await own.Locator("#who").InnerTextAsync(), StringComparison.Ordinal);
        await theirs.CloseAsync();
    }

    [GeneratedRegex(@"setup code (?<code>[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})")]
    private static partial Regex SetupCode();
}
