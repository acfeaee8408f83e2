using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>What the board's page reads: lists behind its counts, its filters, its live events, its page.</summary>
public abstract class BoardApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2025, 10, 9, 10, 0, 0, Cst));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static async Task<List<string>> TitlesAsync(HttpClient client, string query)
    {
        var page = await JsonAsync(await client.GetAsync(new Uri($"/api/items?{query}", UriKind.Relative)));
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()!).Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<long> TaskAsync(HttpClient zhao, string title)
    {
        using var created = await zhao.PostAsJsonAsync("/api/tasks", new { title, content = title, leadDepartments = new[] { "市司法局" }, responsibleDepartments = new[] { "市教育局" }, deadline = "2025-12-31" });
        var id = (await JsonAsync(created)).GetProperty("id").GetInt64();
        using var assigned = await zhao.PostAsJsonAsync($"/api/items/{id}/actions/complete", new { step = "assign", outcome = "assigned" });
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        return id;
    }

    [Fact]
    public async Task With_a_department_the_list_filters_on_that_departments_assignment_as_the_board_counts_it()
    {
        using var zhao = _server.Client("zhao");
        using var zhang = _server.Client("zhang");
        var id = await TaskAsync(zhao, "推进执法公开");
        await TaskAsync(zhao, "推进财政公开");
        var detail = await JsonAsync(await zhao.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative)));
        var justice = detail.GetProperty("assignments").EnumerateArray().Single(a => a.GetProperty("department").GetProperty("name").GetString() == "市司法局").GetProperty("id").GetInt64();
        // Each department's own clock is explained (the task itself has none).
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("explanation").ValueKind);
        Assert.All(detail.GetProperty("assignments").EnumerateArray(), a =>
            Assert.Contains("截止日：2025-12-31", a.GetProperty("explanation").GetProperty("zh").GetString(), StringComparison.Ordinal));
        using var submitted = await zhang.PostAsJsonAsync($"/api/items/{id}/actions/complete", new { step = "handle", outcome = "submitted", assignment = justice });
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);

        // The justice bureau's assignment is under review; the education bureau's is still being handled; the item's own step is unchanged.
        Assert.Equal(["推进执法公开"], await TitlesAsync(zhao, "department=市司法局&step=review"));
        Assert.Empty(await TitlesAsync(zhao, "department=市教育局&step=review"));
        Assert.Equal(["推进执法公开", "推进财政公开"], await TitlesAsync(zhao, "department=市教育局&step=handle&open=true"));
        Assert.Empty(await TitlesAsync(zhao, "step=review"));

        // A department's subtree: the office has no assignment of its own, its bureaus do.
        Assert.Empty(await TitlesAsync(zhao, "department=市政府办公室&light=green&open=true"));
        Assert.Equal(["推进执法公开", "推进财政公开"], await TitlesAsync(zhao, "department=市政府办公室&subtree=true&light=green&open=true"));
    }

    [Fact]
    public async Task Due_within_n_working_days_counts_from_today_on_the_statutory_calendar()
    {
        using var zhang = _server.Client("zhang");
        using var zhao = _server.Client("zhao");
        // Today is Thursday 2025-10-09. Received 2025-09-15: due 2025-10-17 (the National Day holiday does not count).
        // Received 2025-09-26: due 2025-10-30.
        foreach (var (title, received) in new[] { ("早", "2025-09-15"), ("晚", "2025-09-26") })
        {
            using var created = await zhang.PostAsJsonAsync("/api/requests", new { title, applicant = "甲", channel = "online", receivedOn = received, department = "市司法局", content = title });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Six working days from today: 10-09, 10-10, 10-11 (a make-up working Saturday), 10-13, 10-14, 10-15; seven reach 10-16, eight 10-17.
        Assert.Empty(await TitlesAsync(zhao, "dueWithin=7"));
        Assert.Equal(["早"], await TitlesAsync(zhao, "dueWithin=8"));
        Assert.Equal(["早"], await TitlesAsync(zhao, "department=市司法局&dueWithin=8&open=true"));
        var board = await JsonAsync(await zhao.GetAsync(new Uri("/api/board?dueWithin=8", UriKind.Relative)));
        Assert.Equal(1, board.GetProperty("totals").GetProperty("open").GetInt32());
        Assert.Equal("2025-10-09", board.GetProperty("today").GetString());

        var text = await JsonAsync(await zhao.GetAsync(new Uri("/api/board?text=%E6%99%9A", UriKind.Relative)));
        Assert.Equal(1, text.GetProperty("totals").GetProperty("open").GetInt32());
        using var bad = await zhao.GetAsync(new Uri("/api/items?dueWithin=-1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var badKind = await zhao.GetAsync(new Uri("/api/board?kind=memo", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
    }

    [Fact]
    public async Task The_board_and_its_forecast_follow_each_change_at_once()
    {
        using var zhang = _server.Client("zhang");
        using var zhao = _server.Client("zhao");
        async Task<(int Open, int Red7, int Red3)> BoardAsync()
        {
            var board = await JsonAsync(await zhao.GetAsync(new Uri("/api/board", UriKind.Relative)));
            var forecast = board.GetProperty("forecast").EnumerateArray().ToDictionary(f => f.GetProperty("workingDays").GetInt32(), f => f.GetProperty("turnRed").GetInt32());
            return (board.GetProperty("totals").GetProperty("open").GetInt32(), forecast[7], forecast[3]);
        }

        Assert.Equal((0, 0, 0), await BoardAsync());
        Assert.Equal((0, 0, 0), await BoardAsync());

        // Received Friday 2025-09-12: due Thursday 10-16, the seventh working day from today (10-09).
        using var created = await zhang.PostAsJsonAsync("/api/requests", new { title = "甲", applicant = "甲", channel = "online", receivedOn = "2025-09-12", department = "市司法局", content = "甲" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal((1, 1, 0), await BoardAsync());

        var id = (await JsonAsync(created)).GetProperty("id").GetInt64();
        using var withdrawn = await zhang.PostAsJsonAsync($"/api/items/{id}/actions/withdraw", new { reason = "申请人撤回" });
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.Equal((0, 0, 0), await BoardAsync());
    }

    [Fact]
    public async Task The_event_stream_says_changed_when_someone_acts()
    {
        using var zhao = _server.Client("zhao");
        using var zhang = _server.Client("zhang");
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var response = await zhao.GetAsync(new Uri("/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, patience.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(patience.Token));
        Assert.Equal("retry: 2000", await reader.ReadLineAsync(patience.Token));

        using var created = await zhang.PostAsJsonAsync("/api/requests", new { title = "甲", applicant = "甲", channel = "online", receivedOn = "2025-10-09", department = "市司法局", content = "甲" }, patience.Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        string? line;
        do
        {
            line = await reader.ReadLineAsync(patience.Token);
        }
        while (line is not null && line != "event: changed");

        Assert.Equal("event: changed", line);
        Assert.StartsWith("data: {\"at\":", await reader.ReadLineAsync(patience.Token), StringComparison.Ordinal);
    }

    /// <summary>The next <c>changed</c> event of a stream: its change version.</summary>
    private static async Task<long> NextChangedAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        string? line;
        do
        {
            line = await reader.ReadLineAsync(cancellationToken);
        }
        while (line is not null && line != "event: changed");

        using var data = JsonDocument.Parse((await reader.ReadLineAsync(cancellationToken))!["data: ".Length..]);
        return data.RootElement.GetProperty("version").GetInt64();
    }

    [Fact]
    public async Task An_event_stream_is_told_of_its_own_departments_changes_not_of_another_departments()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var zhao = _server.Client("zhao");
        using var zhang = _server.Client("zhang");
        using var li = _server.Client("li");
        using var zhaoStream = await zhao.GetAsync(new Uri("/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, patience.Token);
        using var liStream = await li.GetAsync(new Uri("/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, patience.Token);
        using var office = new StreamReader(await zhaoStream.Content.ReadAsStreamAsync(patience.Token));
        using var education = new StreamReader(await liStream.Content.ReadAsStreamAsync(patience.Token));

        // 市司法局 acts: the city's office (the whole city) hears it.
        using var justice = await zhang.PostAsJsonAsync("/api/requests", new { title = "甲", applicant = "甲", channel = "online", receivedOn = "2025-10-09", department = "市司法局", content = "甲" }, patience.Token);
        Assert.Equal(HttpStatusCode.Created, justice.StatusCode);
        var first = await NextChangedAsync(office, patience.Token);

        // Then 市教育局 acts: the first change 市教育局's handler hears is its own (a later version), not 市司法局's.
        using var own = await li.PostAsJsonAsync("/api/requests", new { title = "乙", applicant = "乙", channel = "online", receivedOn = "2025-10-09", department = "市教育局", content = "乙" }, patience.Token);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        var heard = await NextChangedAsync(education, patience.Token);

        Assert.True(heard > first, $"市教育局's stream was told of change {heard}; 市司法局's was {first}");
        Assert.True(await NextChangedAsync(office, patience.Token) >= heard);
    }

    [Fact]
    public async Task A_person_holds_a_bounded_number_of_event_streams_and_a_closed_one_frees_its_place()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var most = _server.Services.GetRequiredService<Supervision.Host.Board.EventStreams>().MaxPerPerson;
        var clients = Enumerable.Range(0, most + 1).Select(_ => _server.Client("zhao")).ToList();
        var open = new List<HttpResponseMessage>();
        foreach (var client in clients.Take(most))
        {
            var stream = await client.GetAsync(new Uri("/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, patience.Token);
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            open.Add(stream);
        }

        using var refused = await clients[^1].GetAsync(new Uri("/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, patience.Token);
        using var li = _server.Client("li");
        using var other = await li.GetAsync(new Uri("/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, patience.Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        // Closing one frees its place (the server sees the connection go).
        open[0].Dispose();
        clients[0].Dispose();
        HttpStatusCode again;
        var tries = 0;
        do
        {
            await Task.Delay(100, patience.Token);
            using var retry = await clients[^1].GetAsync(new Uri("/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, patience.Token);
            again = retry.StatusCode;
        }
        while (again != HttpStatusCode.OK && ++tries < 300);

        Assert.Equal(HttpStatusCode.OK, again);
        foreach (var stream in open.Skip(1))
        {
            stream.Dispose();
        }

        foreach (var client in clients.Skip(1))
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task The_page_is_served_with_a_strict_content_security_policy_and_item_import_and_report_links_open_it()
    {
        using var anonymous = _server.Client();
        using var page = await anonymous.GetAsync(new Uri("/", UriKind.Relative));
        using var item = await anonymous.GetAsync(new Uri("/items/42", UriKind.Relative));
        using var imports = await anonymous.GetAsync(new Uri("/imports", UriKind.Relative));
        using var import = await anonymous.GetAsync(new Uri("/imports/7", UriKind.Relative));
        using var notAnImport = await anonymous.GetAsync(new Uri("/imports/latest", UriKind.Relative));
        using var reports = await anonymous.GetAsync(new Uri("/reports?from=2025-10-01&to=2025-10-09", UriKind.Relative));
        using var notAReport = await anonymous.GetAsync(new Uri("/reports/7", UriKind.Relative));
        using var script = await anonymous.GetAsync(new Uri("/js/board/main.js", UriKind.Relative));
        using var api = await anonymous.GetAsync(new Uri("/api/items", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"zh-CN\">", html, StringComparison.Ordinal);
        Assert.Equal(html, await item.Content.ReadAsStringAsync());
        Assert.Equal(html, await imports.Content.ReadAsStringAsync());
        Assert.Equal(html, await import.Content.ReadAsStringAsync());
        Assert.Equal(html, await reports.Content.ReadAsStringAsync());
        Assert.Contains("script-src 'self'", reports.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", import.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        // Only the script's own addresses are the page: anything else under /imports or /reports is not served it.
        Assert.NotEqual(HttpStatusCode.OK, notAnImport.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, notAReport.StatusCode);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        // A module script runs only when served as JavaScript.
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"/js/board/main.js\"></script>", html, StringComparison.Ordinal);
        // Nothing is fetched from elsewhere: no absolute addresses in the page.
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }
}

public sealed class SqliteBoardApiTests() : BoardApiTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresBoardApiTests() : BoardApiTests(DatabaseProvider.PostgreSql);
