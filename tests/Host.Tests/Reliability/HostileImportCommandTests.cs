using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// Every hostile plan file given to the <c>import</c> command, as an operator runs it to create the tasks: exit code 2,
/// the message naming the file (and line or row and column where there is one), and nothing written.
/// </summary>
[Collection(ProcessEnvironment.Name)]
public abstract class HostileImportCommandTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly string[] Tables = ["items", "item_history", "assignments", "clock_events", "imports", "departments"];
    private readonly string _folder = Directory.CreateTempSubdirectory("sv-hostile-cli-").FullName;
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider);

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<string> RowCountsAsync() => Fingerprint.CountsAsync(_database.Settings, Tables);

    [Fact]
    public async Task Every_hostile_plan_file_exits_2_naming_the_file_and_where_and_writes_nothing()
    {
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, _database.Settings.ConnectionString);
        foreach (var args in new[]
        {
            new[] { "migrate" },
            ["departments", "add", "市政府办公室"],
            ["departments", "add", "市司法局", "--parent", "市政府办公室"],
            ["users", "add", "--name", "zhao", "--role", "supervisor", "--department", "市政府办公室", "--password", "a long password 2026"],
        })
        {
            var (setupCode, _, setupError) = await CliRunner.RunAsync(args);
            Assert.True(setupCode == 0, setupError);
        }

        var before = await RowCountsAsync();
        var failures = new List<string>();
        foreach (var file in HostileFiles.All)
        {
            var path = Path.Combine(_folder, file.Name);
            await File.WriteAllBytesAsync(path, file.Content);
            foreach (var mode in new[] { new[] { "--as", "zhao" }, ["--dry-run"] })
            {
                var (code, output, error) = await CliRunner.RunAsync(["import", path, .. mode]);
                if (code != 2 || !error.StartsWith($"{path}: ", StringComparison.Ordinal) || !error.Contains(file.Expected, StringComparison.Ordinal) || output.Length > 0)
                {
                    failures.Add($"import {file.Name} {string.Join(' ', mode)}: expected exit 2 and '{path}: …{file.Expected}…', got {code}: {error}{output[..Math.Min(output.Length, 300)]}");
                }
            }

            File.Delete(path);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await RowCountsAsync());
    }
}

public sealed class SqliteHostileImportCommandTests() : HostileImportCommandTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresHostileImportCommandTests() : HostileImportCommandTests(DatabaseProvider.PostgreSql);
