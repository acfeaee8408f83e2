using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage;
using Hangfire.Storage.SQLite;
using Supervision.Host.Jobs;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>
/// Hangfire's storage of a server's database read from outside the server, as an operator's tool would: the schema
/// <c>hangfire</c> on PostgreSQL, the job file beside the database on SQLite. Runs no jobs.
/// </summary>
public static class JobStore
{
    public static JobStorage Open(DatabaseSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Provider == DatabaseProvider.PostgreSql)
        {
            var options = new PostgreSqlStorageOptions { SchemaName = JobsSetup.Schema, PrepareSchemaIfNecessary = false };
            return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(settings.ConnectionString, options), options);
        }

        return new SQLiteStorage(new SqliteJobFile(settings).Path, new SQLiteStorageOptions());
    }

    /// <summary>The recurring job's stored record (its cron, zone, next and last runs).</summary>
    public static RecurringJobDto? Recurring(JobStorage storage, string id)
    {
        ArgumentNullException.ThrowIfNull(storage);
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs([id]).SingleOrDefault(r => !r.Removed);
    }

    /// <summary>The jobs of any state whose method is <paramref name="method"/> (a recurring job's body), by id.</summary>
    public static IReadOnlyList<string> JobsOf(JobStorage storage, string method)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var monitoring = storage.GetMonitoringApi();
        // Read in the order a job moves (queued, running, then done): a job moving on between two reads is caught by
        // the later one. Read the other way round, a job queued at the first read and done by the last was missed.
        var enqueued = monitoring.EnqueuedJobs("default", 0, 1000).Where(j => j.Value.Job?.Method.Name == method).Select(j => j.Key).ToList();
        var processing = monitoring.ProcessingJobs(0, 1000).Where(j => j.Value.Job?.Method.Name == method).Select(j => j.Key).ToList();
        var succeeded = monitoring.SucceededJobs(0, 1000).Where(j => j.Value.Job?.Method.Name == method).Select(j => j.Key).ToList();
        var failed = monitoring.FailedJobs(0, 1000).Where(j => j.Value.Job?.Method.Name == method).Select(j => j.Key).ToList();
        return enqueued.Concat(processing).Concat(succeeded).Concat(failed)
            .Distinct()
            .ToList();
    }
}
