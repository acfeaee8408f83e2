using Npgsql;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>
/// A database of its own for one test class: a fresh SQLite file, or a fresh database on the throwaway PostgreSQL
/// cluster that ./test.sh starts. Removed on dispose.
/// </summary>
public abstract class TestDatabase : IAsyncDisposable
{
    public abstract DatabaseSettings Settings { get; }

    public abstract ValueTask DisposeAsync();

    public static Task<TestDatabase> CreateAsync(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => Task.FromResult<TestDatabase>(new SqliteTestDatabase()),
        _ => PostgresTestDatabase.CreateAsync(),
    };
}

public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "supervision-tests", Guid.NewGuid().ToString("N"));

    public SqliteTestDatabase()
    {
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, "test.db");
        Settings = DatabaseSettings.Parse($"Data Source={Path}");
    }

    public string Path { get; }

    public override DatabaseSettings Settings { get; }

    public override ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pooled connection of a server under test; the OS temp cleaner takes it.
        }

        return ValueTask.CompletedTask;
    }
}

public sealed class PostgresTestDatabase : TestDatabase
{
    /// <summary>Set by ./test.sh to the throwaway cluster's admin connection string.</summary>
    public const string AdminVariable = "SUPERVISION_TEST_PG";

    private readonly string _name;

    private PostgresTestDatabase(string name, DatabaseSettings settings)
    {
        _name = name;
        Settings = settings;
    }

    public override DatabaseSettings Settings { get; }

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(AdminVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"PostgreSQL tests need {AdminVariable} (an admin connection string). Run ./test.sh, which starts a throwaway "
                + "PostgreSQL cluster and sets it, or filter these tests out with --filter \"Provider!=PostgreSql\".");

    public static async Task<TestDatabase> CreateAsync()
    {
        var name = $"sv_test_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name };
        return new PostgresTestDatabase(name, DatabaseSettings.Parse(builder.ConnectionString));
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
