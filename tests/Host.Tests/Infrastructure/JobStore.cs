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
        return monitoring.SucceededJobs(0, 1000).Where(j => j.Value.Job?.Method.Name == method).Select(j => j.Key)
            .Concat(monitoring.ProcessingJobs(0, 1000).Where(j => j.Value.Job?.Method.Name == method).Select(j => j.Key))
            .Concat(monitoring.EnqueuedJobs("default", 0, 1000).Where(j => j.Value.Job?.Method.Name == method).Select(j => j.Key))
            .Concat(monitoring.FailedJobs(0, 1000).Where(j => j.Value.Job?.Method.Name == method).Select(j => j.Key))
            .Distinct()
            .ToList();
    }
}
