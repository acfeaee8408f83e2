using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Import;

namespace Supervision.Host.Tests.Api;

/// <summary>Uploading a plan on the board: a dry run first, then one confirmation that creates the tasks once.</summary>
public abstract class ImportsApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private readonly string _folder = Directory.CreateTempSubdirectory("sv-imports-").FullName;
    private ApiServer _server = null!;
    private string _workbook = null!;
    private string _document = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2026, 11, 20, 10, 0, 0, Cst));
        (_workbook, _document) = SamplePlan.Write(_folder);
        var departments = _server.Services.GetRequiredService<DepartmentStore>();
        var all = await departments.ListAsync(default);
        await departments.SetGroupAsync("市政府各部门", all.Where(d => d.Name is "市司法局" or "市教育局" or "市自然资源局").Select(d => d.Id).ToList(), default);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static MultipartFormDataContent Upload(byte[] content, string name, string? year = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", name);
        if (year is not null)
        {
            form.Add(new StringContent(year), "year");
        }

        return form;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var database = new Database(_server.DatabaseSettings);
        await using var connection = await database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    [Fact]
    public async Task A_plan_is_previewed_then_confirmed_once_creating_its_tasks_and_the_units_it_names()
    {
        using var zhao = _server.Client("zhao");
        using var upload = Upload(await File.ReadAllBytesAsync(_document), "sample-plan.docx");

        var preview = await JsonAsync(await zhao.PostAsync(new Uri("/api/imports", UriKind.Relative), upload), HttpStatusCode.Created);

        var id = preview.GetProperty("import").GetProperty("id").GetInt64();
        Assert.Equal(("previewed", "演示市2026年政务公开工作要点", 7, 11), (
            preview.GetProperty("import").GetProperty("status").GetString(), preview.GetProperty("import").GetProperty("planName").GetString(),
            preview.GetProperty("import").GetProperty("items").GetInt32(), preview.GetProperty("import").GetProperty("taskRows").GetInt32()));
        Assert.Equal("Word table", preview.GetProperty("report").GetProperty("layout").GetString());
        // The group is stored with the departments; the district group and the health commission are not known here.
        Assert.Equal(["市卫健委", "各区政府"], preview.GetProperty("report").GetProperty("unknownUnits").EnumerateArray().Select(u => u.GetProperty("name").GetString()).Order(StringComparer.Ordinal).Reverse());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM items"));
        // The preview says which row waits for its event and gives its span as data (the page parses no wording).
        var previewTasks = preview.GetProperty("report").GetProperty("items").EnumerateArray().SelectMany(i => i.GetProperty("tasks").EnumerateArray()).ToList();
        var waits = Assert.Single(previewTasks, t => t.GetProperty("deadline").GetProperty("awaitsEvent").GetBoolean());
        var span = waits.GetProperty("deadline").GetProperty("read").EnumerateArray().Single(d => d.GetProperty("kind").GetString() == "relative").GetProperty("span");
        Assert.Equal((1, "months"), (span.GetProperty("count").GetInt32(), span.GetProperty("unit").GetString()));

        // Unknown units refuse the confirmation, naming them; nothing is written.
        using var refused = await zhao.PostAsJsonAsync($"/api/imports/{id}/confirm", new { });
        var problem = await JsonAsync(refused, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("no department '市卫健委'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM items"));

        var confirmed = await JsonAsync(await zhao.PostAsJsonAsync($"/api/imports/{id}/confirm", new { createUnits = true }), HttpStatusCode.OK);

        Assert.Equal("imported", confirmed.GetProperty("import").GetProperty("status").GetString());
        Assert.Equal("zhao", confirmed.GetProperty("import").GetProperty("confirmedBy").GetString());
        var tasks = confirmed.GetProperty("result").GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal(10, tasks.Count(t => t.GetProperty("outcome").GetString() == "created"));
        var awaiting = Assert.Single(tasks, t => t.GetProperty("outcome").GetString() == "awaiting-event");
        Assert.Equal("5", awaiting.GetProperty("number").GetString());
        Assert.Equal(["各区政府", "市卫健委"], confirmed.GetProperty("result").GetProperty("createdUnits").EnumerateArray().Select(u => u.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(11, await CountAsync("SELECT count(*) FROM items WHERE kind = 'task'"));
        Assert.Equal(10, await CountAsync("SELECT count(*) FROM items WHERE step = 'handle'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM departments WHERE name = '市卫健委'"));

        // The board now counts them; the item's page shows its paragraph of the plan.
        var board = await JsonAsync(await zhao.GetAsync(new Uri("/api/board?kind=task", UriKind.Relative)), HttpStatusCode.OK);
        Assert.True(board.GetRawText().Contains("市卫健委", StringComparison.Ordinal));
        var created = tasks.First(t => t.GetProperty("outcome").GetString() == "created").GetProperty("itemId").GetInt64();
        var detail = await JsonAsync(await zhao.GetAsync(new Uri($"/api/items/{created}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.StartsWith("行政执法信息公开。", detail.GetRawText().Split("\"planText\":\"")[1], StringComparison.Ordinal);

        // Confirming again changes nothing.
        var again = await JsonAsync(await zhao.PostAsJsonAsync($"/api/imports/{id}/confirm", new { createUnits = true }), HttpStatusCode.Conflict);
        Assert.Contains("confirmed", again.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(11, await CountAsync("SELECT count(*) FROM items"));

        // The same plan as a workbook is the same plan: every row already imported.
        using var book = Upload(await File.ReadAllBytesAsync(_workbook), "sample-plan.xlsx");
        var second = (await JsonAsync(await zhao.PostAsync(new Uri("/api/imports", UriKind.Relative), book), HttpStatusCode.Created)).GetProperty("import").GetProperty("id").GetInt64();
        var repeat = await JsonAsync(await zhao.PostAsJsonAsync($"/api/imports/{second}/confirm", new { }), HttpStatusCode.OK);
        Assert.All(repeat.GetProperty("result").GetProperty("tasks").EnumerateArray(), t => Assert.Equal("already-imported", t.GetProperty("outcome").GetString()));
        Assert.Equal(11, await CountAsync("SELECT count(*) FROM items"));

        var list = await JsonAsync(await zhao.GetAsync(new Uri("/api/imports", UriKind.Relative)), HttpStatusCode.OK);
        Assert.Equal([second, id], list.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal([0, 11], list.EnumerateArray().Select(i => i.GetProperty("created").GetInt32()));
    }

    [Fact]
    public async Task A_plan_over_the_inline_limit_is_confirmed_by_a_background_job_that_fails_at_once_on_unknown_units_and_creates_the_tasks_once()
    {
        await using var server = await ApiServer.StartAsync(provider, new DateTimeOffset(2026, 11, 20, 10, 0, 0, Cst),
            new Dictionary<string, string> { ["Supervision:Imports:InlineTasks"] = "5" });
        using var zhao = server.Client("zhao");
        using var upload = Upload(await File.ReadAllBytesAsync(_document), "sample-plan.docx");
        var id = (await JsonAsync(await zhao.PostAsync(new Uri("/api/imports", UriKind.Relative), upload), HttpStatusCode.Created)).GetProperty("import").GetProperty("id").GetInt64();
        await using var database = new Database(server.DatabaseSettings);

        // Eleven task rows, more than five: a job. Units no department matches fail it at once, naming them.
        using var first = await zhao.PostAsJsonAsync($"/api/imports/{id}/confirm", new { });
        var ticket = await JsonAsync(first, HttpStatusCode.Accepted);
        Assert.Equal("import-confirm", ticket.GetProperty("kind").GetString());
        var refused = await ApiServer.FinishedJobAsync(zhao, first.Headers.Location!.OriginalString);
        Assert.Equal(("failed", 0), (refused.GetProperty("status").GetString(), refused.GetProperty("attempts").GetInt32()));
        Assert.Contains("市卫健委", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        await using (var connection = await database.OpenAsync(default))
        {
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items"));
        }

        using var second = await zhao.PostAsJsonAsync($"/api/imports/{id}/confirm", new { createUnits = true });
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var done = await ApiServer.FinishedJobAsync(zhao, second.Headers.Location!.OriginalString);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        var result = done.GetProperty("result");
        Assert.Equal(("imported", "zhao"), (result.GetProperty("import").GetProperty("status").GetString(), result.GetProperty("import").GetProperty("confirmedBy").GetString()));
        Assert.Equal(11, result.GetProperty("result").GetProperty("tasks").GetArrayLength());
        var again = await JsonAsync(await zhao.PostAsJsonAsync($"/api/imports/{id}/confirm", new { createUnits = true }), HttpStatusCode.Conflict);
        Assert.Contains("confirmed", again.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await using (var connection = await database.OpenAsync(default))
        {
            Assert.Equal(result.GetProperty("result").GetProperty("tasks").EnumerateArray().Count(t => t.GetProperty("itemId").ValueKind == JsonValueKind.Number),
                await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items"));
        }
    }

    [Fact]
    public async Task Another_offices_supervisor_neither_lists_nor_reads_nor_confirms_an_import()
    {
        await _server.AddPersonAsync("qian", "县政府办公室", "supervisor");
        using var zhao = _server.Client("zhao");
        using var qian = _server.Client("qian");
        using var upload = Upload(await File.ReadAllBytesAsync(_document), "sample-plan.docx");
        var id = (await JsonAsync(await zhao.PostAsync(new Uri("/api/imports", UriKind.Relative), upload), HttpStatusCode.Created)).GetProperty("import").GetProperty("id").GetInt64();

        var listed = await JsonAsync(await qian.GetAsync(new Uri("/api/imports", UriKind.Relative)), HttpStatusCode.OK);
        using var read = await qian.GetAsync(new Uri($"/api/imports/{id}", UriKind.Relative));
        using var unknown = await qian.GetAsync(new Uri($"/api/imports/{id + 1000}", UriKind.Relative));
        using var confirm = await qian.PostAsJsonAsync($"/api/imports/{id}/confirm", new { createUnits = true });
        var own = await JsonAsync(await zhao.GetAsync(new Uri("/api/imports", UriKind.Relative)), HttpStatusCode.OK);

        Assert.Equal(0, listed.GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal((await unknown.Content.ReadAsStringAsync()).Replace((id + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
            await read.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, confirm.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM items"));
        Assert.Equal([id], own.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task Two_confirmations_at_once_and_two_uploads_of_one_plan_confirmed_at_once_create_one_set_of_tasks()
    {
        using var zhao = _server.Client("zhao");
        var content = await File.ReadAllBytesAsync(_document);
        var ids = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            using var upload = Upload(content, "sample-plan.docx");
            ids.Add((await JsonAsync(await zhao.PostAsync(new Uri("/api/imports", UriKind.Relative), upload), HttpStatusCode.Created)).GetProperty("import").GetProperty("id").GetInt64());
        }

        var attempts = await Task.WhenAll(ids.Concat(ids).Select(async id =>
        {
            using var response = await zhao.PostAsJsonAsync($"/api/imports/{id}/confirm", new { createUnits = true });
            return (id, response.StatusCode);
        }));

        // Each upload is confirmed once (the other attempt on it is 409); between them, each task is created once.
        foreach (var id in ids)
        {
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], attempts.Where(a => a.id == id).Select(a => a.StatusCode).Order());
        }

        Assert.Equal(11, await CountAsync("SELECT count(*) FROM items"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM departments WHERE name = '各区政府'"));
    }

    [Fact]
    public async Task Bad_uploads_get_problem_details_and_store_nothing_and_only_supervisors_may_import()
    {
        using var zhao = _server.Client("zhao");
        using var zhang = _server.Client("zhang");
        using var corrupt = Upload([0x50, 0x4B, 0x03, 0x04, 9, 9, 9], "计划.docx");
        using var noFile = new MultipartFormDataContent { { new StringContent("2026"), "year" } };
        using var badYear = Upload(await File.ReadAllBytesAsync(_workbook), "sample-plan.xlsx", "1999");
        using var tooLarge = Upload(new byte[11 * 1024 * 1024], "huge.txt");
        using var json = JsonContent.Create(new { file = "x" });
        using var byHandler = Upload(await File.ReadAllBytesAsync(_workbook), "sample-plan.xlsx");

        var problems = new List<(HttpStatusCode Status, string Detail)>();
        foreach (var (client, body) in new[] { (zhao, (HttpContent)corrupt), (zhao, noFile), (zhao, badYear), (zhao, tooLarge), (zhao, json), (zhang, byHandler) })
        {
            // As browsers and curl do for large bodies: wait for the server's go-ahead, so a refusal arrives instead of a broken pipe.
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/imports", UriKind.Relative)) { Content = body };
            request.Headers.ExpectContinue = true;
            using var response = await client.SendAsync(request);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            problems.Add((response.StatusCode, document.RootElement.GetProperty("detail").GetString()!));
        }

        Assert.Equal(HttpStatusCode.BadRequest, problems[0].Status);
        Assert.StartsWith("file: 计划.docx: not a readable Office file", problems[0].Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, problems[1].Status);
        Assert.StartsWith("file: required", problems[1].Detail, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "year: '1999' is not a year from 2000 to 2099"), problems[2]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, problems[3].Status);
        Assert.Contains("at most 10 MB", problems[3].Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, problems[4].Status);
        Assert.Contains("multipart/form-data", problems[4].Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, problems[5].Status);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM imports"));
        using var list = await zhang.GetAsync(new Uri("/api/imports", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        using var missing = await zhao.PostAsJsonAsync("/api/imports/999/confirm", new { });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}

public sealed class SqliteImportsApiTests() : ImportsApiTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresImportsApiTests() : ImportsApiTests(DatabaseProvider.PostgreSql);
