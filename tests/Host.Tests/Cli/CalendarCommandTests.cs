using System.Text;
using System.Text.Json;
using Dapper;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Import;
using Supervision.Host.Tests.Infrastructure;
using Supervision.Host.Tests.Workflows;

namespace Supervision.Host.Tests.Cli;

/// <summary>
/// <c>calendar notice FILE [--json] [--apply --as LOGIN]</c> and <c>calendar show YEAR</c>: the State Council's notice
/// read from its text (UTF-8, GB18030, Word), refused naming the line, stored with who and when, open items following
/// it on both providers; and a misspelt subcommand refused instead of starting the server.
/// </summary>
[Collection(ProcessEnvironment.Name)]
public abstract class CalendarCommandTests(DatabaseProvider provider)
{
    // A 2027 notice written for the tests in the newer wording (not the real one): New Year bridged over the weekend,
    // Spring Festival 2027-02-05 (除夕) to 02-12 (初七) with Saturday 02-20 worked, National Day to 10-07.
    public const string Notice2027 = """
        国务院办公厅关于2027年部分节假日安排的通知
        各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
        经国务院批准，现将2027年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
        一、元旦：1月1日（周五）至3日（周日）放假，共3天。
        二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。2月20日（周六）上班。
        三、清明节：4月3日（周六）至5日（周一）放假，共3天。
        四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）上班。
        五、端午节：6月9日（周三）放假1天，不调休。
        六、中秋节：9月15日（周三）放假1天，不调休。
        七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
        节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。
        国务院办公厅
        2026年11月10日
        """;

    private static string NoticePath(string name) => Path.Combine(RepositoryRoot.Path, "tests", "Engine.Tests", "Calendars", "Notices", name);

    private static string TempFile(string extension) =>
        Path.Combine(Path.GetTempPath(), "supervision-tests", $"notice-{Guid.NewGuid():N}{extension}");

