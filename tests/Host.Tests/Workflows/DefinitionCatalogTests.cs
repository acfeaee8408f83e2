using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Supervision.Host.Workflows;

namespace Supervision.Host.Tests.Workflows;

/// <summary>Definitions as the server loads them: recorded per version, pinned, protected against silent edits.</summary>
public abstract class DefinitionCatalogTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "workflows");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "supervision-tests", "workflows-" + Guid.NewGuid().ToString("N"));
    private TestDatabase _testDatabase = null!;

    private Database Db { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _testDatabase = await TestDatabase.CreateAsync(provider);
        Db = new Database(_testDatabase.Settings);
        await new Migrator(Db, TimeProvider.System).MigrateAsync(default);
        Directory.CreateDirectory(_folder);
        foreach (var file in Directory.EnumerateFiles(Shipped, "*.json"))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }
    }

    public async Task DisposeAsync()
    {
        await Db.DisposeAsync();
        await _testDatabase.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private DefinitionCatalog Catalog() => new(Db, TimeProvider.System, _folder);

    private string Edit(string file, string from, string to)
    {
        var path = Path.Combine(_folder, file);
        File.WriteAllText(path, File.ReadAllText(path).Replace(from, to, StringComparison.Ordinal));
        return path;
    }

    [Fact]
    public async Task The_shipped_definitions_load_and_are_recorded()
    {
        var catalog = Catalog();

        var loaded = await catalog.LoadAsync(default);

        Assert.Equal(["disclosure-request v2", "supervision-task v1"], loaded.Select(d => d.Key).Order(StringComparer.Ordinal));
        Assert.Equal("disclosure-request", catalog.For(Engine.Items.ItemKind.Request)!.Id);
        Assert.Equal(1, catalog.Get("supervision-task", 1).Version);
    }

    [Fact]
    public async Task A_file_changed_under_the_same_version_is_refused_and_the_old_definitions_stay_in_force()
    {
        var catalog = Catalog();
        await catalog.LoadAsync(default);
        Edit("disclosure-request.json", "\"7 working days\"", "\"10 working days\"");

        var error = await Assert.ThrowsAsync<DefinitionLoadException>(() => catalog.LoadAsync(default));
        var restarted = await Assert.ThrowsAsync<DefinitionLoadException>(() => Catalog().LoadAsync(default));

        var problem = Assert.Single(error.Problems);
        Assert.Equal("disclosure-request.json", problem.File);
        Assert.Contains("disclosure-request v2 was changed after it was first loaded", problem.Message, StringComparison.Ordinal);
        Assert.Equal(new Engine.Deadlines.TimeLimit.WorkingDays(7), catalog.LatestOf("disclosure-request")!.Step("review")!.Limit);
        Assert.Single(restarted.Problems);
    }

    [Fact]
    public async Task A_new_version_applies_to_new_items_and_the_old_one_stays_available_for_pinned_items()
    {
        await Catalog().LoadAsync(default);
        var v3 = File.ReadAllText(Path.Combine(_folder, "disclosure-request.json"))
            .Replace("\"version\": 2", "\"version\": 3", StringComparison.Ordinal)
            .Replace("\"7 working days\"", "\"5 working days\"", StringComparison.Ordinal);
        File.Delete(Path.Combine(_folder, "disclosure-request.json"));
        File.WriteAllText(Path.Combine(_folder, "disclosure-request-v3.json"), v3);

        var catalog = Catalog();
        await catalog.LoadAsync(default);

        Assert.Equal(3, catalog.LatestOf("disclosure-request")!.Version);
        Assert.Equal(new Engine.Deadlines.TimeLimit.WorkingDays(7), catalog.Get("disclosure-request", 2).Step("review")!.Limit);
        Assert.Equal(new Engine.Deadlines.TimeLimit.WorkingDays(5), catalog.Get("disclosure-request", 3).Step("review")!.Limit);
    }

    /// <summary>The shipped disclosure request as an office might copy it, also pausing for a reason of its own.</summary>
    internal static string RequestPausingForCustom() => File.ReadAllText(Path.Combine(Shipped, "disclosure-request.json"))
        .Replace("\"id\": \"disclosure-request\"", "\"id\": \"office-request\"", StringComparison.Ordinal)
        .Replace("{ \"reason\": \"awaiting-correction\" }", "{ \"reason\": \"awaiting-correction\" },\n      { \"reason\": \"custom\" }", StringComparison.Ordinal);

    [Fact]
    public async Task Articles_32_and_34_a_request_pausing_for_another_reason_starts_the_server_with_a_warning_in_its_log()
    {
        File.WriteAllText(Path.Combine(_folder, "office-request.json"), RequestPausingForCustom());

        await using var server = new RunningHost(new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = _testDatabase.Settings.ConnectionString,
            ["Supervision__WorkflowsDirectory"] = _folder,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        Assert.True(await server.ListeningAsync() is not null, server.Output);
        Assert.Contains("Workflow definition warning: office-request.json: $.clock.pauseReasons[3]: pause reason 'custom' is not one the law gives a disclosure request", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_file_stops_the_server_with_the_full_report()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Broken", "unknown-role.json"), Path.Combine(_folder, "unknown-role.json"));

        var (code, _, error) = await HostProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["SUPERVISION_DB"] = _testDatabase.Settings.ConnectionString,
                ["Supervision__WorkflowsDirectory"] = _folder,
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            });

        Assert.Equal(2, code);
        Assert.Contains("Supervision could not start: Workflow definitions have problems:", error, StringComparison.Ordinal);
        Assert.Contains("unknown-role.json: $.steps[0].role: unknown role 'emperor'", error, StringComparison.Ordinal);
    }
}

public sealed class SqliteDefinitionCatalogTests() : DefinitionCatalogTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresDefinitionCatalogTests() : DefinitionCatalogTests(DatabaseProvider.PostgreSql);

/// <summary>The <c>definitions validate</c> subcommand.</summary>
public sealed class DefinitionsValidateCommandTests
{
    [Fact]
    public async Task The_shipped_folder_validates()
    {
        var (code, output, error) = await CliRunner.RunAsync("definitions", "validate", Path.Combine(AppContext.BaseDirectory, "workflows"));

        Assert.Equal(0, code);
        Assert.Contains("2 definitions, no problems.", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Fact]
    public async Task A_request_pausing_for_a_reason_the_law_does_not_give_validates_with_a_warning()
    {
        var folder = Directory.CreateTempSubdirectory("supervision-definitions-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "office-request.json"), DefinitionCatalogTests.RequestPausingForCustom());

            var (code, output, error) = await CliRunner.RunAsync("definitions", "validate", folder);

            Assert.Equal(0, code);
            Assert.Contains("warning  office-request.json: $.clock.pauseReasons[3]: pause reason 'custom' is not one the law gives a disclosure request", output, StringComparison.Ordinal);
            Assert.Contains("1 definitions, no problems. 1 warning(s)", output, StringComparison.Ordinal);
            Assert.Empty(error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_folder_of_broken_files_fails_and_names_each_problem()
    {
        var (code, output, error) = await CliRunner.RunAsync("definitions", "validate", Path.Combine(AppContext.BaseDirectory, "Broken"));

        Assert.Equal(1, code);
        Assert.Contains("unknown-step-in-outcome.json: $.steps[0].outcomes[0].to: unknown step 'nowhere'", error, StringComparison.Ordinal);
        Assert.Contains("extension-over-cap.json: $.clock.extensionCap:", error, StringComparison.Ordinal);
        Assert.Contains("problem(s).", output, StringComparison.Ordinal);
    }
}
