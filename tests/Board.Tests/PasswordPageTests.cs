using Microsoft.Playwright;
using Supervision.Host.People;

namespace Supervision.Board.Tests;

/// <summary>A person whose password an administrator set signs in on the board and must choose their own first.</summary>
[Trait("Browser", "Chromium")]
[Collection(SharedBoard.Name)]
public sealed class PasswordPageTests(BoardFixture fixture)
{
    [Fact]
    public async Task A_person_with_an_administrators_password_chooses_their_own_then_sees_the_board()
    {
        var clock = TimeProvider.System;
        var users = new UserStore(fixture.Database, clock);
        var office = (await new DepartmentStore(fixture.Database, clock).ListAsync(default)).First(d => d.ParentId is null);
        await users.AddAsync(new Engine.Organisation.User { Login = "xinren", DisplayName = "新人", DepartmentId = office.Id, Role = "supervisor" }, default);
        await new Credentials(new TokenStore(fixture.Database), users, clock).SetPasswordAsync("xinren", "given by the admin 7", default, mustChange: true);

        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Address.ToString(), Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(150_000);
        await page.GotoAsync("/");
        await page.FillAsync("#signin-form input[name=login]", "xinren");
        await page.FillAsync("#signin-form input[name=password]", "given by the admin 7");
        await page.ClickAsync("#signin-form button[type=submit]");

        // The form to choose a password, and nothing of the board until it is done.
        await page.WaitForSelectorAsync("#password-view:not([hidden])");
        Assert.True(await page.Locator("#board-view").IsHiddenAsync());
        await page.FillAsync("#password-form input[name=current]", "given by the admin 7");
        await page.FillAsync("#password-form input[name=new]", "123456789");
        await page.ClickAsync("#password-form button[type=submit]");
        // The browser's own check (at least 10) holds the form back; the server's words come for what it cannot see.
        await page.FillAsync("#password-form input[name=new]", "1234567890");
        await page.ClickAsync("#password-form button[type=submit]");
        await page.WaitForFunctionAsync("() => document.querySelector('#password-error').textContent.includes('common')");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "password-first-sign-in.png"), FullPage = true });

        await page.FillAsync("#password-form input[name=new]", "新人自己的密码2026");
        await page.ClickAsync("#password-form button[type=submit]");
        await page.WaitForSelectorAsync("#board tbody tr[data-department]");
        Assert.True(await page.Locator("#password-view").IsHiddenAsync());
        await context.CloseAsync();
    }
}
