using System.Text;
using Dapper;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Supervision.Host.Workflows;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// Hostile workflow definitions and calendar files where they are loaded: <c>definitions validate</c>, the catalog
/// over a real database and the server's start. Each broken file is named with the JSON path of what is wrong,
/// nothing is recorded, a definition file of 64 MB is not even read, and a broken calendar file stops the server with
/// its problems instead of a stack trace.
/// </summary>
public abstract class HostileDefinitionsTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "workflows");
    private readonly string _folder = Directory.CreateTempSubdirectory("sv-hostile-definitions-").FullName;
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        await using var store = new Database(_database.Settings);
        await new Migrator(store, TimeProvider.System).MigrateAsync(default);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    // The file name, its content and what its problem must say after "name: ".
    private static IEnumerable<(string Name, string Content, string Expected)> Hostile()
    {
        var task = File.ReadAllText(Path.Combine(Shipped, "supervision-task.json"));
        yield return ("empty.json", string.Empty, "line 1: not valid JSON");
        yield return ("truncated.json", task[..(task.Length / 2)], "not valid JSON");
        yield return ("array.json", "[]", "$: a definition is a JSON object");
        yield return ("deep.json", new string('[', 100_000) + new string(']', 100_000), "not valid JSON");
        yield return ("deep-object.json", string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000), "not valid JSON");
        yield return ("nul.json", "{\"id\": \"a\0b\"}", "not valid JSON");
        yield return ("wrong-types.json", """{"id": "Bad Id!", "version": "one", "kind": "emperor", "title": 5, "clock": [], "start": "x", "steps": {}}""", "$.id: 'Bad Id!' is not an id");
        yield return ("twin.json", task, "supervision-task v1 is also defined by supervision-task.json");
        yield return ("huge.json", "{\"id\": \"huge\", \"pad\": \"" + new string(' ', 64 * 1024 * 1024) + "\"}", "$: a file of 64.0 MB; a definition is at most 1 MB (not read)");
        foreach (var broken in new[] { "cycle-without-exit", "unknown-step-in-outcome", "unreachable-step", "duplicate-step", "unknown-role", "unknown-property", "bad-limit" })
        {
            yield return ($"{broken}.json", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Broken", broken + ".json")), "$");
        }
    }

    private void WriteFolder()
    {
        foreach (var file in Directory.EnumerateFiles(Shipped, "*.json"))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }

        foreach (var (name, content, _) in Hostile())
        {
            File.WriteAllText(Path.Combine(_folder, name), content, new UTF8Encoding(false));
        }
    }

    private async Task<long> CountAsync(string table)
    {
        await using var store = new Database(_database.Settings);
        await using var connection = await store.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
    }

    [Fact]
    public async Task Broken_definitions_are_each_named_with_their_path_nothing_is_recorded_and_a_huge_file_is_not_read()
    {
        WriteFolder();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var (_, problems) = DefinitionCatalog.ReadFolder(_folder);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var (code, output, error) = await CliRunner.RunAsync("definitions", "validate", _folder);
        await using var store = new Database(_database.Settings);
        var load = await Assert.ThrowsAsync<DefinitionLoadException>(() => new DefinitionCatalog(store, TimeProvider.System, _folder).LoadAsync(default));
        var (serverCode, _, serverError) = await HostProcess.RunAsync(new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = _database.Settings.ConnectionString,
            ["Supervision__WorkflowsDirectory"] = _folder,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        Assert.Equal(1, code);
        Assert.Contains("problem(s).", output, StringComparison.Ordinal);
        Assert.Equal(2, serverCode);
        Assert.Contains("Supervision could not start: Workflow definitions have problems:", serverError, StringComparison.Ordinal);
        foreach (var (name, _, expected) in Hostile())
        {
            Assert.Contains(problems, p => p.File == name && p.ToString().StartsWith($"{name}: ", StringComparison.Ordinal) && p.ToString().Contains(expected, StringComparison.Ordinal));
            Assert.Contains(load.Problems, p => p.File == name);
            Assert.Contains($"{name}: ", error, StringComparison.Ordinal);
            Assert.Contains($"{name}: ", serverError, StringComparison.Ordinal);
        }

        // The 64 MB file was never read into memory (it would take 128 MB as text).
        Assert.True(allocated < 16L * 1024 * 1024, $"{allocated / 1024 / 1024} MB allocated reading the folder");
        Assert.DoesNotContain("   at ", serverError, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("workflow_definitions"));
        Assert.Equal(0, await CountAsync("items"));
    }

    [Fact]
    public async Task A_broken_calendar_file_stops_the_server_naming_the_file_and_each_problem()
    {
        var calendar = Path.Combine(_folder, "calendar.json");
        await File.WriteAllTextAsync(calendar, """
            {"calendar": "cn-statutory", "years": [
              {"year": 2026, "holidays": [{"name": "春节", "from": "2026-02-30", "to": "2026-02-22"}], "makeUpDays": []},
              {"year": 0, "holidays": [], "makeUpDays": []},
              {"year": 2026, "holidays": [], "makeUpDays": [{"date": "2026-02-14", "for": "春节"}, {"date": "2026-02-14", "for": "春节"}]}
            ]}
            """);

        var (code, _, error) = await HostProcess.RunAsync(new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = _database.Settings.ConnectionString,
            ["Supervision__CalendarFile"] = calendar,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        Assert.Equal(2, code);
        Assert.Contains($"Supervision could not start: {calendar}: $.years[0].holidays[0].from: missing or not a date (yyyy-MM-dd)", error, StringComparison.Ordinal);
        Assert.Contains("$.years[1]: year 0 is outside 2000-2099", error, StringComparison.Ordinal);
        Assert.Contains("$.years[2]: make-up working day 2026-02-14 is listed twice", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("calendar_years"));
        Assert.Equal(0, await CountAsync("workflow_definitions"));
    }
}

public sealed class SqliteHostileDefinitionsTests() : HostileDefinitionsTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresHostileDefinitionsTests() : HostileDefinitionsTests(DatabaseProvider.PostgreSql);
