using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Supervision.Host.People;
using Xunit.Abstractions;

namespace Supervision.Board.Tests;

/// <summary>
/// Markup and script in the names and titles the board shows: departments named and requests titled (and filled in)
/// with HTML that would run script if it were parsed, seen on the board, in its department filter, in the list a
/// count opens, in the item's page and typed into the text filter. Each shows as the literal text, no script runs (no
/// <c>window.__xss</c>, no dialog) and no injected element exists.
/// </summary>
[Trait("Browser", "Chromium")]
[Collection(SharedBoard.Name)]
public sealed class MarkupTests(BoardFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] Payloads =
    [
        "<img src=x onerror=window.__xss=1>",
        "<script>window.__xss=1</script>",
        "\"><svg onload=window.__xss=1>",
        "'><img src=x onerror=alert(1)>",
        "<iframe src=\"javascript:window.__xss=1\"></iframe>",
        "<a href=javascript:window.__xss=1 id=injected>点我</a>",
        "</td></tr><tr><td><b id=injected>x</b>",
        "${window.__xss=1}`+alert(1)+`",
        "&lt;b&gt;实体&lt;/b&gt; &amp;",
    ];

    // Elements only injected markup would create (the page's own scripts all have a src; its chart has no handlers).
    private const string Injected = "img[src='x'], svg[onload], iframe, #injected, a[href^='javascript'], script:not([src]), [onerror], [onload]";

    private static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 150_000, PollingInterval = 100 };

    [Fact]
    public async Task Names_and_titles_holding_markup_show_as_text_and_run_no_script()
    {
        var office = await fixture.ScalarAsync("SELECT id FROM departments WHERE name = '演示市人民政府办公室'");
        var departments = new DepartmentStore(fixture.Database, TimeProvider.System);
        var today = TimeProvider.System.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var made = new List<(long Department, long Item, string Text)>();
        foreach (var (payload, index) in Payloads.Select((p, i) => (p, i)))
        {
            var name = payload + "局" + index.ToString(CultureInfo.InvariantCulture);
            var department = await departments.AddAsync(new Engine.Organisation.Department { Name = name, ParentId = office }, default);
            // Registered by a handler of that department, whose own name is markup too.
            var login = "markup" + index.ToString(CultureInfo.InvariantCulture);
            await new UserStore(fixture.Database, TimeProvider.System).AddAsync(new Engine.Organisation.User { Login = login, DisplayName = payload, DepartmentId = department.Id, Role = "handler" }, default);
            using var handler = await fixture.ApiAsync(login);
            using var created = await handler.PostAsJsonAsync("/api/requests", new
            {
                title = payload, applicant = payload, channel = "post", receivedOn = today, department = department.Id.ToString(CultureInfo.InvariantCulture), content = payload,
            });
            var body = await created.Content.ReadAsStringAsync();
            Assert.True(created.StatusCode == HttpStatusCode.Created, body);
            made.Add((department.Id, JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64(), payload));
        }

        var page = await fixture.SignedInAsync("zhao");
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        await page.ReloadAsync();
        await page.WaitForSelectorAsync($"#board tr[data-department='{made[^1].Department}']");

        var checkedTexts = 0;
        foreach (var (department, _, text) in made)
        {
            var name = (await departments.GetAsync(department, default))!.Name;
            Assert.Equal(name, (await page.Locator($"#board tr[data-department='{department}'] td.dept").InnerTextAsync()).Trim());
            Assert.Contains(name, await page.Locator("#filters select[name=department] option").AllInnerTextsAsync());
            checkedTexts += 2;
        }

        // The list a count opens, and the item's own page: title, fields and department as text.
        var (firstDepartment, firstItem, firstText) = made[0];
        await page.ClickAsync($"#board tr[data-department='{firstDepartment}'] button[data-light=open]");
        await page.WaitForSelectorAsync($"#list-card:not([hidden]) #list tbody tr[data-item='{firstItem}']");
        Assert.Equal(firstText, (await page.Locator($"#list tbody tr[data-item='{firstItem}'] td a").InnerTextAsync()).Trim());
        checkedTexts++;
        foreach (var (department, item, text) in made)
        {
            await page.GotoAsync($"/items/{item}");
            await page.WaitForFunctionAsync("id => !document.querySelector('#item-view').hidden && document.querySelector('#item-facts dd')?.textContent === String(id)", item, Patience);
            Assert.Equal(text, await page.Locator("#item-title").InnerTextAsync());
            var facts = await page.Locator("#item-facts dd").AllInnerTextsAsync();
            Assert.Equal(2, facts.Count(f => f == text));
            Assert.Contains((await departments.GetAsync(department, default))!.Name, facts);
            checkedTexts += 4;
            Assert.Equal(0, await page.Locator(Injected).CountAsync());
        }

        // Markup typed into the text filter finds the items holding it and runs nothing either.
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("#board tbody tr[data-department]");
        await page.FillAsync("#filters input[name=text]", Payloads[0]);
        await page.ClickAsync("#filters button[type=submit]");
        await page.WaitForFunctionAsync("d => document.querySelector(`#board tr[data-department='${d}'] button[data-light=open]`)?.textContent === '1'", made[0].Department, Patience);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "markup.png"), FullPage = true });

        output.WriteLine($"{made.Count} departments and requests named with markup, {checkedTexts} texts compared on the board, its filter, the list and the item pages; dialogs {dialogs.Count}");
        Assert.Equal(0, await page.Locator(Injected).CountAsync());
        Assert.Equal("undefined", await page.EvaluateAsync<string>("typeof window.__xss"));
        Assert.Empty(dialogs);
    }
}
