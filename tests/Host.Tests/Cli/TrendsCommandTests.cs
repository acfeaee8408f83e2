using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Cli;

/// <summary>The <c>trends reconstruct</c> subcommand, and how the executable tells subcommands from the server.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class TrendsCommandTests
{
    [Theory]
    [InlineData(new[] { "trends", "reconstruct" }, true)]
    [InlineData(new[] { "tokens", "list" }, true)]
    [InlineData(new[] { "--help" }, true)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5080" }, false)]
    [InlineData(new[] { "--demo" }, false)]
    public void Every_subcommand_is_recognised_and_anything_else_starts_the_server(string[] args, bool subcommand) =>
        Assert.Equal(subcommand, Supervision.Host.Cli.Cli.Handles(args));

    [Fact]
    public async Task Reconstructing_a_new_database_brings_its_schema_up_writes_nothing_and_a_bad_window_is_refused()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);

        var (code, output, _) = await CliRunner.RunAsync("trends", "reconstruct", "--days", "7");
        var (badCode, _, error) = await CliRunner.RunAsync("trends", "reconstruct", "--days", "400");

        Assert.Equal(0, code);
        Assert.Contains("Reconstructed 0 department and kind rows over the 7 days before today", output, StringComparison.Ordinal);
        Assert.Equal(2, badCode);
        Assert.Contains("--days: 400 is not 1 to 366", error, StringComparison.Ordinal);
    }
}
