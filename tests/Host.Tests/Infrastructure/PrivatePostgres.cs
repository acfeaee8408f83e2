using System.Diagnostics;
using Npgsql;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of one test's own (tests/postgres-cluster.sh), for faults the shared test cluster must not
/// suffer: halting the server under load and starting it again on the same socket, data kept.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _directory;

    private PrivatePostgres(string directory, string adminConnectionString)
    {
        _directory = directory;
        AdminConnectionString = adminConnectionString;
    }

    public string AdminConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"sv-private-pg-{Guid.NewGuid():N}");
        var output = await ScriptAsync("start", directory);
        return new PrivatePostgres(directory, output.Trim().Split('\n')[^1]);
    }

    /// <summary>A new empty database on the cluster; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops the server (fast shutdown: sessions ended, open transactions rolled back), keeping its data.</summary>
    public Task HaltAsync() => ScriptAsync("halt", _directory);

    /// <summary>Starts the halted server again on the same socket and port.</summary>
    public Task ResumeAsync() => ScriptAsync("resume", _directory);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ScriptAsync("stop", _directory);
    }

    private static async Task<string> ScriptAsync(string command, string directory)
    {
        var script = Path.Combine(Import.RepositoryRoot.Path, "tests", "postgres-cluster.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"postgres-cluster.sh {command} failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }
}
