using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Supervision.Host.Platform;

/// <summary>
/// Limits that keep one caller from hurting the others: request bodies of at most 1 MiB, and a fixed window of
/// requests per signed-in user or API token (<c>Supervision:RateLimit:PermitsPerMinute</c>, default 600; anonymous
/// callers share one window per address). Over the limit is 429 with problem details and Retry-After.
/// </summary>
public static class Limits
{
    public const long MaxBodyBytes = 1024 * 1024;

    public static IServiceCollection AddSupervisionLimits(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var permits = configuration.GetValue("Supervision:RateLimit:PermitsPerMinute", 600);
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxBodyBytes);

        // Bad bodies (malformed JSON, wrong types, too large) reach DomainExceptionHandler, which names the field.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                // Health checks are never limited, in a partition of their own: a partition is made once per key and
                // kept, so a "no limit" one under the caller's key lifted the limit from that caller for good.
                if (context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                {
                    return RateLimitPartition.GetNoLimiter("health");
                }

                var key = context.User.Identity?.IsAuthenticated == true
                    ? "user:" + context.User.Identity.Name
                    : "address:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            o.OnRejected = async (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"At most {permits} requests a minute per user; try again in a minute.");
            };
        });
        return services;
    }
}
