using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using DocumentFormat.OpenXml.Packaging;
using Supervision.Engine.Organisation;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Xunit.Abstractions;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// Hostile files through the paths users take, against the server as its own process: every hostile plan file
/// uploaded to <c>POST /api/imports</c> and every malformed calendar year sent to <c>PUT /api/calendars/{year}</c> is
/// answered with problem details saying what is wrong, writes nothing to the database, and the server's peak resident
/// memory stays bounded; formulas in a workbook arrive as the text Excel showed and leave in exports as text.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The server process is disposed in IAsyncLifetime.DisposeAsync, which xunit calls.")]
public abstract class HostileUploadsTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The server's peak resident memory over the whole class (it idles at about 150 MB; reading 10,000 rows of a workbook takes it past 200 MB).</summary>
    public const long MaxPeakResidentBytes = 400L * 1024 * 1024;

    private static readonly string[] Tables = ["items", "item_history", "assignments", "clock_events", "imports", "departments", "notices", "calendar_years", "calendar_changes", "workflow_definitions"];

    private TestDatabase _database = null!;
    private RunningHost _host = null!;
    private readonly Dictionary<string, string> _tokens = [];
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        await using (var store = new Database(_database.Settings))
        {
            var clock = TimeProvider.System;
            await new Migrator(store, clock).MigrateAsync(default);
            var departments = new DepartmentStore(store, clock);
            var office = await departments.AddAsync(new Department { Name = "市政府办公室" }, default);
            await departments.AddAsync(new Department { Name = "市司法局", ParentId = office.Id }, default);
            var users = new UserStore(store, clock);
            var credentials = new Credentials(new TokenStore(store), users, clock);
            foreach (var (login, role) in new[] { ("zhao", "supervisor"), ("admin", "admin") })
            {
                await users.AddAsync(new User { Login = login, DisplayName = login, DepartmentId = office.Id, Role = role }, default);
                _tokens[login] = (await credentials.CreateTokenAsync(login, "hostile files", default)).Token;
            }
        }

        _host = new RunningHost(new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = _database.Settings.ConnectionString,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Supervision__RateLimit__PermitsPerMinute"] = "100000",
        });
        _address = await _host.ListeningAsync() ?? throw new InvalidOperationException(_host.Output);
    }

    private HttpClient Client(string login)
    {
        var client = new HttpClient { BaseAddress = _address, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[login]);
        return client;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    private Task<string> RowCountsAsync() => Fingerprint.CountsAsync(_database.Settings, Tables);

    private static async Task<(HttpStatusCode Status, string? MediaType, string Detail)> ProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var detail = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(body);
            detail = document.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? string.Empty : body;
        }
        catch (JsonException)
        {
            detail = body;
        }

        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, detail);
    }

    private async Task<HttpResponseMessage> UploadAsync(byte[] content, string name, string? plan = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", name);
        if (plan is not null)
        {
            form.Add(new StringContent(plan), "plan");
        }

        // As browsers and curl do for large bodies: wait for the server's go-ahead, so a refusal arrives instead of a broken pipe.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/imports", UriKind.Relative)) { Content = form };
        request.Headers.ExpectContinue = true;
        using var zhao = Client("zhao");
        return await zhao.SendAsync(request);
    }

    [Fact]
    public async Task Every_hostile_plan_upload_is_refused_with_problem_details_naming_the_file_writes_nothing_and_memory_stays_bounded()
    {
        var before = await RowCountsAsync();
        var failures = new List<string>();

        foreach (var file in HostileFiles.All)
        {
            using var response = await UploadAsync(file.Content, file.Name);
            var (status, mediaType, detail) = await ProblemAsync(response);
            output.WriteLine($"{file}: {(int)status} {detail}");
            if (status != HttpStatusCode.BadRequest || mediaType != "application/problem+json"
                || !detail.StartsWith($"file: {file.Name}: ", StringComparison.Ordinal) || !detail.Contains(file.Expected, StringComparison.Ordinal))
            {
                failures.Add($"{file}: expected 400 'file: {file.Name}: …{file.Expected}…', got {(int)status} {mediaType} '{detail}'");
            }
        }

        // Over the upload limit: refused before the body is read.
        using (var huge = await UploadAsync(new byte[11 * 1024 * 1024], "huge.xlsx"))
        {
            var (status, mediaType, detail) = await ProblemAsync(huge);
            Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "application/problem+json"), (status, mediaType));
            Assert.Contains("a plan file is at most 10 MB", detail, StringComparison.Ordinal);
        }

        var peak = _host.PeakResidentBytes;
        output.WriteLine($"{HostileFiles.All.Count + 1} uploads refused; rows: {await RowCountsAsync()}; server peak resident memory {peak / 1024 / 1024} MB");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await RowCountsAsync());
        Assert.True(peak is null || peak < MaxPeakResidentBytes, $"server peak resident memory {peak / 1024 / 1024} MB (at most {MaxPeakResidentBytes / 1024 / 1024} MB)");

        // The server is still well and takes a sound plan afterwards.
        using var sound = await UploadAsync(HostileFiles.Workbook([["1.公开指南", "更新公开指南。", "市司法局", "", "9月底"]]), "sound.xlsx");
        Assert.Equal(HttpStatusCode.Created, sound.StatusCode);
    }

    [Fact]
    public async Task Workbook_formulas_are_imported_as_the_text_Excel_showed_never_evaluated_and_exported_as_text()
    {
        const string Literal = "=HYPERLINK(\"http://evil.example/?q=1\",\"点击查看\")";
        var book = HostileFiles.Workbook(
        [
            ["1.", new OfficeFiles.Formula("HYPERLINK(\"http://evil.example/\",\"更新公开指南\")", "更新公开指南"), "市司法局", "", "9月底"],
            ["2.", Literal, new OfficeFiles.Formula("CONCATENATE(\"市司法\",\"局\")", "市司法局"), "", "10月底"],
            ["3.", "+cmd|' /C calc'!A0", "市司法局", "", "11月底"],
        ]);

        using var upload = await UploadAsync(book, "formulas.xlsx", plan: "@SUM(1+1)*cmd|' /C calc'!A0");
        var preview = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement;
        Assert.True(upload.StatusCode == HttpStatusCode.Created, preview.GetRawText());
        var id = preview.GetProperty("import").GetProperty("id").GetInt64();
        using var zhao = Client("zhao");
        using var confirm = await zhao.PostAsJsonAsync($"/api/imports/{id}/confirm", new { });
        Assert.True(confirm.StatusCode == HttpStatusCode.OK, await confirm.Content.ReadAsStringAsync());

        // Stored as text: the cached values, and the literal formula text exactly as written.
        await using (var database = new Database(_database.Settings))
        await using (var connection = await database.OpenAsync(default))
        {
            var titles = (await connection.QueryAsync<string>("SELECT title FROM items ORDER BY id")).ToList();
            Assert.Equal(["更新公开指南", Literal, "+cmd|' /C calc'!A0"], titles);
            Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM assignments a JOIN departments d ON d.id = a.department_id WHERE d.name = '市司法局'"));
        }

        // Exported: CSV cells a spreadsheet would take for formulas start with an apostrophe; the workbook holds no formula.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);
        var period = string.Create(CultureInfo.InvariantCulture, $"from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}");
        var csv = Encoding.UTF8.GetString(await zhao.GetByteArrayAsync(new Uri($"/api/reports/ledger.csv?{period}", UriKind.Relative)));
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example/?q=1\"\",\"\"点击查看\"\")\"", csv, StringComparison.Ordinal);
        Assert.Contains("'+cmd|' /C calc'!A0", csv, StringComparison.Ordinal);
        Assert.Contains("'@SUM(1+1)", csv, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(^|,|\n)""?[=+@]", csv);

        using var ledger = new MemoryStream(await zhao.GetByteArrayAsync(new Uri($"/api/reports/ledger.xlsx?{period}", UriKind.Relative)));
        using var exported = SpreadsheetDocument.Open(ledger, false);
        var cells = exported.WorkbookPart!.WorksheetParts.SelectMany(p => p.Worksheet.Descendants<S.Cell>()).ToList();
        Assert.DoesNotContain(cells, c => c.CellFormula is not null);
        Assert.Contains(cells, c => c.InnerText == Literal);
    }

    [Fact]
    public async Task Malformed_calendar_years_are_refused_with_problem_details_naming_the_field_and_change_nothing()
    {
        static string Year(int year, string holidays, string makeUps = "[]", string source = "\"test\"") =>
            $$"""{"year": {{year}}, "source": {{source}}, "holidays": {{holidays}}, "makeUpDays": {{makeUps}}}""";
        var cases = new (string Address, string Body, HttpStatusCode Status, string Expected)[]
        {
            ("2030", "{\"year\": 2030, \"holidays\": [", HttpStatusCode.BadRequest, "not valid JSON"),
            ("2030", "[2030]", HttpStatusCode.BadRequest, "$: expected an object"),
            ("2030", "null", HttpStatusCode.BadRequest, "$: expected an object"),
            ("2030", new string('[', 10_000) + new string(']', 10_000), HttpStatusCode.BadRequest, "not valid JSON"),
            ("2030", Year(2030, """[{"name": "春节", "from": "2030-02-30", "to": "2030-03-01"}]"""), HttpStatusCode.BadRequest, "$.holidays[0].from: missing or not a date (yyyy-MM-dd)"),
            ("2030", Year(2030, """[{"name": "春节", "from": "2030年2月3日", "to": "2030-02-09"}]"""), HttpStatusCode.BadRequest, "$.holidays[0].from: missing or not a date"),
            ("2030", Year(2030, """[{"name": "春节", "from": 20300203, "to": "2030-02-09"}]"""), HttpStatusCode.BadRequest, "$.holidays[0].from: missing or not a date"),
            ("2030", Year(2030, """[{"name": "春节", "from": "2030-02-09", "to": "2030-02-03"}]"""), HttpStatusCode.BadRequest, "holiday 春节: ends (2030-02-03) before it starts (2030-02-09)"),
            ("2030", Year(2030, """[{"name": "春节", "from": "2030-02-03", "to": "2030-02-09"}, {"name": "春节", "from": "2030-02-08", "to": "2030-02-10"}]"""), HttpStatusCode.BadRequest, "holiday 春节: 2030-02-08 is listed twice"),
            ("2030", Year(2030, "[]", """[{"date": "2030-02-16", "for": "春节"}, {"date": "2030-02-16", "for": "春节"}]"""), HttpStatusCode.BadRequest, "make-up working day 2030-02-16 is listed twice"),
            ("2030", Year(2030, """[{"name": "春节", "from": "2030-02-03", "to": "2030-02-09"}]""", """[{"date": "2030-02-05", "for": "春节"}]"""), HttpStatusCode.BadRequest, "2030-02-05 is listed both as a holiday and as a make-up working day"),
            ("2030", Year(2030, """[{"name": "永远", "from": "2030-01-01", "to": "9999-12-31"}]"""), HttpStatusCode.BadRequest, "holiday 永远 2030-01-01..9999-12-31: not within the 2030 notice's reach"),
            ("2030", Year(2030, $$"""[{"name": "{{new string('节', 200_000)}}", "from": "2030-02-03", "to": "2030-02-09"}]"""), HttpStatusCode.BadRequest, "holiday 2030-02-03: a name of 200,000 characters (at most 100)"),
            ("2030", Year(2030, "[]", source: $"\"{new string('x', 500_000)}\""), HttpStatusCode.BadRequest, "source: 500,000 characters (at most 1,000)"),
            ("2030", Year(2030, "[" + string.Join(',', Enumerable.Repeat("""{"name": "春节", "from": "2030-02-03", "to": "2030-02-03"}""", 10_000)) + "]"), HttpStatusCode.BadRequest, "… and 9,979 more problems"),
            ("2030", Year(2031, "[]"), HttpStatusCode.BadRequest, "$.year: 2031 does not match the address (2030)"),
            ("2030", """{"year": 99999999999, "holidays": [], "makeUpDays": []}""", HttpStatusCode.BadRequest, "$.year: missing or not a whole number"),
            ("2030", """{"year": 2030, "holidays": "春节", "makeUpDays": {}}""", HttpStatusCode.BadRequest, "$.holidays: missing or not an array"),
            ("1999", Year(1999, "[]"), HttpStatusCode.BadRequest, "year 1999 is outside 2000-2099"),
            ("2100", Year(2100, "[]"), HttpStatusCode.BadRequest, "year 2100 is outside 2000-2099"),
            ("0", Year(0, "[]"), HttpStatusCode.BadRequest, "year 0 is outside 2000-2099"),
            ("1", Year(1, """[{"name": "元旦", "from": "0001-01-01", "to": "0001-01-01"}]"""), HttpStatusCode.BadRequest, "year 1 is outside 2000-2099"),
            ("-5", Year(-5, "[]"), HttpStatusCode.BadRequest, "year -5 is outside 2000-2099"),
            ("2147483647", Year(int.MaxValue, "[]"), HttpStatusCode.BadRequest, "year 2147483647 is outside 2000-2099"),
            ("2030", "{\"year\": 2030, \"holidays\": [], \"makeUpDays\": [], \"pad\": \"" + new string(' ', 2 * 1024 * 1024) + "\"}", HttpStatusCode.RequestEntityTooLarge, "at most 1024 KiB"),
        };

        using var admin = Client("admin");
        var before = await RowCountsAsync();
        var failures = new List<string>();
        foreach (var (address, body, expectedStatus, expected) in cases)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, new Uri($"/api/calendars/{address}", UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.ExpectContinue = true;
            using var response = await admin.SendAsync(request);
            var (status, mediaType, detail) = await ProblemAsync(response);
            output.WriteLine($"PUT /api/calendars/{address} ({body.Length:N0} characters): {(int)status} {detail[..Math.Min(detail.Length, 300)]}");
            if (status != expectedStatus || mediaType != "application/problem+json" || !detail.Contains(expected, StringComparison.Ordinal))
            {
                failures.Add($"PUT /api/calendars/{address} {body[..Math.Min(body.Length, 120)]}: expected {(int)expectedStatus} '{expected}', got {(int)status} {mediaType} '{detail[..Math.Min(detail.Length, 300)]}'");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await RowCountsAsync());
        using var year = await admin.GetAsync(new Uri("/api/calendars/2030", UriKind.Relative));
        using var stillProvisional = System.Text.Json.JsonDocument.Parse(await year.Content.ReadAsStringAsync());
        Assert.True(stillProvisional.RootElement.GetProperty("provisional").GetBoolean());
    }
}

public sealed class SqliteHostileUploadsTests(ITestOutputHelper output) : HostileUploadsTests(DatabaseProvider.Sqlite, output);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresHostileUploadsTests(ITestOutputHelper output) : HostileUploadsTests(DatabaseProvider.PostgreSql, output);
