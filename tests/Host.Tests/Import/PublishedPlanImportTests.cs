using System.Text.Json;
using Dapper;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Import;

/// <summary>
/// The four published plans in ../shared/seed-documents imported for real: every task row accounted for (created,
/// awaiting its event, or not created with a reason), and a sample of fields per document as read from it by hand.
/// </summary>
[Collection(ProcessEnvironment.Name)]
[Trait("Requires", "SeedDocuments")]
public sealed class PublishedPlanImportTests
{
    [Fact]
    public async Task Every_task_row_of_the_four_published_plans_is_accounted_for()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);
        foreach (var args in new[]
        {
            new[] { "migrate" },
            ["departments", "add", "市政府办公室"],
            ["users", "add", "--name", "zhao", "--role", "supervisor", "--department", "市政府办公室"],
        })
        {
            var (code, _, error) = await CliRunner.RunAsync(args);
            Assert.True(code == 0, error);
        }

        // (file, task rows, created and assigned, awaiting their event) — no row is left out.
        var expected = new[]
        {
            ("000_466ecf843f936c06.txt", 43, 43, 0),
            ("001_2e21125b0abb3128.txt", 20, 20, 0),
            ("002_7f8c1bad310276dd.txt", 29, 29, 0),
            ("004_853dcc8e64b86f58.txt", 34, 32, 2),
        };
        foreach (var (file, rows, created, awaiting) in expected)
        {
            var path = Path.Combine(RepositoryRoot.Path, "..", "shared", "seed-documents", file);
            var (code, output, error) = await CliRunner.RunAsync("import", path, "--as", "zhao", "--create-units");
            Assert.True(code == 0, $"{file}: {error}");
            Assert.Contains($": {created} tasks created and assigned, {awaiting} awaiting their event, 0 already imported, 0 not created.", output, StringComparison.Ordinal);
            var outcomes = output.Split('\n').Count(l => l.StartsWith("created ", StringComparison.Ordinal) || l.StartsWith("awaiting-event ", StringComparison.Ordinal) || l.StartsWith("not-created ", StringComparison.Ordinal));
            Assert.Equal(rows, outcomes);
        }

        await using var db = new Database(database.Settings);
        await using var connection = await db.OpenAsync(default);
        var tasks = (await connection.QueryAsync<(string Title, string Step, string Payload)>("SELECT title, step, payload FROM items")).Select(t =>
        {
            using var json = JsonDocument.Parse(t.Payload);
            return (t.Title, t.Step, Fields: json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty));
        }).ToList();
        Assert.Equal(43 + 20 + 29 + 34, tasks.Count);

        // The city: item 6's third row has a blank time cell under "12月底", merged down over the item's rows.
        var city = tasks.Single(t => t.Fields["content"].StartsWith("对基层一线政策执行人员开展政策解读培训", StringComparison.Ordinal));
        Assert.Equal(("提高政策解读质量（3/3）", "2020年政务公开工作要点", "6", "month-end 2020-12"), (city.Title, city.Fields["plan"], city.Fields["planItem"], city.Fields["deadline"]));
        // The county's prose: a date inside the text ("9月10日前"); an item with none is due at the plan year's end.
        var county = tasks.Where(t => t.Fields["plan"] == "抚顺县 2020 年政务公开工作要点").ToList();
        Assert.Equal("2020-09-10", county.Single(t => t.Title.StartsWith("集中发布", StringComparison.Ordinal)).Fields["deadline"]);
        Assert.Equal("month-end 2020-12", county.Single(t => t.Title == "加强培训工作").Fields["deadline"]);
        // The district's split: "2020年6月30日前" inside the task text.
        Assert.Equal("2020-06-30", tasks.Single(t => t.Fields["content"].StartsWith("2020年6月30日前，编制完成", StringComparison.Ordinal)).Fields["deadline"]);
        // The bureau: two rows counted from the new rule wait at 交办; "实时" work is ongoing.
        var bureau = tasks.Where(t => t.Fields["plan"] == "2020年局政务公开目标任务细化").ToList();
        Assert.Equal(["1", "2"], bureau.Where(t => t.Step == "assign").Select(t => t.Fields["planItem"]).Order(StringComparer.Ordinal));
        Assert.All(bureau.Where(t => t.Step == "assign"), t => Assert.Equal(("1 month", "新规出台"), (t.Fields["deadline"], t.Fields["startsAfter"])));
        Assert.Contains(bureau, t => t.Fields["deadline"] == "长期坚持" && t.Fields["reportCadence"] == "quarterly");
    }
}
