using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Microsoft.Data.Sqlite;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Jobs;

/// <summary>
/// Hangfire runs the recurring jobs and the long administrative work (<see cref="IBackgroundWork"/>), stored beside
/// the product's data:
/// <list type="bullet">
/// <item>PostgreSQL: Hangfire.PostgreSql in the schema <c>hangfire</c> of the product database, woken by LISTEN/NOTIFY
/// (long polling) and with a sliding invisibility timeout (a running job keeps its claim by heartbeat; a job whose
/// server died is taken up by another after <c>Supervision:Jobs:InvisibilityTimeout</c>, default 5 minutes). Several
/// Hosts on one database share the jobs: each recurring run is enqueued once (Hangfire's per-job distributed lock).</item>
/// <item>SQLite (the embedded default): Hangfire.Storage.SQLite in a file beside the product database
/// (<c>supervision.db</c> → <c>supervision.jobs.db</c>), one Host per file: the file is locked while the Host runs and
/// a second Host on it stops with a plain message. Because only this Host uses the file, a job claimed but not
/// finished when the Host starts was left by a crash, and is handed back to the queue at once (<see cref="SqliteJobFile"/>).
/// Its queue is polled every <c>Supervision:Jobs:PollInterval</c> (default 1 s).</item>
/// </list>
/// Jobs are never one per item: light changes stay on the due index, notices in the outbox (see README).
/// </summary>
public static class JobsSetup
{
    public const string WorkersKey = "Supervision:Jobs:Workers";

    public const string InvisibilityTimeoutKey = "Supervision:Jobs:InvisibilityTimeout";

    public const string PollIntervalKey = "Supervision:Jobs:PollInterval";

    public const string SchedulePollingIntervalKey = "Supervision:Jobs:SchedulePollingInterval";

    /// <summary>The schema of the product's PostgreSQL database that holds Hangfire's tables.</summary>
    public const string Schema = "hangfire";

    public static WebApplicationBuilder AddSupervisionJobs(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        DatabaseSettings database;
        try
        {
            database = DatabaseSettings.Parse(configuration[DatabaseSettings.ConfigurationKey]);
        }
        catch (DatabaseSettingsException)
        {
            // The same setting stops start-up with a plain message a moment later (MigrateOnStart); no jobs then.
            return builder;
        }

        var workers = configuration.GetValue(WorkersKey, 2);
        var poll = configuration.GetValue(PollIntervalKey, TimeSpan.FromSeconds(1));
        builder.Services.AddSingleton<WorkKinds>();
        builder.Services.AddSingleton<JobProgress>();
        builder.Services.AddSingleton<IJobProgress>(services => services.GetRequiredService<JobProgress>());
        builder.Services.AddSingleton<IBackgroundJobs, HangfireBackgroundJobs>();
        builder.Services.AddTransient<WorkRunner>();
        builder.Services.AddSingleton<JobStates>();
        // This server's storage and job activator, registered before AddHangfire (which would otherwise hand out its
        // process-wide JobStorage.Current and JobActivator.Current: the last server configured in the process, not
        // necessarily this one, where several start side by side).
        builder.Services.AddSingleton(services => new ServerStorage(Create(services, database, configuration, poll)));
        builder.Services.AddSingleton<JobStorage>(services =>
        {
            services.GetRequiredService<IGlobalConfiguration>();
            return services.GetRequiredService<ServerStorage>().Storage;
        });
        // The office's zone for the server's schedule, the recurring job manager and the dashboard alike.
        builder.Services.AddSingleton<ITimeZoneResolver>(services => new OfficeZoneResolver(services.GetRequiredService<OfficeTimeZone>()));
        builder.Services.AddSingleton<JobActivator>(services => new Hangfire.AspNetCore.AspNetCoreJobActivator(services.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire((services, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new LastingLogProvider(services.GetRequiredService<ILoggerFactory>()))
            .UseStorage(services.GetRequiredService<ServerStorage>().Storage));
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            builder.Services.AddSingleton(_ => new SqliteJobFile(database));
            // Before Hangfire's server: claims the file and hands back what a crash left claimed.
            builder.Services.AddHostedService(services => services.GetRequiredService<SqliteJobFile>());
        }

        builder.Services.AddHangfireServer((services, options) =>
        {
            options.WorkerCount = Math.Max(1, workers);
            options.ServerName = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}");
            // How often the recurring and delayed (retry) jobs are looked for; each look takes a lock, which on SQLite
            // is a write, so not every second.
            options.SchedulePollingInterval = configuration.GetValue(SchedulePollingIntervalKey, TimeSpan.FromSeconds(15));
        });
        return builder;
    }

