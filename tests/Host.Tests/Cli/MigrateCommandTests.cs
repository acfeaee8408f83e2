using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Cli;

/// <summary>The <c>migrate</c> subcommand as an operator runs it, with SUPERVISION_DB naming the database.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class MigrateCommandTests
{
    [Fact]
    public async Task Migrate_applies_then_reports_current_then_lists_status()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);

        var (firstCode, firstOut, _) = await CliRunner.RunAsync("migrate");
        var (secondCode, secondOut, _) = await CliRunner.RunAsync("migrate");
        var (statusCode, statusOut, _) = await CliRunner.RunAsync("migrate", "--status");

        Assert.Equal(0, firstCode);
        Assert.Contains("applied  0001_initial.sql", firstOut, StringComparison.Ordinal);
        Assert.Contains(database.Path, firstOut, StringComparison.Ordinal);
        Assert.Equal(0, secondCode);
        Assert.Contains("Schema already current", secondOut, StringComparison.Ordinal);
        Assert.Equal(0, statusCode);
        Assert.Contains("applied  0001_initial", statusOut, StringComparison.Ordinal);
        Assert.Contains("Schema is current.", statusOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_with_an_unusable_database_setting_names_the_variable_and_exits_2()
    {
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, "Flavour=strawberry");

        var (code, _, error) = await CliRunner.RunAsync("migrate");

        Assert.Equal(2, code);
        Assert.Contains("SUPERVISION_DB", error, StringComparison.Ordinal);
        Assert.Contains("'flavour'", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Migrate_status_on_an_empty_database_lists_pending_and_changes_nothing()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);

        var (code, output, _) = await CliRunner.RunAsync("migrate", "--status");
        var (_, again, _) = await CliRunner.RunAsync("migrate", "--status");

        Assert.Equal(0, code);
        Assert.Contains("pending  0001_initial.sql", output, StringComparison.Ordinal);
        Assert.Contains("Schema is NOT current.", output, StringComparison.Ordinal);
        Assert.Contains("pending  0001_initial.sql", again, StringComparison.Ordinal);
    }
}
