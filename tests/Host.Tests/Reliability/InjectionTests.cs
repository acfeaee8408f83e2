using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Api;
using Supervision.Host.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// SQL metacharacters in every text field the API accepts are stored and read back byte for byte, in names it looks
/// up they find nothing and write nothing, in query filters they match literally (LIKE's own wildcards included), and
/// the schema is the same afterwards; on both providers.
/// </summary>
public abstract class InjectionTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Payloads =
    [
        "'", "\"", ";", "--", "/* */", "\\", "%", "_", "' OR '1'='1", "'); DROP TABLE items;--", "\" OR \"\"=\"", "%_\\", "a%b_c\\d", "\\%", "\\_", "100%", "%%", "__",
        "'; DELETE FROM departments; --", "1; UPDATE items SET title = 'x'", "$1 $$ :name @p ?", "甲'乙\"丙\\丁%戊_己",
    ];

    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2025, 10, 10, 10, 0, 0, TimeSpan.FromHours(8)),
        new Dictionary<string, string> { ["Supervision:RateLimit:PermitsPerMinute"] = "1000000" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Metacharacters_in_every_text_field_are_stored_and_read_back_byte_for_byte()
    {
        using var li = _server.Client("li");
        using var zhao = _server.Client("zhao");
        var schema = await SchemaAsync();
        var checkedValues = 0;
        foreach (var p in Payloads)
        {
            // A disclosure request: its title and text fields, then the free text of each action on its way through.
            var request = await CreatedAsync(await li.PostAsJsonAsync("/api/requests", new { title = p, applicant = p, channel = "post", receivedOn = "2025-10-10", department = "市教育局", content = p }));
            var id = request.GetProperty("id").GetInt64();
            var stored = await DetailAsync(li, id);
            Assert.Equal(p, stored.GetProperty("item").GetProperty("title").GetString());
            Assert.Equal(p, stored.GetProperty("item").GetProperty("fields").GetProperty("applicant").GetString());
            Assert.Equal(p, stored.GetProperty("item").GetProperty("fields").GetProperty("content").GetString());
            checkedValues += 3;

            await ActAsync(li, id, "complete", new { step = "review", outcome = "accepted" });
            foreach (var (client, action, body, written) in new (HttpClient, string, object, int)[]
            {
                (li, "pause", new { reason = "third-party-consultation", note = p }, 1),
                (li, "resume", new { note = p }, 1),
                (li, "extend", new { workingDays = 5, reason = p }, 1),
                (zhao, "override", new { dueOn = "2025-12-31", reason = p }, 1),
                (li, "report", new { text = p }, 1),
                (li, "complete", new { step = "handle", outcome = "ready-to-reply" }, 0),
                (li, "complete", new { step = "reply", outcome = "partly-disclosed", fields = new { replyDate = "2025-10-10", delivery = "post", basis = p } }, 1),
            })
            {
                await ActAsync(client, id, action, body);
                var history = (await DetailAsync(li, id)).GetProperty("history");
                var last = history[history.GetArrayLength() - 1].GetProperty("detail");
                Assert.True(Strings(last).Count(s => s == p) >= written, $"{action}: {p} not found in {last}");
                checkedValues += written;
            }

            // A supervision task: its title and text fields.
            var task = await CreatedAsync(await zhao.PostAsJsonAsync("/api/tasks", new { title = p, content = p, plan = p, planItem = p, leadDepartments = new[] { "市司法局" }, deadline = "2025-12-31" }));
            var fields = (await DetailAsync(zhao, task.GetProperty("id").GetInt64())).GetProperty("item");
            Assert.Equal(p, fields.GetProperty("title").GetString());
            foreach (var name in new[] { "content", "plan", "planItem" })
            {
                Assert.Equal(p, fields.GetProperty("fields").GetProperty(name).GetString());
            }

            checkedValues += 4;
        }

        output.WriteLine($"{provider}: {Payloads.Length} payloads, {checkedValues} stored values read back byte for byte");
        Assert.Equal(schema, await SchemaAsync());
        Assert.Equal(Payloads.Length * 2, await CountAsync("SELECT count(*) FROM items"));
        Assert.Equal(4, await CountAsync("SELECT count(*) FROM departments"));
    }

    [Fact]
    public async Task Metacharacters_in_names_looked_up_and_in_query_filters_find_nothing_and_write_nothing()
    {
        using var zhang = _server.Client("zhang");
        using var zhao = _server.Client("zhao");
        using var anonymous = _server.Client();
        var id = (await CreatedAsync(await zhang.PostAsJsonAsync("/api/requests", Request("申请公开统计")))).GetProperty("id").GetInt64();
        var schema = await SchemaAsync();
        var before = await Fingerprint.TakeAsync(_server.DatabaseSettings);

        var statuses = new SortedDictionary<int, int>();
        var wrong = new List<string>();
        async Task SendAsync(HttpClient client, string what, Func<HttpClient, Task<HttpResponseMessage>> send, bool mayFind = false, bool bare = false)
        {
            using var response = await send(client);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var problem = bare || response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            if (!(status is >= 400 and < 500 && problem || mayFind && status == 200))
            {
                wrong.Add($"{what} -> {status}");
            }
        }

        foreach (var p in Payloads.Append("\0").Append("a\0b"))
        {
            var q = Uri.EscapeDataString(p);
            await SendAsync(zhang, $"department {p}", c => c.PostAsJsonAsync("/api/requests", Request("x", department: p)));
            await SendAsync(zhang, $"title with NUL {p}", c => c.PostAsJsonAsync("/api/requests", Request(p + "\0")));
            await SendAsync(zhang, $"definition {p}", c => c.PostAsJsonAsync("/api/requests", new { title = "x", applicant = "a", channel = "post", receivedOn = "2025-10-10", department = "市司法局", content = "c", definition = p }));
            await SendAsync(zhang, $"channel {p}", c => c.PostAsJsonAsync("/api/requests", new { title = "x", applicant = "a", channel = p, receivedOn = "2025-10-10", department = "市司法局", content = "c" }));
            await SendAsync(zhang, $"receivedOn {p}", c => c.PostAsJsonAsync("/api/requests", new { title = "x", applicant = "a", channel = "post", receivedOn = p, department = "市司法局", content = "c" }));
            await SendAsync(zhao, $"lead department {p}", c => c.PostAsJsonAsync("/api/tasks", new { title = "x", content = "c", leadDepartments = new[] { p }, deadline = "2025-12-31" }));
            await SendAsync(zhao, $"responsible department {p}", c => c.PostAsJsonAsync("/api/tasks", new { title = "x", content = "c", leadDepartments = new[] { "市司法局" }, responsibleDepartments = new[] { p }, deadline = "2025-12-31" }));
            await SendAsync(zhao, $"deadline {p}", c => c.PostAsJsonAsync("/api/tasks", new { title = "x", content = "c", leadDepartments = new[] { "市司法局" }, deadline = p }));
            await SendAsync(zhao, $"report cadence {p}", c => c.PostAsJsonAsync("/api/tasks", new { title = "x", content = "c", leadDepartments = new[] { "市司法局" }, deadline = "2025-12-31", reportCadence = p }));
            await SendAsync(zhang, $"step {p}", c => c.PostAsJsonAsync($"/api/items/{id}/actions/complete", new { step = p, outcome = "accepted" }));
            await SendAsync(zhang, $"outcome {p}", c => c.PostAsJsonAsync($"/api/items/{id}/actions/complete", new { step = "review", outcome = p }));
            await SendAsync(zhang, $"transfer to {p}", c => c.PostAsJsonAsync($"/api/items/{id}/actions/transfer", new { department = p, reason = "r" }));
            await SendAsync(zhang, $"return to {p}", c => c.PostAsJsonAsync($"/api/items/{id}/actions/return", new { toStep = p, reason = "r" }));
            await SendAsync(zhang, $"pause reason {p}", c => c.PostAsJsonAsync($"/api/items/{id}/actions/pause", new { reason = p }));
            // A NUL in the path is refused by Kestrel itself (400 without a body), before any of the application runs.
            await SendAsync(zhang, $"action {p}", c => c.PostAsJsonAsync($"/api/items/{id}/actions/{q}", new { reason = "r" }), bare: p.Contains('\0', StringComparison.Ordinal));
            await SendAsync(anonymous, $"login {p}", c => c.PostAsJsonAsync("/api/session", new { login = p, password = p }));
            await SendAsync(anonymous, $"zhang's password {p}", c => c.PostAsJsonAsync("/api/session", new { login = "zhang", password = p }));
            await SendAsync(zhao, $"circulation from {p}", c => c.PostAsJsonAsync("/api/reports/circulations", new { from = p }));
            foreach (var query in new[]
            {
                "/api/items?department=", "/api/items?step=", "/api/items?kind=", "/api/items?light=", "/api/items?dueBefore=", "/api/items?text=", "/api/items?page=",
                "/api/board?text=", "/api/board?kind=", "/api/board?step=", "/api/board/trends?kind=",
                "/api/reports/departments?from=", "/api/reports/statistics.csv?table=", "/api/reports/ledger.csv?to=", "/api/reports/circulations?limit=", "/api/notices?unread=", "/api/imports?limit=",
            })
            {
                var filters = query.EndsWith("text=", StringComparison.Ordinal) || query.EndsWith("step=", StringComparison.Ordinal);
                await SendAsync(zhao, query + p, c => c.GetAsync(new Uri(query + q, UriKind.Relative)), mayFind: filters && !p.Contains('\0', StringComparison.Ordinal));
            }
        }

        var after = await Fingerprint.TakeAsync(_server.DatabaseSettings);
        output.WriteLine($"{provider}: {statuses.Values.Sum()} requests with metacharacters in names and filters; statuses {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}; rows written {after.RowsChangedSince(before)}");
        foreach (var line in wrong.Take(30))
        {
            output.WriteLine(line);
        }

        Assert.Empty(wrong);
        Assert.Equal(before.Tables, after.Tables);
        Assert.Equal(before.Allowed, after.Allowed);
        Assert.Equal(schema, await SchemaAsync());
    }

    [Fact]
    public async Task The_text_filter_of_the_list_and_the_board_matches_metacharacters_literally()
    {
        using var zhang = _server.Client("zhang");
        using var zhao = _server.Client("zhao");
        var titles = new Dictionary<long, string>();
        foreach (var p in Payloads.Append("plain"))
        {
            var title = $"申请{p}件";
            titles[(await CreatedAsync(await zhang.PostAsJsonAsync("/api/requests", Request(title)))).GetProperty("id").GetInt64()] = title;
        }

        var compared = 0;
        foreach (var p in Payloads)
        {
            var expected = titles.Where(t => t.Value.Contains(p, StringComparison.Ordinal)).Select(t => t.Key).Order().ToList();
            var listed = await JsonAsync(await zhao.GetAsync(new Uri($"/api/items?department=%E5%B8%82%E5%8F%B8%E6%B3%95%E5%B1%80&pageSize=200&text={Uri.EscapeDataString(p)}", UriKind.Relative)));
            var found = listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).Order().ToList();
            var board = await JsonAsync(await zhao.GetAsync(new Uri($"/api/board?text={Uri.EscapeDataString(p)}", UriKind.Relative)));
            var open = board.GetProperty("departments").EnumerateArray().Where(d => d.GetProperty("department").GetString() == "市司法局").Select(d => d.GetProperty("open").GetInt32()).SingleOrDefault();
            if (p.Contains('"', StringComparison.Ordinal))
            {
                // The filter also reads the fields as stored JSON, whose syntax is full of double quotes: every item
                // matches one. What must hold is that the items holding it are among those found.
                Assert.Subset(found.ToHashSet(), expected.ToHashSet());
                continue;
            }

            Assert.True(expected.SequenceEqual(found), $"text={p}: expected {string.Join(",", expected)}, found {string.Join(",", found)}");
            Assert.True(expected.Count == open, $"board text={p}: expected {expected.Count} open, counted {open}");
            compared++;
        }

        output.WriteLine($"{provider}: {titles.Count} items, {compared} filters compared exactly on the list and the board");
    }

    private static object Request(string title, string department = "市司法局") =>
        new { title, applicant = "李某", channel = "post", receivedOn = "2025-10-10", department, content = "统计" };

    private static async Task<JsonElement> CreatedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, text);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private static async Task ActAsync(HttpClient client, long id, string action, object body)
    {
        using var response = await client.PostAsJsonAsync($"/api/items/{id}/actions/{action}", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<JsonElement> DetailAsync(HttpClient client, long id) =>
        await JsonAsync(await client.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative)));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        _ => [],
    };

    // The tables, their columns and the triggers, as the database describes them.
    private async Task<string> SchemaAsync()
    {
        await using var database = new Database(_server.DatabaseSettings);
        await using var connection = await database.OpenAsync(default);
        var rows = provider == DatabaseProvider.Sqlite
            ? await connection.QueryAsync<string>("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name")
            : await connection.QueryAsync<string>(
                "SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns WHERE table_schema = 'public' "
                + "UNION ALL SELECT 'trigger ' || trigger_name || ' ' || event_object_table || ' ' || event_manipulation FROM information_schema.triggers ORDER BY 1");
        return string.Join("\n", rows);
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var database = new Database(_server.DatabaseSettings);
        await using var connection = await database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}

public sealed class SqliteInjectionTests(ITestOutputHelper output) : InjectionTests(DatabaseProvider.Sqlite, output);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresInjectionTests(ITestOutputHelper output) : InjectionTests(DatabaseProvider.PostgreSql, output);
