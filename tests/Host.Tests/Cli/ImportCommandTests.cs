using System.Text.Json;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Cli;

/// <summary>The <c>import</c> subcommand's report on a plan, as an operator runs it.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class ImportCommandTests
{
    private const string Plan = "样例市2021年政务公开工作要点任务分解表\n\n事项名称\t主要任务\t牵头部门\t责任单位\t完成时限\n一、加强重点领域信息公开\t\t\t\t\n"
        + "1. 公开权责清单\t在门户网站更新权责清单。\t市司法局\t各区县（市）政府\t9月底\n\t更新机构职能信息。\t市司法局 样例局\t\t视情况而定\n";

    [Fact]
    public async Task A_dry_run_reports_items_units_deadlines_and_warnings_as_json_and_changes_nothing()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);
        Assert.Equal(0, (await CliRunner.RunAsync("migrate")).Code);
        Assert.Equal(0, (await CliRunner.RunAsync("departments", "add", "市司法局")).Code);
        var file = Path.Combine(Path.GetDirectoryName(database.Path)!, "plan.txt");
        await File.WriteAllTextAsync(file, Plan);

        var (code, output, error) = await CliRunner.RunAsync("import", file, "--dry-run", "--json");

        Assert.True(code == 0, error);
        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;
        Assert.Equal(2021, root.GetProperty("year").GetInt32());
        var item = Assert.Single(root.GetProperty("items").EnumerateArray());
        Assert.Equal("1", item.GetProperty("number").GetString());
        Assert.Equal("公开权责清单", item.GetProperty("title").GetString());
        Assert.Equal(["市司法局", "样例局"], item.GetProperty("lead").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["各区县（市）政府"], item.GetProperty("responsible").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("2021-09-30", item.GetProperty("deadlines")[0].GetProperty("due").GetString());
        Assert.Equal(["各区县（市）政府", "样例局"], root.GetProperty("unknownUnits").EnumerateArray().Select(u => u.GetProperty("name").GetString()));
        var warning = Assert.Single(root.GetProperty("warnings").EnumerateArray());
        Assert.Equal((6, "deadline"), (warning.GetProperty("line").GetInt32(), warning.GetProperty("field").GetString()));
        await using var db = new Database(database.Settings);
        await using var connection = await db.OpenAsync(default);
        Assert.Equal(0L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT count(*) FROM items"));
    }

    [Fact]
    public async Task The_text_report_names_file_line_and_field_and_what_is_not_read_yet_is_refused_plainly()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);
        Assert.Equal(0, (await CliRunner.RunAsync("migrate")).Code);
        var file = Path.Combine(Path.GetDirectoryName(database.Path)!, "plan.txt");
        await File.WriteAllTextAsync(file, Plan);
        var sheet = Path.Combine(Path.GetDirectoryName(database.Path)!, "plan.xlsx");
        await File.WriteAllBytesAsync(sheet, [1, 2, 3]);

        var (code, output, _) = await CliRunner.RunAsync("import", file, "--dry-run");
        var (sheetCode, _, sheetError) = await CliRunner.RunAsync("import", sheet, "--dry-run");
        var (missingCode, _, missingError) = await CliRunner.RunAsync("import", file + ".nope", "--dry-run");

        Assert.Equal(0, code);
        Assert.Contains("1 items, 2 task rows (dry run: nothing created)", output, StringComparison.Ordinal);
        Assert.Contains($"warning: {file}:6: deadline: deadline '视情况而定' is not understood", output, StringComparison.Ordinal);
        Assert.Contains("unknown unit: 市司法局 (first at line 5)", output, StringComparison.Ordinal);
        Assert.Equal(2, sheetCode);
        Assert.Contains(".xlsx files are not read yet", sheetError, StringComparison.Ordinal);
        Assert.Equal(2, missingCode);
        Assert.Contains("no such file", missingError, StringComparison.Ordinal);
    }
}
