using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Supervision.Board.Tests;

/// <summary>
/// The administration pages in real Chromium, on a demo office of their own (they change its directory and calendar):
/// a department and a person created in the browser, the person's first sign-in, a token shown once, a handler refused,
/// a channel tested against a listening robot, the 2027 notice pasted, previewed and applied, every workflow drawn, the
/// access log and the health page.
/// </summary>
[Trait("Browser", "Chromium")]
[Collection(AdminBoard.Name)]
public sealed class AdminPagesTests(BoardFixture fixture)
{
    private string Shot(string name) => Path.Combine(fixture.Screenshots, name);

    private async Task<IPage> AdminAsync(string section, string language = "zh")
    {
        var page = await fixture.SignedInAsync("admin", language);
        page.SetDefaultTimeout(150_000);
        await page.ClickAsync("#nav-admin");
        await page.WaitForSelectorAsync("#admin-nav:not([hidden])");
        if (section != "departments")
        {
            await page.ClickAsync($"#admin-nav a[data-section='{section}']");
        }

        await page.WaitForSelectorAsync($"#section-{section}:not([hidden])");
        return page;
    }

    [Fact]
    public async Task An_administrator_adds_a_department_and_a_person_who_signs_in_and_chooses_a_password()
    {
        var page = await AdminAsync("departments");
        await page.WaitForSelectorAsync("#department-tree li[data-department]");

        // Added under the office from the form, then renamed in place in the tree.
        await page.FillAsync("#department-add input[name=name]", "演示市数据局");
        await page.SelectOptionAsync("#department-add select[name=parent]", new SelectOptionValue { Label = "演示市人民政府办公室" });
        await page.FillAsync("#department-add input[name=aliases]", "数据局");
        await page.ClickAsync("#department-add button[type=submit]");
        var row = page.Locator("#department-tree .tree-row", new PageLocatorOptions { HasText = "演示市数据局" });
        await row.WaitForAsync();
        await row.Locator("button", new LocatorLocatorOptions { HasText = "改名" }).ClickAsync();
        await page.FillAsync("#department-tree form.tree-edit input[name=name]", "演示市大数据中心");
        await page.ClickAsync("#department-tree form.tree-edit button[type=submit]");
        await page.Locator("#department-tree .tree-name", new PageLocatorOptions { HasText = "演示市大数据中心" }).WaitForAsync();
        Assert.Equal("演示市人民政府办公室", await fixture.TextAsync(
            "SELECT p.name FROM departments d JOIN departments p ON p.id = d.parent_id WHERE d.name = '演示市大数据中心'"));
        // The groups plans name are shown on their members: the demo's 各区政府 on the district's office.
        Assert.Contains("各区政府", await page.Locator("#department-tree .tree-row", new PageLocatorOptions { HasText = "演示一区人民政府办公室" }).InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("admin-departments.png"), FullPage = true });

        // A person in it, with a first password the administrator chose.
        await page.ClickAsync("#admin-nav a[data-section='people']");
        await page.WaitForSelectorAsync("#people tbody tr[data-login='zhang']");
        await page.FillAsync("#person-add input[name=login]", "xiaochen");
        await page.FillAsync("#person-add input[name=displayName]", "小陈");
        await page.SelectOptionAsync("#person-add select[name=role]", "handler");
        await page.SelectOptionAsync("#person-add select[name=department]", new SelectOptionValue { Label = "演示市大数据中心" });
        await page.FillAsync("#person-add input[name=password]", "given by the admin 7");
        await page.ClickAsync("#person-add button[type=submit]");
        var person = page.Locator("#people tbody tr[data-login='xiaochen']");
        await person.WaitForAsync();
        Assert.Contains("待改密码", await person.InnerTextAsync(), StringComparison.Ordinal);

