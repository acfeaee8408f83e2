using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Supervision.Host.Storage;

/// <summary>
/// The one storage layer over both providers: opens connections set up the same way every time and starts write
/// transactions that serialise correctly on each (SQLite: <c>BEGIN IMMEDIATE</c>, so two writers never deadlock on
/// a lock upgrade; PostgreSQL: read committed plus the row locks each statement takes).
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;

    static Database() => SqlTypeHandlers.Register();

    public Database(DatabaseSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        if (settings.Provider == DatabaseProvider.PostgreSql)
        {
            _postgres = NpgsqlDataSource.Create(WithPoolSettings(settings.ConnectionString));
        }
        else
        {
            var path = new SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory) && path != ":memory:")
            {
                Directory.CreateDirectory(directory);
            }
        }
    }

    public DatabaseSettings Settings { get; }

    /// <summary>
    /// How the product uses pooled connections, unless the connection string says otherwise. It asks the same few
    /// dozen statements over and over: Npgsql prepares each on the server after its second use on a connection. And
    /// a connection handed back to the pool is not reset (<c>DISCARD ALL</c>), which would drop those prepared
    /// statements and the plans PostgreSQL keeps for the board count trigger, so they would be parsed and planned
    /// again on every request. Nothing here leaves session state behind: transactions end, advisory locks are
    /// transaction-scoped or released in a <c>finally</c>, and the one <c>LISTEN</c> runs on its own unpooled
    /// connection (<see cref="OpenDedicatedAsync"/>). And a connection is waited for at most 5 s (<c>Timeout</c>).
    /// </summary>
    internal static string WithPoolSettings(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // The keys the string names itself, without spaces and case ("Max Auto Prepare" = "maxautoprepare").
        var given = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=')[0].Replace(" ", string.Empty, StringComparison.Ordinal).Trim().ToUpperInvariant())
            .ToHashSet(StringComparer.Ordinal);
        if (!given.Contains("MAXAUTOPREPARE"))
        {
            builder.MaxAutoPrepare = 100;
            if (!given.Contains("AUTOPREPAREMINUSAGES"))
            {
                builder.AutoPrepareMinUsages = 2;
            }
        }

        if (!given.Contains("NORESETONCLOSE"))
        {
            builder.NoResetOnClose = true;
        }

        // A request waits at most this long for a connection (a database that does not answer, a pool that is full)
        // before it is answered 503 with Retry-After, instead of Npgsql's 15 s.
        if (!given.Contains("TIMEOUT"))
        {
            builder.Timeout = 5;
        }

        return builder.ConnectionString;
    }

    public DatabaseProvider Provider => Settings.Provider;

    /// <summary>Provider-specific bits of SQL.</summary>
    public SqlDialect Dialect => Provider == DatabaseProvider.PostgreSql ? SqlDialect.PostgreSql : SqlDialect.Sqlite;

    /// <summary>Opens a connection ready for use (SQLite: foreign keys on, waits on a busy file).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(Settings.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A PostgreSQL connection of its own, outside the pool, for a long-lived session (<c>LISTEN</c>): its
    /// session state never reaches a pooled connection.</summary>
    public async Task<NpgsqlConnection> OpenDedicatedAsync(CancellationToken cancellationToken)
    {
        if (_postgres is null)
        {
            throw new InvalidOperationException("A dedicated connection is a PostgreSQL connection.");
        }

        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Settings.ConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a connection and begins a write transaction on it; dispose the result to release both.</summary>
    public async Task<UnitOfWork> BeginAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            // Microsoft.Data.Sqlite begins IMMEDIATE unless asked for a deferred transaction.
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            return new UnitOfWork(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Opens a connection and begins a transaction that only reads, seeing one consistent state of the database:
    /// on SQLite a deferred transaction (it takes no write lock, so readers never hold up writers), on PostgreSQL a
    /// read-only repeatable-read snapshot. Dispose the result to release both; nothing is written through it.
    /// </summary>
    public async Task<UnitOfWork> BeginReadAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            DbTransaction transaction = connection is SqliteConnection lite
                ? lite.BeginTransaction(IsolationLevel.Serializable, deferred: true)
                : await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            if (_postgres is not null)
            {
                await using var readOnly = connection.CreateCommand();
                readOnly.Transaction = transaction;
                readOnly.CommandText = "SET TRANSACTION READ ONLY";
                await readOnly.ExecuteNonQueryAsync(cancellationToken);
            }

            return new UnitOfWork(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> in a transaction and commits it.</summary>
    public async Task<T> InTransactionAsync<T>(Func<UnitOfWork, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var uow = await BeginAsync(cancellationToken);
        var result = await work(uow);
        await uow.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Runs <paramref name="work"/> in a transaction and commits it.</summary>
    public Task InTransactionAsync(Func<UnitOfWork, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return InTransactionAsync(async uow =>
        {
            await work(uow);
            return true;
        }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>A connection with its open transaction. Disposing without committing rolls back.</summary>
public sealed class UnitOfWork(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    /// <summary>The SQL dialect of this connection's provider.</summary>
    public SqlDialect Dialect { get; } = connection is NpgsqlConnection ? SqlDialect.PostgreSql : SqlDialect.Sqlite;

    public CommandDefinition Command(string sql, object? parameters, CancellationToken cancellationToken) =>
        new(sql, parameters, Transaction, cancellationToken: cancellationToken);

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}

/// <summary>The few places where the two providers' SQL differs.</summary>
public sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new(isPostgres: false);

    public static readonly SqlDialect PostgreSql = new(isPostgres: true);

    private readonly bool _isPostgres;

    private SqlDialect(bool isPostgres) => _isPostgres = isPostgres;

    /// <summary>A parameter holding JSON text, as the column's type expects it.</summary>
    public string Json(string parameter) => _isPostgres ? $"CAST({parameter} AS jsonb)" : parameter;

    /// <summary>"column is one of the list parameter": Dapper expands lists for SQLite, Npgsql takes an array.</summary>
    public string InList(string column, string parameter) => _isPostgres ? $"{column} = ANY({parameter})" : $"{column} IN {parameter}";

    /// <summary>A LIKE pattern finding <paramref name="text"/> anywhere, its own wildcards escaped (for <see cref="TextMatch"/>).</summary>
    public static string ContainsPattern(string text) =>
        "%" + (text ?? string.Empty).Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    /// <summary>An item's title or fields (columns under <paramref name="prefix"/>) contain the pattern, ignoring case where the database can.</summary>
    public string TextMatch(string prefix, string parameter) => _isPostgres
        ? $"({prefix}title ILIKE {parameter} ESCAPE '\\' OR {prefix}payload::text ILIKE {parameter} ESCAPE '\\')"
        : $"({prefix}title LIKE {parameter} ESCAPE '\\' OR {prefix}payload LIKE {parameter} ESCAPE '\\')";

    /// <summary>A JSON column's top-level text field (<paramref name="key"/> must be a plain name).</summary>
    public string JsonText(string column, string key) => _isPostgres ? $"({column}->>'{key}')" : $"json_extract({column}, '$.{key}')";

    /// <summary>A row lock for a read that is about to be followed by a write (SQLite's write lock is already held).</summary>
    public string ForUpdate => _isPostgres ? " FOR UPDATE" : string.Empty;
}

/// <summary>
/// Dapper mappings that keep the providers' storage of days and instants out of the rest of the code:
/// <see cref="DateOnly"/> is <c>date</c> or <c>yyyy-MM-dd</c> text; <see cref="DateTimeOffset"/> is <c>timestamptz</c>
/// or fixed-width UTC text, which sorts in time order.
/// </summary>
internal static class SqlTypeHandlers
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new InstantHandler());
        SqlMapper.RemoveTypeMap(typeof(DateOnly));
        SqlMapper.RemoveTypeMap(typeof(DateOnly?));
        SqlMapper.AddTypeHandler(new DayHandler());
    }

    /// <summary>The SQLite text form of an instant.</summary>
    public static string ToSqliteText(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class InstantHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            if (parameter is NpgsqlParameter postgres)
            {
                postgres.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz;
                postgres.Value = value.UtcDateTime;
            }
            else
            {
                parameter.DbType = DbType.String;
                parameter.Value = ToSqliteText(value);
            }
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
            DateTimeOffset o => o.ToUniversalTime(),
            string s => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal),
            _ => throw new DataException($"Cannot read an instant from a {value.GetType().Name}."),
        };
    }

    private sealed class DayHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            if (parameter is NpgsqlParameter postgres)
            {
                postgres.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date;
                postgres.Value = value;
            }
            else
            {
                parameter.DbType = DbType.String;
                parameter.Value = value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        public override DateOnly Parse(object value) => value switch
        {
            DateOnly d => d,
            DateTime t => DateOnly.FromDateTime(t),
            string s => DateOnly.ParseExact(s, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new DataException($"Cannot read a day from a {value.GetType().Name}."),
        };
    }
}
