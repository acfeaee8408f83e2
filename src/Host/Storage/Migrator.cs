using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;

namespace Supervision.Host.Storage;

/// <summary>One numbered schema migration: <c>NNNN_name.sql</c> under <c>Storage/Migrations/{provider}/</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the file text, recorded when applied, so an edited applied migration is caught.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    public string FileName => $"{Version:D4}_{Name}.sql";
}

/// <summary>A migration as recorded in the database's <c>schema_version</c> table.</summary>
public sealed record AppliedMigration(int Version, string Name, string Checksum, DateTimeOffset AppliedAt);

/// <summary>Where a database stands against the migrations this build carries.</summary>
public sealed record MigrationStatus(IReadOnlyList<AppliedMigration> Applied, IReadOnlyList<Migration> Pending, IReadOnlyList<string> Problems)
{
    public bool IsCurrent => Pending.Count == 0 && Problems.Count == 0;

    public int CurrentVersion => Applied.Count == 0 ? 0 : Applied.Max(a => a.Version);
}

/// <summary>The schema cannot be brought up to date; the message says why.</summary>
public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Applies the numbered migrations for the database's provider, each in its own transaction together with its
/// <c>schema_version</c> row, so each is applied exactly once. Several instances may start together: on
/// PostgreSQL they queue on an advisory lock; on SQLite each migration's <c>BEGIN IMMEDIATE</c> holds the file's
/// write lock while it checks and applies.
/// </summary>
public sealed partial class Migrator(Database database, TimeProvider clock)
{
    // An arbitrary constant naming "Supervision schema migrations" among advisory locks ('SUPV' 'MIGR').
    private const long AdvisoryLockKey = 0x5355_5056_4D49_4752;

    private static readonly Lazy<IReadOnlyDictionary<DatabaseProvider, IReadOnlyList<Migration>>> Embedded = new(LoadEmbedded);

    /// <summary>The migrations this build carries for a provider, in order.</summary>
    public static IReadOnlyList<Migration> For(DatabaseProvider provider) => Embedded.Value[provider];