    [Fact]
    public async Task A_notice_is_read_day_by_day_from_utf8_gb18030_and_word_and_nothing_is_stored()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var text = await File.ReadAllTextAsync(NoticePath("2025-newer.txt"));
        var gb = TempFile(".txt");
        var word = TempFile(".docx");
        Directory.CreateDirectory(Path.GetDirectoryName(gb)!);
        await File.WriteAllBytesAsync(gb, Encoding.GetEncoding("GB18030").GetBytes(text));
        OfficeFiles.WordDocument(word, text.Split('\n').Select(l => (object)new WordParagraph(l.TrimEnd('\r'))));
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, $"Data Source={TempFile(".db")}");

        var (utf8Code, utf8, _) = await CliRunner.RunAsync("calendar", "notice", NoticePath("2025-newer.txt"), "--json");
        var (gbCode, fromGb, _) = await CliRunner.RunAsync("calendar", "notice", gb, "--json");
        var (wordCode, fromWord, _) = await CliRunner.RunAsync("calendar", "notice", word, "--json");
        var (textCode, plain, _) = await CliRunner.RunAsync("calendar", "notice", NoticePath("2019-older.txt"));

        Assert.Equal((0, 0, 0, 0), (utf8Code, gbCode, wordCode, textCode));
        using var json = JsonDocument.Parse(utf8);
        Assert.Equal(2025, json.RootElement.GetProperty("year").GetInt32());
        Assert.Equal("国务院办公厅关于2025年部分节假日安排的通知", json.RootElement.GetProperty("title").GetString());
        var holidays = json.RootElement.GetProperty("holidays").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(28, holidays.Count);
        Assert.Equal(["2025-01-01", "2025-01-28"], holidays.Take(2));
        Assert.Equal(["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"], json.RootElement.GetProperty("workdays").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(utf8, fromGb);
        Assert.Equal(utf8, fromWord);
        Assert.Contains("2018-12-30（周日） .. 2019-01-01（周二）", plain, StringComparison.Ordinal);
        Assert.Contains("Make-up working days (7): 2018-12-29, 2019-02-02, 2019-02-03, 2019-04-28, 2019-05-05, 2019-09-29, 2019-10-12", plain, StringComparison.Ordinal);
        Assert.False(File.Exists(Environment.GetEnvironmentVariable(DatabaseSettings.EnvironmentVariable)!["Data Source=".Length..]));
    }

    [Fact]
    public async Task A_broken_notice_is_refused_naming_the_file_and_each_line_and_nothing_is_stored()
    {
        await using var bed = await WorkflowTestBed.CreateAsync(provider, new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.FromHours(8)));
        await AddAdminAsync(bed);
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, bed.Database.Settings.ConnectionString);
        var broken = TempFile(".txt");
        Directory.CreateDirectory(Path.GetDirectoryName(broken)!);
        // Line 5: 2月5日 is a Friday, not 周四; line 9: 9月15日 to 9月14日 ends before it starts.
        await File.WriteAllTextAsync(broken, Notice2027
            .Replace("2月5日（农历除夕、周五）", "2月5日（农历除夕、周四）", StringComparison.Ordinal)
            .Replace("六、中秋节：9月15日（周三）放假1天，不调休。", "六、中秋节：9月15日至14日放假调休，共1天。", StringComparison.Ordinal));

        var (code, _, error) = await CliRunner.RunAsync("calendar", "notice", broken, "--apply", "--as", "admin");
        var (missing, _, missingError) = await CliRunner.RunAsync("calendar", "notice", broken + ".absent");
        var pdf = TempFile(".pdf");
        await File.WriteAllBytesAsync(pdf, Encoding.ASCII.GetBytes("%PDF-1.7\n"));
        var (wrongKind, _, wrongKindError) = await CliRunner.RunAsync("calendar", "notice", pdf);

        Assert.Equal(2, code);
        Assert.Contains($"{broken}:5:", error, StringComparison.Ordinal);
        Assert.Contains("周四", error, StringComparison.Ordinal);
        Assert.Contains($"{broken}:9:", error, StringComparison.Ordinal);
        Assert.Contains("nothing was stored", error, StringComparison.Ordinal);
        Assert.Equal((2, 2), (missing, wrongKind));
        Assert.Contains(".absent", missingError, StringComparison.Ordinal);
        Assert.Contains(".pdf files are not read as notices", wrongKindError, StringComparison.Ordinal);
        await using var connection = await bed.Database.OpenAsync(default);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM calendar_years"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM calendar_changes"));
    }

    [Fact]
    public async Task Applying_the_2027_notice_stores_it_with_who_and_recomputes_open_items_and_their_lights()
    {
        // 2027-02-15: a request received 2027-01-18 counted on the law's 2027 (02-11 and 02-12 working days) is due
        // 02-19 with 4 working days left: yellow. The notice takes 02-11 and 02-12 off and has Saturday 02-20 worked:
        // due 02-22 with 6 left, green again.
        await using var bed = await WorkflowTestBed.CreateAsync(provider, new DateTimeOffset(2027, 2, 15, 10, 0, 0, TimeSpan.FromHours(8)));
        await AddAdminAsync(bed);
        var item = await bed.Workflows.RegisterAsync(ItemKind.Request, null, await bed.As("zhang"), "申请公开春节值班安排", bed.Departments["市司法局"], new Dictionary<string, string>
        {
            ["channel"] = "post",
            ["receivedOn"] = "2027-01-18",
            ["applicant"] = "陈先生",
            ["content"] = "春节期间值班安排",
        }, default);
        Assert.Equal((new DateOnly(2027, 2, 19), Light.Yellow), (item.DueOn, item.Light));
        var file = TempFile(".txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, Notice2027);
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, bed.Database.Settings.ConnectionString);

        var (refused, _, refusedError) = await CliRunner.RunAsync("calendar", "notice", file, "--apply", "--as", "zhang");
        var (before, provisional, _) = await CliRunner.RunAsync("calendar", "show", "2027");
        var (code, output, error) = await CliRunner.RunAsync("calendar", "notice", file, "--apply", "--as", "admin");
        var (shown, show, _) = await CliRunner.RunAsync("calendar", "show", "2027", "--json");
        var (_, due, dueWarning) = await CliRunner.RunAsync("deadline", "--start", "2027-01-18", "--working-days", "20");

        Assert.Equal(2, refused);
        Assert.Contains("'zhang' is not an active administrator", refusedError, StringComparison.Ordinal);
        Assert.Equal(0, before);
        Assert.StartsWith("2027: PROVISIONAL", provisional, StringComparison.Ordinal);
        Assert.True(code == 0, error);
        Assert.Contains("Stored 2027 as calendar version 2 (by admin)", output, StringComparison.Ordinal);
        Assert.Contains("1 open items recomputed, 1 due days moved, 1 lights changed", output, StringComparison.Ordinal);
        var stored = await bed.Items.GetAsync(item.Id, default);
        Assert.Equal((new DateOnly(2027, 2, 22), Light.Green), (stored!.DueOn, stored.Light));
        var history = await bed.Items.HistoryAsync(item.Id, default);
        Assert.Equal("deadline-recomputed", history[^1].Action);
        Assert.Equal(0, shown);
        using var json = JsonDocument.Parse(show);
        Assert.False(json.RootElement.GetProperty("provisional").GetBoolean());
        Assert.Equal("stored", json.RootElement.GetProperty("source").GetProperty("kind").GetString());
        Assert.Equal("admin", json.RootElement.GetProperty("source").GetProperty("storedBy").GetString());
        Assert.Contains("2027-02-20", json.RootElement.GetProperty("workdays").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("2027-02-22", due.Trim());
        Assert.Empty(dueWarning);
    }

    private static async Task AddAdminAsync(WorkflowTestBed bed) =>
        await new UserStore(bed.Database, bed.Clock).AddAsync(new User { Login = "admin", DisplayName = "管理员", DepartmentId = bed.Departments["市政府办公室"], Role = "admin" }, default);
}

public sealed class SqliteCalendarCommandTests() : CalendarCommandTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresCalendarCommandTests() : CalendarCommandTests(DatabaseProvider.PostgreSql);

/// <summary>A first argument that names no subcommand is refused with the closest one, never taken as the server.</summary>
public sealed class UnknownSubcommandTests
{
    [Theory]
    [InlineData("imprt", "import")]
    [InlineData("calender", "calendar")]
    [InlineData("deadlines", "deadline")]
    [InlineData("Migrate", "migrate")]
    public async Task A_misspelt_subcommand_exits_2_naming_it_and_the_closest(string typed, string closest)
    {
        var (code, _, error) = await CliRunner.RunAsync(typed, "plan.xlsx");

        Assert.True(Supervision.Host.Cli.Cli.Handles([typed, "plan.xlsx"]));
        Assert.Equal(2, code);
        Assert.Contains($"unknown subcommand '{typed}'; did you mean '{closest}'?", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--urls", "http://127.0.0.1:5999")]
    [InlineData("--demo")]
    [InlineData("urls=http://127.0.0.1:5999")]
    [InlineData("serve")]
    public void Server_options_and_settings_still_start_the_server(params string[] args) =>
        Assert.False(Supervision.Host.Cli.Cli.Handles(args));
}
