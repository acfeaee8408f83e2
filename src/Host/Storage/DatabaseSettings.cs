using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Supervision.Host.Storage;

/// <summary>The two storage providers. The provider follows from the connection string.</summary>
public enum DatabaseProvider
{
    /// <summary>Embedded, one file, one Host: the default.</summary>
    Sqlite,

    /// <summary>Production and scale-out: several Hosts share one database.</summary>
    PostgreSql,
}

/// <summary>
/// Where the data lives: <c>SUPERVISION_DB</c> (configuration key <c>Supervision:Database</c>) holds either a SQLite
/// connection string (<c>Data Source=/path/file.db</c>) or a PostgreSQL one (<c>Host=...;Database=...</c>, or a
/// <c>postgresql://user:password@host:port/database</c> URI).
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    /// <summary>The configuration key; the environment variable <see cref="EnvironmentVariable"/> maps to it.</summary>
    public const string ConfigurationKey = "Supervision:Database";

    /// <summary>The environment variable most users set.</summary>
    public const string EnvironmentVariable = "SUPERVISION_DB";

    /// <summary>Used when nothing is configured: a file under ./data/.</summary>
    public const string DefaultConnectionString = "Data Source=data/supervision.db";

    /// <summary>Reads a connection string, deciding the provider; throws <see cref="DatabaseSettingsException"/>
    /// with a message that names the setting and says what is wrong (never echoing a password).</summary>
    public static DatabaseSettings Parse(string? value)
    {
        var text = string.IsNullOrWhiteSpace(value) ? DefaultConnectionString : value.Trim();
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new DatabaseSettings(DatabaseProvider.PostgreSql, FromPostgresUri(text));
        }

        DbConnectionStringBuilder keys;
        try
        {
            keys = new DbConnectionStringBuilder { ConnectionString = text };
        }
        catch (ArgumentException)
        {
            throw new DatabaseSettingsException(
                $"{EnvironmentVariable} is not a connection string: expected key=value pairs separated by ';', "
                + "such as 'Data Source=data/supervision.db' or 'Host=localhost;Database=supervision;Username=app'.");
        }

        if (keys.ContainsKey("Host") || keys.ContainsKey("Server"))
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(text);
                if (string.IsNullOrEmpty(builder.Host))
                {
                    throw new DatabaseSettingsException($"{EnvironmentVariable}: the PostgreSQL 'Host' is empty.");
                }

                return new DatabaseSettings(DatabaseProvider.PostgreSql, builder.ConnectionString);
            }
            catch (ArgumentException e)
            {
                throw new DatabaseSettingsException($"{EnvironmentVariable}: not a valid PostgreSQL connection string: {e.Message}");
            }
        }

        if (keys.ContainsKey("Data Source") || keys.ContainsKey("DataSource") || keys.ContainsKey("Filename"))
        {
            try
            {
                var builder = new SqliteConnectionStringBuilder(text);
                if (string.IsNullOrWhiteSpace(builder.DataSource))
                {
                    throw new DatabaseSettingsException($"{EnvironmentVariable}: the SQLite 'Data Source' is empty.");
                }

                return new DatabaseSettings(DatabaseProvider.Sqlite, builder.ConnectionString);
            }
            catch (ArgumentException e)
            {
                throw new DatabaseSettingsException($"{EnvironmentVariable}: not a valid SQLite connection string: {e.Message}");
            }
        }

        var names = string.Join(", ", keys.Keys.Cast<string>().Select(k => $"'{k}'"));
        throw new DatabaseSettingsException(
            $"{EnvironmentVariable} names neither a SQLite file nor a PostgreSQL server (keys found: {names}). "
            + "Use 'Data Source=path/file.db' for SQLite or 'Host=...;Database=...' for PostgreSQL.");
    }

    /// <summary>The database as a person would name it in a log line: file path, or host and database.</summary>
    public string Describe()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            return $"SQLite {Path.GetFullPath(new SqliteConnectionStringBuilder(ConnectionString).DataSource)}";
        }

        var pg = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL {pg.Host}:{pg.Port}/{pg.Database ?? pg.Username}";
    }

    private static string FromPostgresUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new DatabaseSettingsException(
                $"{EnvironmentVariable} looks like a PostgreSQL URI but is not one: expected postgresql://user:password@host:port/database.");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : string.Empty;
            try
            {
                builder[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = val;
            }
            catch (ArgumentException)
            {
                throw new DatabaseSettingsException($"{EnvironmentVariable}: unknown PostgreSQL option '{key}' in the URI.");
            }
        }

        return builder.ConnectionString;
    }
}

/// <summary>The database setting is unusable; the message says why and how to fix it.</summary>
public sealed class DatabaseSettingsException(string message) : Exception(message);
