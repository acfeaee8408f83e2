using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Supervision.Host.Notices;
using Supervision.Host.Storage;

namespace Supervision.Host.Health;

/// <summary>A recurring job: its schedule, its last run and how that ended, its next run.</summary>
public sealed record RecurringRunView(string Id, string Cron, DateTimeOffset? LastRun, string? LastState, DateTimeOffset? NextRun, string? Error);

/// <summary>The background jobs: servers running them, jobs waiting, running, failed for good, and the recurring jobs.</summary>
public sealed record JobsSummary(long Servers, long Enqueued, long Processing, long Scheduled, long Failed, IReadOnlyList<RecurringRunView> Recurring);

/// <summary>The database: provider, schema version and the newest this build knows, migrations pending, what is wrong.</summary>
public sealed record DatabaseSummary(string Status, string? Description, IReadOnlyDictionary<string, object> Data);

/// <summary>The outbox: notices waiting for delivery, given up on, and the newest given up on.</summary>
public sealed record NoticesSummary(long Pending, long Failed, IReadOnlyList<FailedNotice> LatestFailed);

/// <summary>The history chain: its last verification and the last digest.</summary>
public sealed record HistorySummary(RecordedVerification? LastVerification, DigestRecord? LastDigest);

/// <summary>What an administrator looks at to know the system is well: <see cref="Status"/> is the health check's.</summary>
public sealed record HealthSummary(string Status, DateTimeOffset At, DatabaseSummary Database, JobsSummary Jobs, RecurringRunView? LastNightlyRun, NoticesSummary Notices, HistorySummary History);

/// <summary><c>GET /api/admin/health</c> (administrators): the health check's findings with the jobs, the nightly
/// overdue run, the failed notices and the history chain's verification and digest.</summary>
public static class AdminHealth
{
    public static IEndpointRouteBuilder MapAdminHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/admin/health", async Task<Ok<HealthSummary>> (HealthCheckService checks, JobStorage jobs, NoticeStore notices, HistoryAudit audit, TimeProvider clock, CancellationToken ct) =>
            {
                var report = await checks.CheckHealthAsync(ct);
                var database = report.Entries.TryGetValue("database", out var entry)
                    ? new DatabaseSummary(entry.Status.ToString(), entry.Description, entry.Data.ToDictionary(d => d.Key, d => d.Value))
                    : new DatabaseSummary("Unknown", null, new Dictionary<string, object>());
                var jobsSummary = Jobs(jobs);
                var (pending, failed, latest) = await notices.OutboxAsync(10, ct);
                var (verification, digest) = await audit.LastAsync(ct);
                return TypedResults.Ok(new HealthSummary(report.Status.ToString(), clock.GetUtcNow(), database, jobsSummary,
                    jobsSummary.Recurring.FirstOrDefault(r => r.Id == "overdue-run"), new NoticesSummary(pending, failed, latest), new HistorySummary(verification, digest)));
            })
            .WithTags("Administration")
            .RequireAuthorization("admin");
        return endpoints;
    }

    private static JobsSummary Jobs(JobStorage storage)
    {
        var statistics = storage.GetMonitoringApi().GetStatistics();
        using var connection = storage.GetConnection();
        var recurring = connection.GetRecurringJobs().OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => new RecurringRunView(
            r.Id, r.Cron, Utc(r.LastExecution), r.LastJobState, Utc(r.NextExecution), r.Error)).ToList();
        return new JobsSummary(statistics.Servers, statistics.Enqueued, statistics.Processing, statistics.Scheduled, statistics.Failed, recurring);
    }

    private static DateTimeOffset? Utc(DateTime? at) => at is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;
}
