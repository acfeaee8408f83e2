using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Health;

/// <summary>
/// <c>GET /health</c>: 200 when the database answers and its schema is current, 503 otherwise, with a JSON body
/// saying so; to an administrator also which provider, which schema version and time zone, and what is wrong.
/// </summary>
public static class HealthApi
{
    public static IServiceCollection AddSupervisionHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync }).AllowAnonymous();
        return endpoints;
    }

    // Anyone (a load balancer, a container's health check) learns healthy or not from the status code and the word;
    // which database, schema and time zone, and what is wrong, only an administrator (and the server's log).
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        object body = context.User.IsInRole("admin")
            ? new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(
                    e => e.Key,
                    e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
            }
            : new { status = report.Status.ToString() };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}

/// <summary>The database answers and carries every migration this build knows, and none it does not.</summary>
internal sealed class DatabaseHealthCheck(Database database, Migrator migrator, OfficeTimeZone zone, ILogger<DatabaseHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["provider"] = database.Provider == DatabaseProvider.PostgreSql ? "postgresql" : "sqlite",
            ["latestSchemaVersion"] = Migrator.For(database.Provider)[^1].Version,
            ["timeZone"] = zone.Id,
        };
        MigrationStatus status;
        try
        {
            status = await migrator.GetStatusAsync(cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException or IOException)
        {
            // The full error goes to the log; an anonymous endpoint says only what kind of failure it was.
            logger.LogError(e, "Health check: database {Database} is not reachable", database.Settings.Describe());
            return HealthCheckResult.Unhealthy($"Database not reachable ({e.GetType().Name}).", data: data);
        }

        data["schemaVersion"] = status.CurrentVersion;
        data["pending"] = status.Pending.Select(m => m.FileName).ToArray();
        if (status.Problems.Count > 0)
        {
            return HealthCheckResult.Unhealthy(string.Join(" ", status.Problems), data: data);
        }

        return status.Pending.Count > 0
            ? HealthCheckResult.Unhealthy($"{status.Pending.Count} migration(s) not applied; run the 'migrate' subcommand or enable migrations on start.", data: data)
            : HealthCheckResult.Healthy("Database reachable, schema current.", data);
    }
}