    /// <summary>Reads where the database stands without changing it.</summary>
    public async Task<MigrationStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var applied = await ReadAppliedAsync(connection, null, cancellationToken);
        return Compare(applied);
    }

    /// <summary>Applies every pending migration; returns those this call applied (empty when already current).</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            return database.Provider == DatabaseProvider.PostgreSql
                ? await MigratePostgresAsync(cancellationToken)
                : await MigrateSqliteAsync(cancellationToken);
        }
        catch (System.Data.Common.DbException e) when (DbErrors.IsReadOnly(e) || DbErrors.IsStorageFull(e))
        {
            // The first write a server makes: say plainly what is wrong with the storage instead of a stack trace.
            throw new MigrationException(
                $"{database.Settings.Describe()} cannot be written: "
                + (DbErrors.IsStorageFull(e) ? "its disk is full. Free disk space" : "its file, directory or disk is read-only. Make it writable (or mount its volume read-write)")
                + $" and start again. ({e.Message})", e);
        }
    }

    private async Task<IReadOnlyList<Migration>> MigratePostgresAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version     integer PRIMARY KEY,
                    name        text NOT NULL,
                    checksum    text NOT NULL,
                    applied_at  timestamptz NOT NULL
                )
                """, cancellationToken: cancellationToken));
            var applied = await ReadAppliedAsync(connection, null, cancellationToken);
            ThrowIfProblems(Compare(applied));
            var done = new List<Migration>();
            foreach (var migration in Compare(applied).Pending)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ApplyAsync(connection, transaction, migration, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                done.Add(migration);
            }

            return done;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryLockKey }, cancellationToken: CancellationToken.None));
        }
    }

    private async Task<IReadOnlyList<Migration>> MigrateSqliteAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // WAL lets the board read while a writer commits; it is a property of the file and cannot change inside a
        // transaction, so it is set here, once, before any migration.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken));
        var done = new List<Migration>();
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version     INTEGER PRIMARY KEY,
                    name        TEXT NOT NULL,
                    checksum    TEXT NOT NULL,
                    applied_at  TEXT NOT NULL
                )
                """, transaction: transaction, cancellationToken: cancellationToken));
            var status = Compare(await ReadAppliedAsync(connection, transaction, cancellationToken));
            ThrowIfProblems(status);
            if (status.Pending.Count == 0)
            {
                await transaction.CommitAsync(cancellationToken);
                return done;
            }

            var migration = status.Pending[0];
            await ApplyAsync(connection, transaction, migration, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            done.Add(migration);
        }
    }

    private async Task ApplyAsync(DbConnection connection, DbTransaction transaction, Migration migration, CancellationToken cancellationToken)
    {
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
        }
        catch (DbException e)
        {
            throw new MigrationException($"Migration {migration.FileName} failed on {database.Settings.Describe()}: {e.Message}", e);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO schema_version (version, name, checksum, applied_at) VALUES (@Version, @Name, @Checksum, @AppliedAt)",
            new { migration.Version, migration.Name, migration.Checksum, AppliedAt = clock.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));
    }

    private async Task<IReadOnlyList<AppliedMigration>> ReadAppliedAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var exists = database.Provider == DatabaseProvider.PostgreSql
            ? "SELECT to_regclass('schema_version') IS NOT NULL"
            : "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')";
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(exists, transaction: transaction, cancellationToken: cancellationToken)))
        {
            return [];
        }

        var rows = await connection.QueryAsync<AppliedRow>(new CommandDefinition(
            "SELECT version AS Version, name AS Name, checksum AS Checksum, applied_at AS AppliedAt FROM schema_version ORDER BY version",
            transaction: transaction,
            cancellationToken: cancellationToken));
        return rows.Select(r => new AppliedMigration(r.Version, r.Name, r.Checksum, r.AppliedAt)).ToList();
    }

    private MigrationStatus Compare(IReadOnlyList<AppliedMigration> applied)
    {
        var known = For(database.Provider);
        var problems = new List<string>();
        foreach (var row in applied)
        {
            var migration = known.FirstOrDefault(m => m.Version == row.Version);
            if (migration is null)
            {
                problems.Add($"The database has migration {row.Version:D4}_{row.Name} applied, which this build does not know: "
                    + $"the database is newer than the program (latest known {known[^1].Version:D4}). Run a newer build.");
            }
            else if (migration.Checksum != row.Checksum)
            {
                problems.Add($"Migration {migration.FileName} was changed after it was applied (checksum {Abbreviate(row.Checksum)} in the "
                    + $"database, {Abbreviate(migration.Checksum)} in this build). Applied migrations must never be edited; add a new one.");
            }
        }

        var appliedVersions = applied.Select(a => a.Version).ToHashSet();
        var pending = known.Where(m => !appliedVersions.Contains(m.Version)).ToList();
        if (pending.Count > 0 && applied.Count > 0 && pending[0].Version < applied.Max(a => a.Version))
        {
            problems.Add($"Migration {pending[0].FileName} is missing from the database although later ones are applied.");
        }

        return new MigrationStatus(applied, pending, problems);
    }

    private static string Abbreviate(string checksum) => checksum.Length <= 12 ? checksum : checksum[..12];

    private static void ThrowIfProblems(MigrationStatus status)
    {
        if (status.Problems.Count > 0)
        {
            throw new MigrationException(string.Join(Environment.NewLine, status.Problems));
        }
    }

    private static Dictionary<DatabaseProvider, IReadOnlyList<Migration>> LoadEmbedded()
    {
        var assembly = typeof(Migrator).Assembly;
        var result = new Dictionary<DatabaseProvider, IReadOnlyList<Migration>>();
        foreach (var (provider, folder) in new[] { (DatabaseProvider.Sqlite, "sqlite"), (DatabaseProvider.PostgreSql, "postgres") })
        {
            var migrations = new List<Migration>();
            foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith($"Migrations/{folder}/", StringComparison.Ordinal)))
            {
                var file = resource[(resource.LastIndexOf('/') + 1)..];
                var match = FileNamePattern().Match(file);
                if (!match.Success)
                {
                    throw new MigrationException($"Migration file {folder}/{file} is not named NNNN_name.sql.");
                }

                migrations.Add(new Migration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, Read(assembly, resource)));
            }

            migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
            for (var i = 0; i < migrations.Count; i++)
            {
                if (migrations[i].Version != i + 1)
                {
                    throw new MigrationException($"Migrations for {folder} must be numbered 0001, 0002, ... without gaps or repeats; found {migrations[i].FileName}.");
                }
            }

            result[provider] = migrations;
        }

        if (result[DatabaseProvider.Sqlite].Count != result[DatabaseProvider.PostgreSql].Count)
        {
            throw new MigrationException("Every migration needs a SQLite and a PostgreSQL version; the two folders differ in count.");
        }

        return result;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private sealed record AppliedRow
    {
        public int Version { get; init; }
        public string Name { get; init; } = "";
        public string Checksum { get; init; } = "";
        public DateTimeOffset AppliedAt { get; init; }
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();
}
