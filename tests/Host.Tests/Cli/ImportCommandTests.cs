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
        Assert.Contains("plan.xlsx: not a readable workbook", sheetError, StringComparison.Ordinal);
        Assert.Equal(2, missingCode);
        Assert.Contains("no such file", missingError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Importing_creates_and_assigns_each_task_once_in_one_go_and_refuses_unknown_units_writing_nothing()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);
        foreach (var args in new[]
        {
            new[] { "migrate" },
            ["departments", "add", "市政府办公室"],
            ["departments", "add", "市司法局", "--parent", "市政府办公室"],
            ["departments", "add", "市教育局", "--parent", "市政府办公室"],
            ["users", "add", "--name", "zhao", "--role", "supervisor", "--department", "市政府办公室", "--password", "a long password 2021"],
        })
        {
            var (code, _, error) = await CliRunner.RunAsync(args);
            Assert.True(code == 0, error);
        }

        var folder = Path.GetDirectoryName(database.Path)!;
        var plan = Path.Combine(folder, "plan.txt");
        await File.WriteAllTextAsync(plan, "样例市2021年政务公开工作要点任务分解表\n\n事项名称\t主要任务\t牵头部门\t责任单位\t完成时限\n"
            + "1. 公开权责清单\t在门户网站更新权责清单。\t市司法局\t市教育局\t9月底\n\t持续更新机构职能信息。\t\t\t长期坚持\n"
            + "2. 宣传新规定\t组织专题宣传。\t市司法局\t\t新规出台后1个月内\n");
        var unknown = Path.Combine(folder, "unknown.txt");
        await File.WriteAllTextAsync(unknown, "样例市2021年政务公开工作要点任务分解表\n事项名称\t主要任务\t牵头部门\t责任单位\t完成时限\n1. 一项工作\t做一件事。\t样例局\t\t9月底\n");

        var (firstCode, first, firstError) = await CliRunner.RunAsync("import", plan, "--as", "zhao");
        var (againCode, again, _) = await CliRunner.RunAsync("import", plan, "--as", "zhao");
        var (refusedCode, _, refused) = await CliRunner.RunAsync("import", unknown, "--as", "zhao");
        var (noActorCode, _, noActor) = await CliRunner.RunAsync("import", plan);

        Assert.True(firstCode == 0, firstError);
        Assert.Contains("2 tasks created and assigned, 1 awaiting their event, 0 already imported, 0 not created.", first, StringComparison.Ordinal);
        Assert.Contains("counted from '新规出台' (新规出台后1个月内): assign it with the day the event happened", first, StringComparison.Ordinal);
        Assert.Equal(0, againCode);
        Assert.Contains("0 tasks created and assigned, 0 awaiting their event, 3 already imported, 0 not created.", again, StringComparison.Ordinal);
        Assert.Equal(1, refusedCode);
        Assert.Contains("line 3: no department '样例局'", refused, StringComparison.Ordinal);
        Assert.Equal(2, noActorCode);
        Assert.Contains("--as", noActor, StringComparison.Ordinal);

        await using var db = new Database(database.Settings);
        await using var connection = await db.OpenAsync(default);
        var tasks = (await Dapper.SqlMapper.QueryAsync<(string Title, string Step, string Payload)>(connection, "SELECT title, step, payload FROM items ORDER BY id")).ToList();
        Assert.Equal(["公开权责清单（1/2）", "公开权责清单（2/2）", "宣传新规定"], tasks.Select(t => t.Title));
        Assert.Equal(["handle", "handle", "assign"], tasks.Select(t => t.Step));
        // The plan is the plan the table decomposes: its title without 任务分解表.
        Assert.Contains("\"plan\":\"样例市2021年政务公开工作要点\"", tasks[0].Payload, StringComparison.Ordinal);
        Assert.Contains("\"startsAfter\":\"新规出台\"", tasks[2].Payload, StringComparison.Ordinal);
        Assert.Contains("\"deadline\":\"1 month\"", tasks[2].Payload, StringComparison.Ordinal);
        Assert.Contains("\"deadline\":\"month-end 2021-09\"", tasks[0].Payload, StringComparison.Ordinal);
        Assert.Contains("\"deadline\":\"长期坚持\"", tasks[1].Payload, StringComparison.Ordinal);
        // Each task assigned to its lead and responsible bureaus (the second row takes the item's units).
        Assert.Equal(4L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT count(*) FROM assignments"));
    }

    [Fact]
    public async Task A_loaded_directory_expands_groups_and_a_Word_plan_with_new_units_imports_with_create_units()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);
        var folder = Path.GetDirectoryName(database.Path)!;
        var directory = Path.Combine(Supervision.Host.Tests.Import.RepositoryRoot.Path, "seeds", "departments", "sample-city.json");
        Assert.Equal(0, (await CliRunner.RunAsync("migrate")).Code);

        var (loadCode, loaded, loadError) = await CliRunner.RunAsync("departments", "load", directory);
        var (againCode, again, _) = await CliRunner.RunAsync("departments", "load", directory);
        Assert.True(loadCode == 0, loadError);
        Assert.Contains("10 departments created, 0 already present, 3 groups set.", loaded, StringComparison.Ordinal);
        Assert.Equal(0, againCode);
        Assert.Contains("0 departments created, 10 already present, 3 groups set.", again, StringComparison.Ordinal);
        Assert.Equal(0, (await CliRunner.RunAsync("users", "add", "--name", "zhao", "--role", "supervisor", "--department", "市政府办公室")).Code);

        // A CSV plan naming a group: the stored group stands for its three governments.
        var csv = Path.Combine(folder, "plan.csv");
        await File.WriteAllTextAsync(csv, "样例市2026年政务公开工作要点任务分解表\n序号,主要任务,牵头单位,责任单位,完成时限\n1.公开权责清单,更新权责清单。,市司法局,各区县（市）政府,9月底\n");
        var (csvCode, csvOutput, csvError) = await CliRunner.RunAsync("import", csv, "--as", "zhao", "--year", "2026");
        Assert.True(csvCode == 0, csvError);
        Assert.Contains("1 tasks created and assigned", csvOutput, StringComparison.Ordinal);

        // A Word plan naming units nobody has: refused, then created on request, under the importer's department.
        var (_, document) = Supervision.Host.Tests.Import.SamplePlan.Write(folder);
        var (refusedCode, _, refused) = await CliRunner.RunAsync("import", document, "--as", "zhao");
        var (createdCode, created, createdError) = await CliRunner.RunAsync("import", document, "--as", "zhao", "--create-units");

        Assert.Equal(1, refusedCode);
        Assert.Contains("no department '市卫健委'", refused, StringComparison.Ordinal);
        Assert.True(createdCode == 0, createdError);
        Assert.Contains("department created: 市卫健委", created, StringComparison.Ordinal);
        Assert.Contains("department created: 各区政府", created, StringComparison.Ordinal);
        Assert.Contains("plan '演示市2026年政务公开工作要点': 10 tasks created and assigned, 1 awaiting their event", created, StringComparison.Ordinal);

        await using var db = new Database(database.Settings);
        await using var connection = await db.OpenAsync(default);
        // The CSV task: the justice bureau leads, the group's three governments are responsible.
        Assert.Equal(4L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection,
            "SELECT count(*) FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.payload LIKE '%样例市2026年%'"));
        Assert.Equal("样例市人民政府办公室", await Dapper.SqlMapper.ExecuteScalarAsync<string>(connection,
            "SELECT p.name FROM departments d JOIN departments p ON p.id = d.parent_id WHERE d.name = '市卫健委'"));
    }

    [Fact]
    public async Task A_workbook_is_read_like_any_table_numbers_and_dates_included()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);
        var workbook = Path.Combine(Path.GetDirectoryName(database.Path)!, "plan.xlsx");
        OfficeFiles.Workbook(workbook,
        [
            ["2021年局政务公开目标任务分解表"],
            ["序号", "任务内容", "牵头单位", "责任单位", "时间节点"],
            [1.0, "报送年度报告。", "办公室", "各科室", 2021.6],
            [2.0, "更新公开指南。", "法制科", "办公室", new DateTime(2021, 9, 30)],
        ]);

        var (code, output, error) = await CliRunner.RunAsync("import", workbook, "--dry-run", "--json");

        Assert.True(code == 0, error);
        using var report = JsonDocument.Parse(output);
        Assert.Equal("Workbook", report.RootElement.GetProperty("layout").GetString());
        Assert.Equal(2021, report.RootElement.GetProperty("year").GetInt32());
        var items = report.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["1", "2"], items.Select(i => i.GetProperty("number").GetString()));
        Assert.Equal(["2021-06-30", "2021-09-30"], items.Select(i => i.GetProperty("deadlines")[0].GetProperty("due").GetString()));
        Assert.Empty(report.RootElement.GetProperty("warnings").EnumerateArray());
    }
}
