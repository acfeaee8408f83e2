using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Playwright;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

// The board's collections (the demo city the board tests share, the office the administration's tests change) each
// start a server and a browser: one collection at a time, so that two of them never compete for the machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Supervision.Board.Tests;

/// <summary>
/// A real server with the demo city (plus a department whose name is markup, and the minute-level test definitions)
/// on its own SQLite database, and Debian's Chromium driven by Playwright. Never downloads a browser: the test script
/// installs <c>chromium</c> and <c>fonts-wqy-microhei</c>; a missing browser fails the tests with the reason.
/// </summary>
public sealed class BoardFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    public const string Password = "demo-password";
    public const string MarkupDepartment = "<script>alert('x')</script>局";

    private SqliteTestDatabase _database = null!;
    private RunningHost _host = null!;
    private IPlaywright _playwright = null!;

    public Database Database { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: artifacts/screenshots under the repository (kept by CI as test artifacts).</summary>
    public string Screenshots { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: install Debian's chromium and fonts-wqy-microhei (./test.sh does under CI) to run the board tests.");
        }

        _database = new SqliteTestDatabase();
        Database = new Database(_database.Settings);
        await new Migrator(Database, TimeProvider.System).MigrateAsync(default);
        await new DepartmentStore(Database, TimeProvider.System).AddAsync(new Engine.Organisation.Department { Name = MarkupDepartment }, default);

        var workflows = TestWorkflows.ShippedAndTest();

        _host = new RunningHost(new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = _database.Settings.ConnectionString,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Supervision__WorkflowsDirectory"] = workflows,
            ["Supervision__RateLimit__PermitsPerMinute"] = "100000",
            // The tests keep their pages (each a live board with its event stream) open until the end.
            ["Supervision__Events__MaxStreamsPerPerson"] = "64",
            // Plans of more than two task rows are confirmed by a background job, so the import page follows one.
            ["Supervision__Imports__InlineTasks"] = "2",
        }, "--demo");
        Address = await _host.ListeningAsync() ?? throw new InvalidOperationException(_host.Output);
        Assert.True(await _host.WaitForAsync("Demo data created"), _host.Output);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });

        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Supervision.sln")))
        {
            root = root.Parent;
        }

        Screenshots = Path.Combine(root?.FullName ?? Path.GetTempPath(), "artifacts", "screenshots");
        Directory.CreateDirectory(Screenshots);
    }

    /// <summary>A browser tab on the board (<c>/board</c>) signed in as <paramref name="login"/> through the sign-in form, language as chosen.</summary>
    public async Task<IPage> SignedInAsync(string login, string language = "zh")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString(),
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ViewportSize = new ViewportSize { Width = 1440, Height = 1000 },
        });
        var page = await context.NewPageAsync();
        // The board itself ("/" is each person's landing: handlers and leads land on their own work).
        await page.GotoAsync("/board");
        if (language == "en")
        {
            await page.ClickAsync("#lang");
        }

        await page.FillAsync("#signin-form input[name=login]", login);
        await page.FillAsync("#signin-form input[name=password]", Password);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForSelectorAsync("#board tbody tr[data-department]");
        await page.WaitForSelectorAsync("#live[data-state=on]");
        return page;
    }

    /// <summary>
    /// On a page showing the display links (the administration's or the board's): makes one named
    /// <paramref name="name"/> for <paramref name="department"/>, opens its address as the meeting room's screen would
    /// (no one signed in, 1920 × 1080) and sees the wall of that department, then revokes it on the page and sees the
    /// screen's session end. Answers the address.
    /// </summary>
    public async Task<string> MakeOpenAndRevokeDisplayLinkAsync(IPage page, string name, string department)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.FillAsync("#display-add input[name=name]", name);
        await page.SelectOptionAsync("#display-add select[name=department]", new SelectOptionValue { Label = department });
        await page.ClickAsync("#display-add button[type=submit]");
        var address = await page.Locator("#new-display-url").InnerTextAsync();
        Assert.Contains("/wall#key=dk_", address, StringComparison.Ordinal);
        var row = page.Locator("#displays tbody tr", new PageLocatorOptions { HasText = name });
        await row.WaitForAsync();

        var screen = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } });
        var wall = await screen.NewPageAsync();
        wall.SetDefaultTimeout(150_000);
        await wall.GotoAsync(address);
        await wall.WaitForSelectorAsync(".tile[data-department]");
        Assert.Contains(department, await wall.Locator("#wall-title").InnerTextAsync(), StringComparison.Ordinal);

        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await row.Locator("button", new LocatorLocatorOptions { HasText = "吊销" }).ClickAsync();
        await page.WaitForSelectorAsync("#displays tbody tr.off");
        Assert.Equal(401, await wall.EvaluateAsync<int>("async () => (await fetch('/api/board')).status"));
        await screen.CloseAsync();
        return address;
    }

    /// <summary>
    /// Registers a request in 演示市司法局 under the one-minute test workflow (yellow at half-time, red at its end, with
    /// no action): the way a test watches a light change live. Answers the item as registered.
    /// </summary>
    public static async Task<JsonElement> RegisterUrgentRequestAsync(HttpClient api, string title)
    {
        ArgumentNullException.ThrowIfNull(api);
        using var response = await api.PostAsJsonAsync("/api/requests", new { title, department = "演示市司法局", content = "一分钟时限", definition = "urgent-request" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// Completes an urgent request (the one-minute test workflow) that a test registered to watch a light change, so
    /// that it does not turn red during a later test and move the counts that test is waiting on.
    /// </summary>
    public static async Task FinishUrgentRequestAsync(HttpClient api, long id)
    {
        ArgumentNullException.ThrowIfNull(api);
        using var done = await api.PostAsJsonAsync($"/api/items/{id}/actions/complete", new { step = "handle", outcome = "done" });
        Assert.True(done.IsSuccessStatusCode, await done.Content.ReadAsStringAsync());
    }

    /// <summary>An API client with a fresh token of <paramref name="login"/>.</summary>
    public async Task<HttpClient> ApiAsync(string login)
    {
        var token = (await new Supervision.Host.People.Credentials(new TokenStore(Database), new UserStore(Database, TimeProvider.System), TimeProvider.System).CreateTokenAsync(login, "board tests", default)).Token;
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<long> ScalarAsync(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    public async Task<string?> TextAsync(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<string>(sql, parameters);
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

/// <summary>
/// The board's test classes share one server and one browser (starting the demo city is the slow part) and so run
/// one after another: each may compare the page with the database without another class changing it meanwhile.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedBoard : ICollectionFixture<BoardFixture>
{
    public const string Name = "Board";
}