        // A token for a program: shown once, working, never listed again.
        await person.Locator("button", new LocatorLocatorOptions { HasText = "令牌" }).ClickAsync();
        await page.FillAsync("#token-create input[name=name]", "数据共享平台对接");
        await page.ClickAsync("#token-create button[type=submit]");
        var token = await page.Locator("#new-token").InnerTextAsync();
        Assert.StartsWith("sv_", token, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("admin-people.png"), FullPage = true });
        using (var program = new HttpClient { BaseAddress = fixture.Address })
        {
            program.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var me = JsonDocument.Parse(await program.GetStringAsync(new Uri("/api/session", UriKind.Relative)));
            Assert.Equal("xiaochen", me.RootElement.GetProperty("login").GetString());
        }

        Assert.DoesNotContain(token, await page.Locator("#tokens").InnerTextAsync(), StringComparison.Ordinal);

        // The person signs in on the board and must choose their own password first.
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Address.ToString(), Locale = "zh-CN" });
        var own = await context.NewPageAsync();
        own.SetDefaultTimeout(150_000);
        await own.GotoAsync("/");
        await own.FillAsync("#signin-form input[name=login]", "xiaochen");
        await own.FillAsync("#signin-form input[name=password]", "given by the admin 7");
        await own.ClickAsync("#signin-form button[type=submit]");
        await own.WaitForSelectorAsync("#password-view:not([hidden])");
        await own.FillAsync("#password-form input[name=current]", "given by the admin 7");
        await own.FillAsync("#password-form input[name=new]", "小陈自己的密码2026");
        await own.ClickAsync("#password-form button[type=submit]");
        // A handler lands on their own work.
        await own.WaitForSelectorAsync("#my-view:not([hidden])");
        await context.CloseAsync();

        // The administrator sees the change made.
        await page.ClickAsync("#people-filters button[type=submit]");
        await page.WaitForFunctionAsync("() => !document.querySelector(\"#people tbody tr[data-login='xiaochen']\").innerText.includes('待改密码')");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_handler_is_refused_the_pages_and_their_api()
    {
        var page = await fixture.SignedInAsync("zhang");
        page.SetDefaultTimeout(150_000);
        Assert.True(await page.Locator("#nav-admin").IsHiddenAsync());
        await page.GotoAsync("/admin/people");
        await page.WaitForSelectorAsync("#refused:not([hidden])");
        Assert.True(await page.Locator("#admin-nav").IsHiddenAsync());
        Assert.True(await page.Locator("#section-people").IsHiddenAsync());
        var status = await page.EvaluateAsync<int>("async () => (await fetch('/api/admin/users')).status");
        Assert.Equal(403, status);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_channel_is_tested_and_shows_the_robots_answer()
    {
        using var robot = new HttpListener();
        var port = FreePort();
        robot.Prefixes.Add($"http://127.0.0.1:{port}/robot/");
        robot.Start();
        var received = new List<string>();
        var answering = Task.Run(async () =>
        {
            var call = await robot.GetContextAsync();
            using (var reader = new StreamReader(call.Request.InputStream, Encoding.UTF8))
            {
                received.Add(await reader.ReadToEndAsync());
            }

            var answer = Encoding.UTF8.GetBytes("""{"errcode":0,"errmsg":"ok"}""");
            call.Response.ContentType = "application/json";
            await call.Response.OutputStream.WriteAsync(answer);
            call.Response.Close();
        });

        var page = await AdminAsync("channels");
        await page.SelectOptionAsync("#channel-add select[name=department]", new SelectOptionValue { Label = "演示市司法局" });
        await page.SelectOptionAsync("#channel-add select[name=channel]", "wecom");
        await page.FillAsync("#channel-add input[name=address]", $"http://127.0.0.1:{port}/robot/send?key=demo");
        await page.ClickAsync("#channel-add button[type=submit]");
        var row = page.Locator("#channels tbody tr", new PageLocatorOptions { HasText = $"127.0.0.1:{port}" });
        await row.WaitForAsync();
        await row.Locator("button", new LocatorLocatorOptions { HasText = "发送测试" }).ClickAsync();
        await page.WaitForSelectorAsync("#channels .test-answer.ok");
        var answerText = await page.Locator("#channels .test-answer.ok").InnerTextAsync();
        Assert.Contains("200 OK", answerText, StringComparison.Ordinal);
        Assert.Contains("\"errmsg\":\"ok\"", answerText, StringComparison.Ordinal);
        await answering;
        using (var sent = JsonDocument.Parse(Assert.Single(received)))
        {
            Assert.Equal("text", sent.RootElement.GetProperty("msgtype").GetString());
        }

        Assert.NotEqual("从未", (await row.Locator("td.delivered").InnerTextAsync()).Trim());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("admin-channels.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_2027_notice_is_pasted_previewed_with_its_month_grid_and_applied_with_progress()
    {
        var notice = Supervision.Host.Tests.Cli.CalendarCommandTests.Notice2027;
        var page = await AdminAsync("calendars");
        var y2027 = page.Locator("#calendar-years li[data-year='2027']");
        await y2027.WaitForAsync();
        Assert.Contains("暂定", await y2027.InnerTextAsync(), StringComparison.Ordinal);

        await page.FillAsync("#notice-form input[name=year]", "2027");
        await page.FillAsync("#notice-form textarea[name=text]", notice);
        await page.ClickAsync("#notice-form button[type=submit]");
        await page.WaitForSelectorAsync("#notice-preview:not([hidden]) #apply-notice");
        // The grid is the notice's year: the Spring Festival off, Saturday 02-20 worked, 02-11 a change from the law's year.
        Assert.Equal("off changed", await page.GetAttributeAsync("#calendar-grid td[data-day='2027-02-11']", "class"));
        Assert.Contains("makeup", await page.GetAttributeAsync("#calendar-grid td[data-day='2027-02-20']", "class"), StringComparison.Ordinal);
        Assert.Equal("weekend", await page.GetAttributeAsync("#calendar-grid td[data-day='2027-03-06']", "class"));
        Assert.Contains("春节", await page.Locator("#notice-preview .sections").InnerTextAsync(), StringComparison.Ordinal);
        var moves = await page.Locator("#moves-summary").InnerTextAsync();
        Assert.Equal(0, await fixture.ScalarAsync("SELECT count(*) FROM calendar_years WHERE year = 2027"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("admin-calendar-preview.png"), FullPage = true });

        await page.ClickAsync("#apply-notice");
        await page.WaitForSelectorAsync("#status:not([hidden])");
        var done = await page.Locator("#status").InnerTextAsync();
        Assert.StartsWith("已载入 2027 年安排", done, StringComparison.Ordinal);
        Assert.Contains("管理员载入", await page.Locator("#calendar-years li[data-year='2027']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("admin", await fixture.TextAsync("SELECT changed_by FROM calendar_years WHERE year = 2027"));
        // What the preview said would move is what moved.
        var expected = System.Text.RegularExpressions.Regex.Match(moves, @"其中 (\d+) 件");
        Assert.Contains($"截止日改变 {(expected.Success ? expected.Groups[1].Value : "0")} 件", done, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("admin-calendar-applied.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Every_shipped_workflow_is_drawn_with_every_step_and_the_pages_read_in_english()
    {
        using var api = await fixture.ApiAsync("admin");
        using var definitions = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/definitions", UriKind.Relative)));
        var page = await AdminAsync("definitions", "en");
        Assert.Equal("Workflows", (await page.Locator("#admin-nav a[aria-current='page']").InnerTextAsync()).Trim());
        foreach (var definition in definitions.RootElement.EnumerateArray())
        {
            var id = definition.GetProperty("id").GetString();
            var drawn = page.Locator($"article[data-definition='{id}'] svg");
            await drawn.WaitForAsync();
            foreach (var step in definition.GetProperty("steps").EnumerateArray())
            {
                Assert.Equal(1, await drawn.Locator($"g.step[data-step='{step.GetProperty("id").GetString()}']").CountAsync());
            }

            Assert.Equal(definition.GetProperty("steps").GetArrayLength(), await drawn.Locator("g.step").CountAsync());
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("admin-definitions-en.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_access_log_shows_what_changed_and_the_health_page_how_the_system_is()
    {
        using var api = await fixture.ApiAsync("admin");
        using var added = await api.PostAsync(new Uri("/api/admin/departments", UriKind.Relative), new StringContent("""{"name":"演示市档案馆","parent":"演示市人民政府办公室"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);

        var page = await AdminAsync("access-log");
        await page.FillAsync("#log-filters input[name=route]", "/api/admin/departments");
        await page.ClickAsync("#log-filters button[type=submit]");
        await page.Locator("#access-log tbody tr", new PageLocatorOptions { HasText = "POST /api/admin/departments" }).First.WaitForAsync();
        Assert.Contains("201", await page.Locator("#access-log tbody tr").First.InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("admin-access-log.png"), FullPage = true });

        await page.ClickAsync("#admin-nav a[data-section='health']");
        await page.WaitForSelectorAsync("#health-status");
        Assert.Contains("正常", await page.Locator("#health-status").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(4, await page.Locator("#recurring tbody tr").CountAsync());
        await page.ClickAsync("#verify-history");
        await page.WaitForFunctionAsync("() => document.querySelector('#health-history') && document.querySelector('#health-history').innerText.includes('完好')");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("admin-health.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_display_link_made_on_the_page_opens_the_wall_and_revoked_there_ends_it()
    {
        var page = await AdminAsync("displays");
        await fixture.MakeOpenAndRevokeDisplayLinkAsync(page, "会议室大屏", "演示市人民政府办公室");
        await page.Context.CloseAsync();
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>The administration's tests: a demo office and a browser of their own, since they change its directory and calendar.</summary>
[CollectionDefinition(Name)]
public sealed class AdminBoard : ICollectionFixture<BoardFixture>
{
    public const string Name = "Administration";
}
