using System.Globalization;
using Supervision.Host.Scheduling;

namespace Supervision.Host.Api;

/// <summary>
/// <c>GET /api/events</c>: a Server-Sent Events stream for live boards. Sends <c>event: changed</c> whenever lights or
/// items change on any instance (an action, a light reaching its instant), at most one per
/// <see cref="MinimumGap"/>, and a comment every 15 seconds so proxies keep the connection open. The event carries
/// no data about items (the page reloads what the signed-in user may see), so it reveals nothing across scopes.
/// </summary>
public static class EventsApi
{
    /// <summary>Changes closer together than this are sent as one.</summary>
    public static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/events", StreamAsync).WithTags("Board").ExcludeFromDescription();
        return endpoints;
    }

    private static async Task StreamAsync(HttpContext context, Wakeups wakeups, TimeProvider clock)
    {
        var stopping = context.RequestAborted;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync("retry: 2000\n: connected\n\n", stopping);
        await context.Response.Body.FlushAsync(stopping);
        try
        {
            var next = wakeups.NextChangeAsync(stopping);
            while (!stopping.IsCancellationRequested)
            {
                var beat = Task.Delay(Heartbeat, stopping);
                if (await Task.WhenAny(next, beat) == next)
                {
                    await next;
                    await Task.Delay(MinimumGap, stopping);
                    next = wakeups.NextChangeAsync(stopping);
                    var at = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
                    await context.Response.WriteAsync($"event: changed\ndata: {{\"at\":\"{at}\"}}\n\n", stopping);
                }
                else
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", stopping);
                }

                await context.Response.Body.FlushAsync(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The page went away.
        }
    }
}