    private static JobStorage Create(IServiceProvider services, DatabaseSettings database, IConfiguration configuration, TimeSpan poll)
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = Schema,
                PrepareSchemaIfNecessary = true,
                EnableLongPolling = true,
                UseSlidingInvisibilityTimeout = true,
                InvisibilityTimeout = configuration.GetValue(InvisibilityTimeoutKey, TimeSpan.FromMinutes(5)),
                QueuePollInterval = poll,
            };
            return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(database.ConnectionString, options), options);
        }

        var file = services.GetRequiredService<SqliteJobFile>();
        try
        {
            return new SQLiteStorage(new SQLiteDbConnectionFactory(file.Open), new SQLiteStorageOptions
            {
                QueuePollInterval = poll,
                // No heartbeat here: a job running longer than this is given to a second worker, so it is long.
                InvisibilityTimeout = configuration.GetValue(InvisibilityTimeoutKey, TimeSpan.FromHours(2)),
            });
        }
        catch (SQLite.SQLiteException e)
        {
            // Hangfire opens its storage as the server is made, before the migrations could say it.
            throw new InvalidOperationException(
                $"{database.Describe()} cannot be used: its job file {file.Path} cannot be opened ({e.Message}). The file, directory or disk is "
                + "read-only or full: make it writable (or mount its volume read-write) and start again.", e);
        }
    }

    /// <summary>This server's job storage, made once.</summary>
    private sealed record ServerStorage(JobStorage Storage);

    /// <summary>
    /// Hangfire keeps its log provider in a static: in a process that starts a server more than once (a service host
    /// restarting the web host, the tests' servers side by side), the provider of a server already stopped would throw
    /// for its disposed logger factory. Loggers of a stopped server are silent instead.
    /// </summary>
    private sealed class LastingLogProvider(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
    {
        private readonly Hangfire.AspNetCore.AspNetCoreLogProvider _inner = new(factory);

        public Hangfire.Logging.ILog GetLogger(string name)
        {
            try
            {
                return _inner.GetLogger(name);
            }
            catch (ObjectDisposedException)
            {
                return Silent.Instance;
            }
        }

        private sealed class Silent : Hangfire.Logging.ILog
        {
            public static readonly Silent Instance = new();

            public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
        }
    }

    /// <summary>Resolves the office's zone by its configured id (also on platforms naming zones differently).</summary>
    private sealed class OfficeZoneResolver(OfficeTimeZone office) : ITimeZoneResolver
    {
        public TimeZoneInfo GetTimeZoneById(string timeZoneId) =>
            string.Equals(timeZoneId, office.Zone.Id, StringComparison.Ordinal) || string.Equals(timeZoneId, office.Id, StringComparison.Ordinal)
                ? office.Zone
                : TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
    }
}

/// <summary>
/// The SQLite job file beside the product database, held by one Host: a lock file next to it is opened exclusively for
/// as long as the Host runs (the operating system releases it when the process ends, crash included). At start, with
/// the file ours, every queue entry still marked as fetched belongs to a Host that is gone and goes back to the queue.
/// </summary>
public sealed class SqliteJobFile : IHostedService, IDisposable
{
    private FileStream? _lock;

    public SqliteJobFile(DatabaseSettings database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var source = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
        var inMemory = string.IsNullOrEmpty(source) || source == ":memory:" || database.ConnectionString.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase);
        Path = inMemory
            ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"supervision-{Environment.ProcessId}.jobs.db")
            : System.IO.Path.ChangeExtension(System.IO.Path.GetFullPath(source), ".jobs.db");
    }

    /// <summary>The job file's full path.</summary>
    public string Path { get; }

    /// <summary>A connection to the job file as Hangfire.Storage.SQLite opens it, its write-ahead log kept short
    /// (checkpointed every 64 pages and cut back to 256 KiB), so the jobs take little of a nearly full disk.</summary>
    public SQLite.SQLiteConnection Open()
    {
        var connection = new SQLite.SQLiteConnection(Path, SQLite.SQLiteOpenFlags.ReadWrite | SQLite.SQLiteOpenFlags.Create | SQLite.SQLiteOpenFlags.NoMutex, storeDateTimeAsTicks: true)
        {
            BusyTimeout = TimeSpan.FromSeconds(10),
        };
        connection.ExecuteScalar<long>("PRAGMA wal_autocheckpoint = 64");
        connection.ExecuteScalar<long>("PRAGMA journal_size_limit = 262144");
        return connection;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        try
        {
            _lock = new FileStream(Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"the job file {Path} is in use by another Supervision server; on SQLite one server runs per database (use PostgreSQL for several): {e.Message}", e);
        }

        if (File.Exists(Path))
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path }.ToString());
            connection.Open();
            using var exists = connection.CreateCommand();
            exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'JobQueue'";
            if (Convert.ToInt64(exists.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
            {
                // sqlite-net keeps DateTime as ticks; DateTime.MinValue (0) is "not fetched".
                using var release = connection.CreateCommand();
                release.CommandText = "UPDATE JobQueue SET FetchedAt = 0 WHERE FetchedAt <> 0";
                release.ExecuteNonQuery();
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _lock?.Dispose();
}
