using Dapper;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Cli;

/// <summary><c>board verify</c> finds kept counts that no longer match the assignments; <c>board recount</c> repairs them.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class BoardCommandTests
{
    [Fact]
    public async Task Verify_names_a_tampered_department_and_recount_repairs_it()
    {
        await using var database = new SqliteTestDatabase();
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, database.Settings.ConnectionString);
        var (fresh, agreed, _) = await CliRunner.RunAsync("board", "verify");
        Assert.Equal(0, fresh);
        Assert.Contains("Board counts agree with the assignments.", agreed, StringComparison.Ordinal);

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(database.Settings.ConnectionString))
        {
            await connection.OpenAsync();
            var office = await connection.ExecuteScalarAsync<long>("INSERT INTO departments (name, created_at) VALUES ('某局', '2025-01-01T00:00:00.0000000Z') RETURNING id");
            await connection.ExecuteAsync("INSERT INTO board_counts (department_id, kind, red) VALUES (@office, 'task', 3)", new { office });
        }

        var (broken, summary, error) = await CliRunner.RunAsync("board", "verify");
        Assert.Equal(1, broken);
        Assert.Contains("Board counts DIFFER for 1 department and kind row(s)", summary, StringComparison.Ordinal);
        Assert.Contains("(task): kept green 0, yellow 0, red 3", error, StringComparison.Ordinal);

        var (recounted, recount, _) = await CliRunner.RunAsync("board", "recount");
        Assert.Equal(0, recounted);
        Assert.Contains("Board counts recounted: 0 department and kind row(s).", recount, StringComparison.Ordinal);
        Assert.Equal(0, (await CliRunner.RunAsync("board", "verify")).Item1);
    }
}
